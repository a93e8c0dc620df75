//! CI rules: a pipeline configuration is tracked, and one of its steps runs the tests.

use std::sync::OnceLock;

use regex::Regex;

use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

/// The CI configuration files folio recognises, shallowest first.
fn ci_files(project: &Project) -> Vec<&str> {
    project
        .paths()
        .filter(|p| {
            let in_dir = |dir: &str| {
                p.strip_prefix(dir).is_some_and(|rest| {
                    !rest.contains('/') && (rest.ends_with(".yml") || rest.ends_with(".yaml"))
                })
            };
            in_dir(".github/workflows/")
                || in_dir(".woodpecker/")
                || matches!(
                    *p,
                    ".gitlab-ci.yml"
                        | ".circleci/config.yml"
                        | "azure-pipelines.yml"
                        | "Jenkinsfile"
                        | ".travis.yml"
                        | "bitbucket-pipelines.yml"
                        | ".woodpecker.yml"
                        | ".drone.yml"
                        | ".buildkite/pipeline.yml"
                )
        })
        .collect()
}

pub fn present(project: &Project) -> Outcome {
    let files = ci_files(project);
    if files.is_empty() {
        return Outcome::fail(
            "no CI configuration is tracked",
            vec![Evidence::note(
                "looked for .github/workflows/*.yml, .gitlab-ci.yml, .circleci/config.yml, Jenkinsfile, azure-pipelines.yml, ...",
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
            .map(|f| Evidence::file(*f, "CI configuration"))
            .collect(),
    )
}

fn test_command() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:^|[\s/:;&|'`(\x22-])(?:make(?: -\S+)* test\b|pytest\b|tox\b|nox\b|python3? -m (?:pytest|unittest)\b|(?:npm|pnpm|yarn|bun)(?: run)? test\b|npx (?:vitest|jest|mocha)\b|vitest\b|jest\b|node --test\b|deno test\b|go test\b|gotestsum\b|(?:\./)?mvnw?\b.*\b(?:test|verify|install|package)\b|(?:\./)?gradlew?\b.*\b(?:test|check|build)\b|cargo (?:test|nextest)\b)",
        )
        .expect("valid regex")
    })
}

pub fn runs_tests(project: &Project) -> Outcome {
    let files = ci_files(project);
    if files.is_empty() {
        return Outcome::skip("no CI configuration to look in (see ci.present)");
    }
    let re = test_command();
    for file in &files {
        let Some(text) = project.read(file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let code = line.split(" #").next().unwrap_or(line);
            if code.trim_start().starts_with('#') {
                continue;
            }
            if re.is_match(code) {
                return Outcome::pass(
                    format!("{file} runs the tests"),
                    vec![Evidence::at(*file, i as u32 + 1, line.trim())],
                );
            }
        }
    }
    Outcome::fail(
        "no CI step runs the tests",
        files
            .iter()
            .map(|f| Evidence::file(*f, "no test command (make test, pytest, npm test, go test, mvn verify, cargo test, ...)"))
            .collect(),
    )
}
