//! The end-to-end test rule: an entry point that runs the tests against the real, running
//! service (a `make e2e`-style target, a package.json `e2e` script) and a CI step that runs it.
//! A browser suite run straight from CI (`playwright test`, `cypress run`) counts too.
//!
//! Unit and integration tests are `tests.present`'s; this rule is about the third level, which
//! only exists for something that runs: a repository that is not a service is not judged.

use std::sync::OnceLock;

use regex::Regex;

use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

/// Names an end-to-end entry point goes by.
fn entry_name() -> &'static str {
    r"(?:e2e|test[-_:]e2e|e2e[-_:]tests?|end-to-end|test[-_:]end-to-end)"
}

/// A Makefile or justfile target line declaring one (`e2e:`, `test-e2e: build`).
fn target_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"^{}\s*:([^=]|$)", entry_name())).expect("valid regex"))
}

/// A command that runs one (`make e2e`, `just e2e`, `npm run test:e2e`, `pnpm e2e`).
fn runs_entry() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(
            r"(?:^|[\s;&|(]|run:\s*)(?:make|just|task|npm\s+run|pnpm(?:\s+run)?|yarn(?:\s+run)?|bun\s+run)(?:\s+-\S+(?:\s+[^\s-]\S*)?)*\s+{}(?:\s|$|;|&|\))",
            entry_name()
        ))
        .expect("valid regex")
    })
}

/// A browser or API end-to-end runner invoked directly: Playwright or Cypress, or a language's
/// test runner pointed at an end-to-end suite (`go test -tags e2e ./e2e/...`, `pytest e2e`,
/// `./mvnw -Dgroups=e2e test`, `cargo test --test e2e`, `npx vitest run test/e2e`), which is how
/// many real repositories run theirs without a make target.
fn direct_runner() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:^|[\s;&|])(?:npx\s+)?(?:playwright\s+test|cypress\s+run)\b|(?:^|[\s;&|:])(?:\S*/)?(?:go\s+test|pytest|python3?\s+-m\s+pytest|mvnw?|gradlew?|cargo\s+(?:test|nextest\s+run)|jest|vitest(?:\s+run)?|mocha|node\s+--test)\s[^#]*?(?:\be2e\b|\bend[-_]to[-_]end\b)",
        )
        .expect("valid regex")
    })
}

/// The project's end-to-end entry point: the file, line and name.
fn entry_point(project: &Project) -> Option<Evidence> {
    for file in [
        "Makefile",
        "makefile",
        "GNUmakefile",
        "justfile",
        "Justfile",
    ] {
        let Some(text) = project.read(file) else {
            continue;
        };
        if let Some((i, line)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| target_line().is_match(l))
        {
            let name = line.split(':').next().unwrap_or("").trim();
            return Some(Evidence::at(file, i as u32 + 1, format!("target `{name}`")));
        }
    }
    let text = project.read("package.json")?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let scripts = json.get("scripts")?.as_object()?;
    let whole = Regex::new(&format!("^{}$", entry_name())).expect("valid regex");
    let name = scripts.keys().find(|k| whole.is_match(k))?;
    let line = text
        .lines()
        .position(|l| l.contains(&format!("\"{name}\"")))
        .map_or(1, |i| i as u32 + 1);
    Some(Evidence::at(
        "package.json",
        line,
        format!("script `{name}`"),
    ))
}

/// The first CI line that runs an end-to-end suite.
fn ci_step(project: &Project) -> Option<Evidence> {
    for file in super::ci::ci_files(project) {
        let Some(text) = project.read_any(&file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let code = line.split(" #").next().unwrap_or("");
            if code.trim_start().starts_with('#') {
                continue;
            }
            if runs_entry().is_match(code) || direct_runner().is_match(code) {
                return Some(Evidence::at(&file, i as u32 + 1, code.trim().to_string()));
            }
        }
    }
    None
}

pub fn e2e(project: &Project) -> Outcome {
    let entry = entry_point(project);
    let step = ci_step(project);
    match (entry, step) {
        (entry, Some(step)) => {
            let mut evidence: Vec<Evidence> = entry.into_iter().collect();
            evidence.push(step);
            Outcome::pass("CI runs the end-to-end tests", evidence)
        }
        (Some(entry), None) => Outcome::fail(
            format!(
                "the end-to-end tests ({}) exist, but no CI step runs them",
                entry.note
            ),
            vec![entry],
        ),
        (None, None) => match super::kubernetes::service_evidence(project) {
            Some(why) => Outcome::fail(
                "no end-to-end tests: nothing starts the service and drives it over HTTP",
                vec![
                    why,
                    Evidence::note(
                        "looked for an e2e target in the Makefile or justfile, an e2e script in package.json, and CI steps running one",
                    ),
                ],
            ),
            None => Outcome::not_applicable(
                "not a service: there is no running server to test end to end",
                vec![Evidence::note(
                    "looked for a Dockerfile and for /healthz or /metrics routes",
                )],
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_recognised() {
        for line in [
            "e2e:",
            "e2e: build",
            "test-e2e:",
            "e2e-tests: setup",
            "end-to-end:",
        ] {
            assert!(target_line().is_match(line), "{line}");
        }
        for line in ["e2e := value", "\te2e:", "# e2e:", "unit:", "e2etest:"] {
            assert!(!target_line().is_match(line), "{line}");
        }
    }

    #[test]
    fn ci_commands_are_recognised() {
        for line in [
            "        run: make e2e",
            "    - make e2e",
            "make -C api test-e2e",
            "npm run test:e2e",
            "pnpm e2e",
            "just e2e",
            "      - run: npx playwright test",
            "cypress run --browser chrome",
            "        run: go test -tags e2e -count=1 -v ./e2e/...",
            "    - .venv/bin/pytest e2e",
            "    - ./mvnw -q -Dgroups=e2e test",
            "cargo test --locked --test e2e",
            "      run: npx vitest run test/e2e",
            "python -m pytest tests/end_to_end -q",
        ] {
            assert!(
                runs_entry().is_match(line) || direct_runner().is_match(line),
                "{line}"
            );
        }
        for line in [
            "make test",
            "run: make e2e-report-upload",
            "echo e2e",
            "npm run lint",
            "go test ./...",
            "pytest tests",
            "./mvnw verify",
            "cargo test --locked",
            "go test ./e2etools",
        ] {
            assert!(
                !runs_entry().is_match(line) && !direct_runner().is_match(line),
                "{line}"
            );
        }
    }
}
