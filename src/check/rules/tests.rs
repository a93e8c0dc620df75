//! Test rules: test files where each language's runner looks for them, and a declared runner.

use crate::check::lang::Language;
use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::HitKind;

/// Whether `path` is a test file by the conventions of `lang`'s usual runners.
fn is_test_file(lang: Language, path: &str) -> bool {
    let name = file_name(path);
    match lang {
        // Django's own runner finds `tests.py` (its default) and `tests/` packages too.
        Language::Python => {
            name.ends_with(".py")
                && (name.starts_with("test_")
                    || name.ends_with("_test.py")
                    || name == "tests.py"
                    || (path.split('/').rev().skip(1).any(|d| d == "tests")
                        && name.starts_with("test")))
        }
        Language::TypeScript => {
            let stem_ok = [".test.", ".spec."].iter().any(|m| name.contains(m))
                || path.split('/').any(|c| c == "__tests__")
                || path.starts_with("test/")
                || path.contains("/test/");
            stem_ok && lang.is_source(name) && !name.ends_with(".d.ts")
        }
        Language::Go => name.ends_with("_test.go"),
        Language::Java => path.contains("src/test/") && lang.is_source(name),
        Language::Rust => {
            name.ends_with(".rs") && (path.starts_with("tests/") || path.contains("/tests/"))
        }
    }
}

pub fn present(project: &Project) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    let mut evidence = Vec::new();
    let mut counts = Vec::new();
    for lang in project.languages.judged() {
        let files: Vec<&str> = project
            .paths()
            .filter(|p| !p.split('/').any(|c| c == "node_modules"))
            .filter(|p| is_test_file(lang, p))
            .collect();
        let mut count = files.len();
        if let Some(first) = files.first() {
            evidence.push(Evidence::file(*first, format!("{} test file", lang.name())));
        } else if lang == Language::Rust {
            let unit: Vec<_> = project.scan.of(HitKind::RustTest).collect();
            count = unit.len();
            if let Some(hit) = unit.first() {
                evidence.push(Evidence::at(&hit.path, hit.line, hit.note.clone()));
            }
        }
        counts.push((lang, count));
    }
    let missing: Vec<&str> = counts
        .iter()
        .filter(|(_, n)| *n == 0)
        .map(|(l, _)| l.name())
        .collect();
    if missing.is_empty() {
        let summary: Vec<String> = counts
            .iter()
            .map(|(l, n)| {
                format!(
                    "{n} {} test file{}",
                    l.name(),
                    if *n == 1 { "" } else { "s" }
                )
            })
            .collect();
        Outcome::pass(summary.join(", "), evidence)
    } else {
        Outcome::fail(
            format!("no {} tests found", missing.join(" or ")),
            project
                .languages
                .manifests
                .iter()
                .filter(|(l, _)| missing.contains(&l.name()))
                .filter_map(|(_, m)| m.first())
                .map(|m| Evidence::file(m.clone(), "the project has no test files"))
                .collect(),
        )
    }
}

