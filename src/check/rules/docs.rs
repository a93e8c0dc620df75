//! Documentation rules: a README that tells a reviewer how to run and test the project, a LICENSE.

use std::sync::OnceLock;

use regex::Regex;

use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

fn is_readme(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "readme" || lower.starts_with("readme.")
}

struct Instructions {
    run_heading: Regex,
    test_heading: Regex,
    run_command: Regex,
    test_command: Regex,
    link: Regex,
}

fn instructions() -> &'static Instructions {
    static RE: OnceLock<Instructions> = OnceLock::new();
    RE.get_or_init(|| Instructions {
        run_heading: Regex::new(
            r"(?i)\b(?:run|running|usage|how to use|getting started|get started|quick ?start|start(?:ing)?|installation|install|setup|set up|development|develop|local(?:ly)?|deploy(?:ment)?|build(?:ing)?)\b",
        )
        .expect("valid regex"),
        test_heading: Regex::new(r"(?i)\btest(?:s|ing)?\b").expect("valid regex"),
        run_command: Regex::new(
            r"(?i)\b(?:make (?:run|dev|start|up|serve)|docker[ -]compose (?:up|run)|docker run|(?:npm|pnpm|bun) (?:run )?(?:start|dev|serve)|yarn (?:start|dev|serve)|go run|cargo run|uvicorn|gunicorn|fastapi (?:dev|run)|flask run|manage\.py runserver|python3? -m \w|python3? \S+\.py|spring-boot:run|gradlew bootrun|mvnw? \S*(?:spring-boot:run|exec:java)|java -jar|node \S+\.js|nest start|deno run|just (?:run|dev)|air\b)",
        )
        .expect("valid regex"),
        test_command: Regex::new(
            r"(?i)\b(?:make (?:test|check)|pytest|tox|nox|python3? -m (?:pytest|unittest)|manage\.py test|flask test|(?:npm|pnpm|bun) (?:run )?test|yarn test|npx (?:vitest|jest|playwright test)|vitest|jest|go test|gotestsum|cargo (?:test|nextest)|mvnw? (?:\S+ )*(?:test|verify)|gradlew (?:\S+ )*(?:test|check)|just test|hatch test|deno test|bun test)\b",
        )
        .expect("valid regex"),
        link: Regex::new(r"\]\((?:https://github\.com/[^/)]+/[^/)]+/blob/[^/)]+/)?([^)\s#]+\.(?:md|rst|adoc|txt))(?:#[^)]*)?\)|<<([^>,]+\.adoc)|`([^`<>]+\.rst)`")
            .expect("valid regex"),
    })
}

/// Headings of a Markdown, reStructuredText or AsciiDoc text: (line, heading text).
fn headings(text: &str) -> Vec<(u32, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        let md = t.trim_start_matches('#');
        if t.starts_with('#') && md.starts_with(' ') && t.len() - md.len() <= 6 {
            out.push((i as u32 + 1, md.trim()));
            continue;
        }
        // AsciiDoc `== Section`.
        let adoc = t.trim_start_matches('=');
        if t.starts_with("==") && adoc.starts_with(' ') {
            out.push((i as u32 + 1, adoc.trim()));
            continue;
        }
        // Setext (Markdown) and reStructuredText: a line underlined with one repeated mark.
        if let Some(next) = lines.get(i + 1) {
            let n = next.trim();
            let mark = n.chars().next();
            if !t.is_empty()
                && n.len() >= 3
                && n.len() + 1 >= t.chars().count().min(n.len() + 1)
                && mark.is_some_and(|m| "=-~^*+#`'\".:_".contains(m) && n.chars().all(|c| c == m))
            {
                out.push((i as u32 + 1, t));
                continue;
            }
        }
        // A bold line standing for a heading, as many READMEs write one.
        if t.starts_with("**") && t.ends_with("**") && t.len() > 4 {
            out.push((i as u32 + 1, t.trim_matches('*')));
        }
    }
    out
}

