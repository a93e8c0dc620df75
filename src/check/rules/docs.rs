//! Documentation rules: a README that tells a reviewer how to run and test the project, a LICENSE.

use std::sync::OnceLock;

use regex::Regex;

use crate::check::project::{Project, find_line};
use crate::check::rule::{Evidence, Outcome};

fn is_readme(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "readme" || lower.starts_with("readme.")
}

struct Instructions {
    run: Regex,
    test: Regex,
}

fn instructions() -> &'static Instructions {
    static RE: OnceLock<Instructions> = OnceLock::new();
    RE.get_or_init(|| Instructions {
        // A heading about running, or a command that starts a service.
        run: Regex::new(
            r"(?i)^\s*(?:#{1,6}|=+|\*\*).*\b(?:run|running|usage|getting started|quick ?start|start)\b|\b(?:make (?:run|dev|start|up)|docker[ -]compose up|npm (?:run )?(?:start|dev)|pnpm (?:run )?(?:start|dev)|yarn (?:start|dev)|go run|cargo run|uvicorn|flask run|python3? -m \w|spring-boot:run|gradlew bootrun)\b",
        )
        .expect("valid regex"),
        test: Regex::new(
            r"(?i)^\s*(?:#{1,6}|=+|\*\*).*\btest|\b(?:make test|pytest|tox|npm (?:run )?test|pnpm (?:run )?test|yarn test|vitest|jest|go test|cargo (?:test|nextest)|mvnw? (?:\S+ )*(?:test|verify)|gradlew (?:\S+ )*test)\b",
        )
        .expect("valid regex"),
    })
}

pub fn readme(project: &Project) -> Outcome {
    let Some(path) = project
        .named(is_readme)
        .into_iter()
        .find(|p| !p.contains('/'))
    else {
        return Outcome::fail(
            "no README at the top of the repository",
            vec![Evidence::note(
                "looked for README, README.md, README.rst, ... at the top",
            )],
        );
    };
    let text = project.read(path).unwrap_or_default();
    let re = instructions();
    let run = find_line(&text, &re.run);
    let test = find_line(&text, &re.test);
    match (run, test) {
        (Some((run_line, run_text)), Some((test_line, test_text))) => Outcome::pass(
            format!("{path} explains how to run and test the project"),
            vec![
                Evidence::at(path, run_line, format!("run: {run_text}")),
                Evidence::at(path, test_line, format!("test: {test_text}")),
            ],
        ),
        (run, test) => {
            let missing = match (run.is_some(), test.is_some()) {
                (false, false) => "run or test",
                (false, true) => "run",
                _ => "test",
            };
            Outcome::fail(
                format!("{path} does not say how to {missing} the project"),
                vec![Evidence::at(
                    path,
                    1,
                    format!("no heading or command about how to {missing} it"),
                )],
            )
        }
    }
}

pub fn license(project: &Project) -> Outcome {
    let found = project.paths().filter(|p| !p.contains('/')).find(|p| {
        let upper = p.to_ascii_uppercase();
        upper.starts_with("LICENSE") || upper.starts_with("LICENCE") || upper.starts_with("COPYING")
    });
    match found {
        Some(path) => Outcome::pass(
            format!("{path} is tracked"),
            vec![Evidence::at(path, 1, "license text")],
        ),
        None => Outcome::fail(
            "no LICENSE, LICENCE or COPYING file at the top of the repository",
            vec![Evidence::note(
                "looked for LICENSE*, LICENCE* and COPYING* at the top",
            )],
        ),
    }
}