pub fn runner(project: &Project) -> Outcome {
    if let Some(skip) = super::unjudged(project) {
        return skip;
    }
    let langs = &project.languages;
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for lang in langs.judged() {
        let found = match lang {
            Language::Python => langs
                .dependency(
                    lang,
                    &["pytest", "nose2", "tox", "nox", "hypothesis", "ward"],
                )
                .map(|d| Evidence::at(&d.file, d.line, format!("declares {}", d.name)))
                .or_else(|| python_test_config(project))
                .or_else(|| {
                    // Django and Flask ship a test command (`manage.py test`, `flask test`
                    // with unittest); the standard library's unittest needs no declaration.
                    langs
                        .dependency(lang, &["django", "flask"])
                        .filter(|d| {
                            d.name.eq_ignore_ascii_case("django")
                                || project.read("manage.py").is_some()
                                || uses_unittest(project)
                        })
                        .map(|d| {
                            Evidence::at(
                                &d.file,
                                d.line,
                                format!("{}'s test runner is built in", d.name),
                            )
                        })
                })
                .or_else(|| {
                    uses_unittest(project)
                        .then(|| Evidence::note("the standard library's unittest runs the tests"))
                }),
            Language::TypeScript => npm_test_script(project).or_else(|| {
                langs
                    .dependency(
                        lang,
                        &[
                            "vitest",
                            "jest",
                            "mocha",
                            "ava",
                            "tap",
                            "@playwright/test",
                            "uvu",
                        ],
                    )
                    .map(|d| Evidence::at(&d.file, d.line, format!("declares {}", d.name)))
            }),
            Language::Go | Language::Rust => {
                langs.manifests.get(&lang).and_then(|m| m.first()).map(|m| {
                    Evidence::file(
                        m.clone(),
                        if lang == Language::Go {
                            "`go test` is built in"
                        } else {
                            "`cargo test` is built in"
                        },
                    )
                })
            }
            Language::Java => langs
                .dependency(
                    lang,
                    &[
                        "junit-jupiter",
                        "junit-jupiter-api",
                        "junit",
                        "spring-boot-starter-test",
                        // Spring Boot 4 splits test support by technology.
                        "spring-boot-starter-webmvc-test",
                        "spring-boot-starter-webflux-test",
                        "testng",
                        "kotest-runner-junit5",
                        "assertj-core",
                    ],
                )
                .or_else(|| {
                    // Spring Boot 4 splits the test starter per module
                    // (spring-boot-starter-webmvc-test, ...-data-jpa-test).
                    langs.dependency_where(lang, |n| {
                        (n.starts_with("spring-boot-starter-") && n.ends_with("-test"))
                            || n == "spring-boot-test"
                            || n.starts_with("junit-jupiter")
                            || n.starts_with("mockito")
                            || n == "spock-core"
                            || n == "kotlin-test"
                    })
                })
                .map(|d| Evidence::at(&d.file, d.line, format!("declares {}", d.name))),
        };
        match found {
            Some(e) => evidence.push(e),
            None => missing.push(lang),
        }
    }
    if missing.is_empty() {
        Outcome::pass("a test runner is declared", evidence)
    } else {
        let names: Vec<&str> = missing.iter().map(|l| l.name()).collect();
        Outcome::fail(
            format!("no test runner declared for {}", names.join(", ")),
            missing
                .iter()
                .filter_map(|l| langs.manifests.get(l).and_then(|m| m.first()))
                .map(|m| Evidence::file(m.clone(), "no test runner among the dependencies"))
                .collect(),
        )
    }
}

/// Python test files written for the standard library's unittest.
fn uses_unittest(project: &Project) -> bool {
    project
        .paths()
        .filter(|p| is_test_file(Language::Python, p))
        .take(20)
        .any(|p| {
            project
                .read(p)
                .is_some_and(|t| t.contains("import unittest") || t.contains("from unittest"))
        })
}

/// pytest configured in pyproject.toml, pytest.ini, tox.ini or setup.cfg counts as declared.
fn python_test_config(project: &Project) -> Option<Evidence> {
    for path in ["pytest.ini", "tox.ini", "noxfile.py"] {
        if project.has(path) {
            return Some(Evidence::file(path, "test runner configuration"));
        }
    }
    for path in ["pyproject.toml", "setup.cfg"] {
        let text = project.read(path)?;
        if let Some(i) = text
            .lines()
            .position(|l| l.contains("[tool.pytest") || l.contains("[tool:pytest]"))
        {
            return Some(Evidence::at(path, i as u32 + 1, "pytest configuration"));
        }
    }
    None
}

/// A `test` script in package.json other than npm's placeholder that always fails.
fn npm_test_script(project: &Project) -> Option<Evidence> {
    let path = project
        .languages
        .manifests_named(Language::TypeScript, "package.json")
        .next()?;
    let text = project.read(path)?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let script = json.get("scripts")?.get("test")?.as_str()?;
    if script.contains("no test specified") {
        return None;
    }
    let line = text
        .lines()
        .position(|l| l.contains("\"test\""))
        .map(|i| i as u32 + 1)
        .unwrap_or(1);
    Some(Evidence::at(path, line, format!("test script: {script}")))
}
