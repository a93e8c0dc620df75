//! CI rules: a pipeline configuration is tracked, and one of its steps runs the tests.
//!
//! Every common CI system's files count (GitHub Actions, GitLab, CircleCI, Travis, Azure
//! Pipelines, Jenkins, Bitbucket, Drone, Woodpecker, Buildkite, AppVeyor, Cloud Build). When a
//! sub-folder of a monorepo is checked, the repository's own CI files count too. Whether a step
//! runs the tests is [`crate::check::commands`]'s call.

use crate::check::commands;
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

/// Whether `p` (relative to the top of a repository) is a CI configuration file.
fn is_ci_file(p: &str) -> bool {
    let in_dir = |dir: &str| {
        p.strip_prefix(dir).is_some_and(|rest| {
            !rest.contains('/') && (rest.ends_with(".yml") || rest.ends_with(".yaml"))
        })
    };
    in_dir(".github/workflows/")
        || in_dir(".woodpecker/")
        || in_dir(".gitlab/ci/")
        || in_dir(".azure-pipelines/")
        || in_dir(".circleci/")
        || matches!(
            p,
            ".gitlab-ci.yml"
                | ".gitlab-ci.yaml"
                | "azure-pipelines.yml"
                | "azure-pipelines.yaml"
                | "Jenkinsfile"
                | ".travis.yml"
                | "bitbucket-pipelines.yml"
                | ".woodpecker.yml"
                | ".drone.yml"
                | ".buildkite/pipeline.yml"
                | "appveyor.yml"
                | ".appveyor.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | "buildspec.yml"
        )
}

/// The CI files of the checked folder, then (for a sub-folder) those of the repository, as
/// paths relative to the checked folder (`../../.github/workflows/ci.yml`).
pub(super) fn ci_files(project: &Project) -> Vec<String> {
    let mut files: Vec<String> = project
        .paths()
        .filter(|p| is_ci_file(p))
        .map(str::to_string)
        .collect();
    files.extend(
        project
            .outside_paths()
            .filter(|p| is_ci_file(p))
            .map(|p| project.from_outside(p)),
    );
    files
}

pub fn present(project: &Project) -> Outcome {
    let files = ci_files(project);
    if files.is_empty() {
        return Outcome::fail(
            "no CI configuration is tracked",
            vec![Evidence::note(
                "looked for .github/workflows/*.yml, .gitlab-ci.yml, .circleci/config.yml, Jenkinsfile, azure-pipelines.yml, .travis.yml, ...",
            )],
        );
    }
    Outcome::pass(
        format!(
            "{} CI configuration file{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ),
        files
            .iter()
            .map(|f| Evidence::file(f.clone(), "CI configuration"))
            .collect(),
    )
}

pub fn runs_tests(project: &Project) -> Outcome {
    let files = ci_files(project);
    if files.is_empty() {
        return Outcome::skip("no CI configuration to look in (see ci.present)");
    }
    for file in &files {
        let Some(text) = project.read_any(file) else {
            continue;
        };
        // actions-rs/cargo takes the cargo subcommand as an input, not a command line.
        let actions_rs = text.contains("actions-rs/cargo");
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if actions_rs
                && matches!(
                    t,
                    "command: test" | "command: nextest" | "command: tarpaulin"
                )
            {
                return Outcome::pass(
                    format!("{file} runs the tests"),
                    vec![Evidence::at(file.clone(), i as u32 + 1, t)],
                );
            }
            if let Some(run) = commands::runs_tests(project, line) {
                let note = if run.via.is_empty() {
                    t.to_string()
                } else {
                    format!("{t} (runs {})", run.via.join(" -> "))
                };
                return Outcome::pass(
                    format!("{file} runs the tests"),
                    vec![Evidence::at(file.clone(), i as u32 + 1, note)],
                );
            }
        }
    }
    Outcome::fail(
        "no CI step runs the tests",
        files
            .iter()
            .map(|f| {
                Evidence::file(
                    f.clone(),
                    "no test command (make test, pytest, npm test, go test, mvn verify, cargo test, ...), directly or through a script or Makefile target",
                )
            })
            .collect(),
    )
}
