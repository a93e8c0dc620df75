//! Deployment rules: a Dockerfile that is multi-stage, runs as a non-root user and has a
//! HEALTHCHECK, and a compose file that runs the service with its dependencies.

use crate::check::compose;
use crate::check::dockerfile::{self, Instruction};
use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};

fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// Dockerfiles that do not build the service: a dev container, a front end, docs, test rigs.
fn is_side_dockerfile(path: &str) -> bool {
    let dirs: Vec<&str> = path.split('/').rev().skip(1).collect();
    let name = file_name(path).to_ascii_lowercase();
    dirs.iter().any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            ".devcontainer"
                | "frontend"
                | "front-end"
                | "client"
                | "web"
                | "ui"
                | "docs"
                | "examples"
                | "test"
                | "tests"
                | "e2e"
                | "integration-test"
                | "integration-tests"
                | "testdata"
                | "fixtures"
                | "nginx"
                | "proxy"
        )
    }) || [
        "dev",
        "test",
        "e2e",
        "docs",
        "document",
        "devcontainer",
        "frontend",
        "nginx",
    ]
    .iter()
    .any(|w| name.contains(&format!(".{w}")) || name.starts_with(&format!("{w}.")))
}

/// The Dockerfile that builds the service: the one a compose service builds, else one a CI
/// step builds (`docker build -f`, `file:`), else the top-level one, else the shallowest that is
/// not a dev container's, a front end's or a test rig's.
fn service_dockerfile(project: &Project) -> Option<&str> {
    let all = project.named(is_dockerfile);
    let mut built: Vec<&str> = Vec::new();
    for compose in project.named(is_compose) {
        let dir = compose.rsplit_once('/').map_or("", |(d, _)| d);
        for service in compose::services(&project.read(compose).unwrap_or_default()) {
            if let Some(file) = service.dockerfile {
                let path = if dir.is_empty() {
                    file
                } else {
                    format!("{dir}/{file}")
                };
                if let Some(p) = all.iter().find(|p| **p == path) {
                    built.push(p);
                }
            }
        }
    }
    for ci in project
        .paths()
        .filter(|p| p.starts_with(".github/workflows/") || *p == ".gitlab-ci.yml")
    {
        let text = project.read(ci).unwrap_or_default();
        for p in &all {
            let named = text.lines().any(|l| {
                (l.contains("-f ") || l.contains("--file") || l.contains("file:")) && l.contains(*p)
            });
            if named {
                built.push(p);
            }
        }
    }
    // The plain `Dockerfile` is the service's; `maildev.Dockerfile` beside it builds a helper.
    built.sort_by_key(|p| {
        let plain = matches!(file_name(p), "Dockerfile" | "Containerfile");
        (is_side_dockerfile(p), p.matches('/').count(), !plain)
    });
    built.dedup();
    if let Some(p) = built.first().filter(|p| !is_side_dockerfile(p)) {
        return Some(p);
    }
    if let Some(p) = all
        .iter()
        .find(|p| !p.contains('/') && !is_side_dockerfile(p))
    {
        return Some(p);
    }
    all.into_iter().find(|p| !is_side_dockerfile(p))
}

/// The service's Dockerfile and its instructions.
fn the_dockerfile(project: &Project) -> Option<(&str, Vec<Instruction>)> {
    let path = service_dockerfile(project)?;
    Some((
        path,
        dockerfile::parse(&project.read(path).unwrap_or_default()),
    ))
}

fn is_compose(n: &str) -> bool {
    let n = n.to_ascii_lowercase();
    (n.starts_with("docker-compose") || n.starts_with("compose"))
        && (n.ends_with(".yml") || n.ends_with(".yaml"))
}

const NO_DOCKERFILE: &str = "no Dockerfile to look in (see deploy.dockerfile)";

pub fn dockerfile(project: &Project) -> Outcome {
    match service_dockerfile(project) {
        Some(path) => Outcome::pass(
            format!("{path} is tracked"),
            vec![Evidence::at(path, 1, "Dockerfile")],
        ),
        None => {
            let side = project.first_named(is_dockerfile);
            Outcome::fail(
                match side {
                    Some(p) => format!(
                        "no Dockerfile builds the service ({p} is for development, a front end or tests)"
                    ),
                    None => "no Dockerfile or Containerfile is tracked".to_string(),
                },
                vec![Evidence::note(
                    "looked for Dockerfile, Containerfile, *.Dockerfile and Dockerfile.*, outside .devcontainer/ and front-end folders",
                )],
            )
        }
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
            if let Some((compose, line)) = compose_healthcheck(project, path) {
                return Outcome::pass(
                    format!("{compose} declares a health check for the service"),
                    vec![Evidence::at(compose, line, "healthcheck:")],
                );
            }
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

/// A compose `healthcheck:` of the service that builds `dockerfile` (or, when no service names
/// its build, of any service that builds one).
fn compose_healthcheck<'p>(project: &'p Project, dockerfile: &str) -> Option<(&'p str, u32)> {
    for compose in project.named(is_compose) {
        let dir = compose.rsplit_once('/').map_or("", |(d, _)| d);
        for service in compose::services(&project.read(compose).unwrap_or_default()) {
            let (Some(file), Some(line)) = (&service.dockerfile, service.healthcheck) else {
                continue;
            };
            let path = if dir.is_empty() {
                file.clone()
            } else {
                format!("{dir}/{file}")
            };
            if path == dockerfile {
                return Some((compose, line));
            }
        }
    }
    None
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
