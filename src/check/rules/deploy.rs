//! Deployment rules: a Dockerfile that is multi-stage, runs as a non-root user and has a
//! HEALTHCHECK, and a compose file that runs the service with its dependencies.

use crate::check::dockerfile::{self, Instruction};
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// The shallowest Dockerfile and its instructions.
fn the_dockerfile(project: &Project) -> Option<(&str, Vec<Instruction>)> {
    let path = project.first_named(is_dockerfile)?;
    Some((
        path,
        dockerfile::parse(&project.read(path).unwrap_or_default()),
    ))
}

const NO_DOCKERFILE: &str = "no Dockerfile to look in (see deploy.dockerfile)";

pub fn dockerfile(project: &Project) -> Outcome {
    match project.first_named(is_dockerfile) {
        Some(path) => Outcome::pass(
            format!("{path} is tracked"),
            vec![Evidence::at(path, 1, "Dockerfile")],
        ),
        None => Outcome::fail(
            "no Dockerfile or Containerfile is tracked",
            vec![Evidence::note(
                "looked for Dockerfile, Containerfile, *.Dockerfile and Dockerfile.*",
            )],
        ),
    }
}

pub fn multi_stage(project: &Project) -> Outcome {
    let Some((path, ins)) = the_dockerfile(project) else {
        return Outcome::skip(NO_DOCKERFILE);
    };
    let froms: Vec<&Instruction> = ins.iter().filter(|i| i.keyword == "FROM").collect();
    match froms.as_slice() {
        [] => Outcome::fail(
            format!("{path} has no FROM"),
            vec![Evidence::at(path, 1, "no FROM instruction")],
        ),
        [only] => Outcome::fail(
            format!("{path} builds in a single stage"),
            vec![Evidence::at(
                path,
                only.line,
                format!("the only stage: FROM {}", only.args),
            )],
        ),
        [.., last] => Outcome::pass(
            format!("{path} has {} stages", froms.len()),
            vec![Evidence::at(
                path,
                last.line,
                format!("final stage: FROM {}", last.args),
            )],
        ),
    }
}

pub fn non_root(project: &Project) -> Outcome {
    let Some((path, ins)) = the_dockerfile(project) else {
        return Outcome::skip(NO_DOCKERFILE);
    };
    let stage = dockerfile::final_stage(&ins);
    let from = stage.first().filter(|i| i.keyword == "FROM");
    let user = stage.iter().rev().find(|i| i.keyword == "USER");
    match user {
        Some(u) => {
            let name = u.args.split(':').next().unwrap_or("").trim();
            if matches!(name, "root" | "0") {
                Outcome::fail(
                    format!("the final stage of {path} runs as root"),
                    vec![Evidence::at(path, u.line, format!("USER {}", u.args))],
                )
            } else {
                Outcome::pass(
                    format!("the final stage of {path} runs as `{name}`"),
                    vec![Evidence::at(path, u.line, format!("USER {}", u.args))],
                )
            }
        }
        // Distroless `:nonroot` images set a non-root user themselves.
        None if from.is_some_and(|f| f.args.contains("nonroot")) => {
            let f = from.expect("checked");
            Outcome::pass(
                "the base image runs as a non-root user",
                vec![Evidence::at(path, f.line, format!("FROM {}", f.args))],
            )
        }
        None => Outcome::fail(
            format!("the final stage of {path} has no USER, so it runs as root"),
            vec![Evidence::at(
                path,
                from.map(|f| f.line).unwrap_or(1),
                "final stage without USER",
            )],
        ),
    }
}

pub fn healthcheck(project: &Project) -> Outcome {
    let Some((path, ins)) = the_dockerfile(project) else {
        return Outcome::skip(NO_DOCKERFILE);
    };
    match ins.iter().rev().find(|i| i.keyword == "HEALTHCHECK") {
        Some(h) if h.args.eq_ignore_ascii_case("none") => Outcome::fail(
            format!("{path} disables the health check"),
            vec![Evidence::at(path, h.line, "HEALTHCHECK NONE")],
        ),
        Some(h) => Outcome::pass(
            format!("{path} declares a health check"),
            vec![Evidence::at(
                path,
                h.line,
                format!("HEALTHCHECK {}", h.args),
            )],
        ),
        None => {
            let from = dockerfile::final_stage(&ins)
                .first()
                .map(|f| f.line)
                .unwrap_or(1);
            Outcome::fail(
                format!("{path} has no HEALTHCHECK"),
                vec![Evidence::at(path, from, "final stage without HEALTHCHECK")],
            )
        }
    }
}

pub fn compose(project: &Project) -> Outcome {
    let found = project.first_named(|n| {
        matches!(
            n,
            "docker-compose.yml" | "docker-compose.yaml" | "compose.yml" | "compose.yaml"
        )
    });
    match found {
        Some(path) => Outcome::pass(
            format!("{path} is tracked"),
            vec![Evidence::at(path, 1, "compose file")],
        ),
        None => Outcome::fail(
            "no compose file is tracked",
            vec![Evidence::note(
                "looked for docker-compose.yml, docker-compose.yaml, compose.yml and compose.yaml",
            )],
        ),
    }
}