/// Lines that are code: fenced or indented blocks, inline code spans, `$ ` prompts, and the
/// body of a reStructuredText `::` block. A test runner named in prose ("Built with Jest") is
/// not an instruction.
fn code_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut rst_block = false;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with("```") || t.starts_with("~~~") || t == "----" {
            fenced = !fenced;
            continue;
        }
        let indented = l.starts_with("    ") || l.starts_with('\t');
        if rst_block && !t.is_empty() && !indented {
            rst_block = false;
        }
        if fenced
            || (indented && !t.starts_with(['-', '*']))
            || rst_block
            || t.starts_with("$ ")
            || t.starts_with("> $")
        {
            out.push((i as u32 + 1, t.to_string()));
        } else {
            for (k, span) in t.split('`').enumerate() {
                if k % 2 == 1 {
                    out.push((i as u32 + 1, span.to_string()));
                }
            }
        }
        if t.ends_with("::") || t.starts_with(".. code") {
            rst_block = true;
        }
    }
    out
}

/// Where the README says how to run (`run`) or test: a heading or a command in code.
fn find(text: &str, heading: &Regex, command: &Regex) -> Option<(u32, String)> {
    headings(text)
        .into_iter()
        .find(|(_, h)| heading.is_match(h))
        .map(|(l, h)| (l, h.to_string()))
        .or_else(|| {
            code_lines(text)
                .into_iter()
                .find(|(_, c)| command.is_match(c))
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
                "looked for README, README.md, README.rst, README.adoc, ... at the top",
            )],
        );
    };
    let text = project.read(path).unwrap_or_default();
    let re = instructions();
    let mut run =
        find(&text, &re.run_heading, &re.run_command).map(|(l, t)| (path.to_string(), l, t));
    let mut test =
        find(&text, &re.test_heading, &re.test_command).map(|(l, t)| (path.to_string(), l, t));
    // A README that sends the reader to a page in the repository (docs/development.md) counts
    // with that page's instructions.
    if run.is_none() || test.is_none() {
        for c in re.link.captures_iter(&text).take(20) {
            let target = c
                .get(1)
                .or(c.get(2))
                .or(c.get(3))
                .expect("a group")
                .as_str();
            let target = target.trim_start_matches("./");
            if target.starts_with("http") || !project.has(target) {
                continue;
            }
            let page = project.read(target).unwrap_or_default();
            if run.is_none() {
                run = find(&page, &re.run_heading, &re.run_command)
                    .map(|(l, t)| (target.to_string(), l, t));
            }
            if test.is_none() {
                test = find(&page, &re.test_heading, &re.test_command)
                    .map(|(l, t)| (target.to_string(), l, t));
            }
        }
    }
    match (run, test) {
        (Some((run_file, run_line, run_text)), Some((test_file, test_line, test_text))) => {
            Outcome::pass(
                format!("{path} explains how to run and test the project"),
                vec![
                    Evidence::at(run_file, run_line, format!("run: {run_text}")),
                    Evidence::at(test_file, test_line, format!("test: {test_text}")),
                ],
            )
        }
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
                    format!(
                        "no heading or command (in code) about how to {missing} it, here or in a page it links to"
                    ),
                )],
            )
        }
    }
}

pub fn license(project: &Project) -> Outcome {
    let is_license = |p: &&str| {
        let upper = p.to_ascii_uppercase();
        upper.starts_with("LICENSE") || upper.starts_with("LICENCE") || upper.starts_with("COPYING")
    };
    // A service folder of a monorepo is covered by the repository's LICENSE.
    let found = project
        .paths()
        .filter(|p| !p.contains('/'))
        .find(is_license)
        .map(str::to_string)
        .or_else(|| {
            project
                .outside_paths()
                .filter(|p| !p.contains('/'))
                .find(is_license)
                .map(|p| project.from_outside(p))
        });
    let found = found.as_deref();
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
