//! `folio check`: every generated stack passes, one-defect fixture repositories fail exactly the
//! expected rule with evidence in every format, the JSON validates against the committed schema,
//! JUnit is well-formed with matching counts, policy and errors behave.
//!
//! Fixtures are built here by mutating a freshly generated repository and committing, so they
//! follow the templates as those change.

use std::path::{Path, PathBuf};
use std::process::Output;

use git2::{IndexAddOption, Repository, Signature};
use serde_json::Value;

use crate::support::{Sandbox, stack_ids, stderr, stdout};

const FORMATS: [&str; 5] = ["text", "json", "junit", "github", "markdown"];

/// `folio new NAME --yes ARGS...` in the sandbox; the repository's path.
fn generate(sandbox: &Sandbox, name: &str, args: &[&str]) -> PathBuf {
    let mut all = vec!["new", name, "--yes"];
    all.extend_from_slice(args);
    let out = sandbox.folio(&all).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    sandbox.work().join(name)
}

/// Stages everything (`git add -A`, plus `force` paths even if ignored) and commits.
fn commit(dir: &Path, message: &str, force: &[&str]) {
    let repo = Repository::open(dir).unwrap();
    let mut index = repo.index().unwrap();
    index.add_all(["."], IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["."], None).unwrap();
    for path in force {
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("Test", "test@example.org").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<_> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap();
}

fn check(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    let dir = dir.to_str().unwrap();
    let mut all = vec!["check", dir];
    all.extend_from_slice(args);
    sandbox.folio(&all).output().unwrap()
}

fn json_report(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> (Output, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = check(sandbox, dir, &all);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    (out, json)
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check-report.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, report: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
}

fn failing(report: &Value) -> Vec<String> {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn rule<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

#[test]
fn every_stack_passes_every_rule_right_after_new() {
    let sandbox = Sandbox::new();
    let validator = schema();
    // Every stack and variant is checked before failing, so a template author sees all gaps.
    let mut gaps = Vec::new();
    for stack in stack_ids() {
        for (i, extra) in [
            &["--db", "sqlite"][..],
            &["--db", "postgres"],
            &["--ci", "gitlab"],
        ]
        .iter()
        .enumerate()
        {
            let mut args = vec!["--stack", stack.as_str()];
            args.extend_from_slice(extra);
            let dir = generate(&sandbox, &format!("{stack}-{i}"), &args);
            let (out, report) = json_report(&sandbox, &dir, &[]);
            assert_valid(&validator, &report);
            let failed: Vec<String> = report["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["status"] == "fail")
                .map(|r| {
                    format!(
                        "{stack} {extra:?}: {} ({}): {}",
                        r["id"], r["message"], r["evidence"]
                    )
                })
                .collect();
            if !failed.is_empty() {
                gaps.extend(failed);
                continue;
            }
            assert_eq!(report["score"], 100, "{stack} {extra:?}");
            assert_eq!(out.status.code(), Some(0), "{stack} {extra:?}");
            assert_eq!(report["generated_by"]["stack"], stack.as_str());
            // Only the history rule may skip (one commit, folio's own), and it says why.
            let skipped: Vec<&str> = report["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["status"] == "skip")
                .map(|r| r["id"].as_str().unwrap())
                .collect();
            assert_eq!(skipped, ["git.history"], "{stack} {extra:?}");
            assert!(
                rule(&report, "git.history")["message"]
                    .as_str()
                    .unwrap()
                    .contains("initial render")
            );
        }
    }
    assert!(
        gaps.is_empty(),
        "generated projects fail rules:\n{}",
        gaps.join("\n")
    );
}

type Mutation = fn(&Path);

fn remove(dir: &Path, rel: &str) {
    let path = dir.join(rel);
    if path.is_dir() {
        std::fs::remove_dir_all(path).unwrap();
    } else {
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// Whatever the python template pins its dependencies with (requirements.lock, requirements-lock.txt).
fn remove_python_lockfiles(dir: &Path) {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("requirements") || name.ends_with(".lock") {
            remove(dir, &name);
            removed += 1;
        }
    }
    assert!(removed > 0, "the python template has no lockfile to remove");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Rewrites a file, asserting the edit changed something.
fn edit(dir: &Path, rel: &str, f: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(dir.join(rel)).unwrap();
    let new = f(&text);
    assert_ne!(text, new, "the edit of {rel} changed nothing");
    std::fs::write(dir.join(rel), new).unwrap();
}

fn drop_lines(text: &str, pred: impl Fn(&str) -> bool) -> String {
    text.lines()
        .filter(|l| !pred(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The python package folder of a generated `demo` (src/demo).
const PKG: &str = "src/demo";

/// (name, mutation, force-added paths, the one rule that must fail, its evidence file and line)
#[allow(clippy::type_complexity)]
fn defects() -> Vec<(
    &'static str,
    Mutation,
    &'static [&'static str],
    &'static str,
    Option<&'static str>,
    Option<u32>,
)> {
    vec![
        (
            "no-license",
            |d| remove(d, "LICENSE"),
            &[],
            "docs.license",
            None,
            None,
        ),
        (
            "readme-without-instructions",
            |d| write(d, "README.md", "# demo\n\nA service.\n"),
            &[],
            "docs.readme",
            Some("README.md"),
            Some(1),
        ),
        (
            "no-tests",
            // Every level of tests: the unit/integration suite and the end-to-end one.
            |d| {
                remove(d, "tests");
                remove(d, "e2e");
            },
            &[],
            "tests.present",
            Some("pyproject.toml"),
            None,
        ),
        (
            "ci-without-tests",
            |d| {
                edit(d, ".github/workflows/ci.yml", |t| {
                    drop_lines(t, |l| l.contains("make test") || l.contains("make e2e"))
                })
            },
            &[],
            "ci.runs-tests",
            Some(".github/workflows/ci.yml"),
            None,
        ),
        (
            "no-lockfile",
            remove_python_lockfiles,
            &[],
            "deps.lockfile",
            Some("pyproject.toml"),
            None,
        ),
        (
            "committed-env",
            |d| write(d, ".env", "APP_ENV=development\n"),
            &[".env"],
            "security.no-committed-env",
            Some(".env"),
            None,
        ),
        (
            "private-key",
            |d| {
                write(
                    d,
                    "deploy/server.pem",
                    &format!(
                        "-----BEGIN {}PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
                        "RSA "
                    ),
                )
            },
            &[],
            "security.no-private-keys",
            Some("deploy/server.pem"),
            Some(1),
        ),
        (
            "cloud-key",
            |d| {
                write(
                    d,
                    "config/aws.yaml",
                    &format!(
                        "region: eu-west-1\naws_access_key_id: {}{}\n",
                        "AKIA", "Q3EGRY5NL7ZXW2PT"
                    ),
                )
            },
            &[],
            "security.no-cloud-keys",
            Some("config/aws.yaml"),
            Some(2),
        ),
        (
            "high-entropy-secret",
            |d| {
                write(
                    d,
                    &format!("{PKG}/local_settings.py"),
                    "# local overrides\n\nAPI_KEY = \"Zm9vYmFyMTIzNDU2Nzg5MHF3ZXJ0eXVpb3A\"\n",
                )
            },
            &[],
            "security.no-high-entropy-secrets",
            Some("src/demo/local_settings.py"),
            Some(3),
        ),
        (
            "bytecode",
            |d| write(d, "__pycache__/app.cpython-311.pyc", "bytecode"),
            &["__pycache__/app.cpython-311.pyc"],
            "git.no-build-artifacts",
            Some("__pycache__/app.cpython-311.pyc"),
            None,
        ),
        (
            "gitignore-gap",
            |d| {
                edit(d, ".gitignore", |t| {
                    drop_lines(t, |l| l.contains("__pycache__") || l.contains(".py"))
                })
            },
            &[],
            "git.gitignore",
            Some(".gitignore"),
            Some(1),
        ),
        (
            "no-migrations",
            |d| remove(d, &format!("{PKG}/migrations")),
            &[],
            "database.migrations",
            None,
            None,
        ),
        (
            "no-password-hashing",
            |d| {
                edit(d, "pyproject.toml", |t| {
                    drop_lines(t, |l| l.contains("argon2-cffi"))
                });
                // The pinned lock lists it too (a requirements file is a manifest).
                for entry in std::fs::read_dir(d).unwrap() {
                    let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                    if name.starts_with("requirements") {
                        edit(d, &name, |t| {
                            drop_lines(t, |l| l.starts_with("argon2-cffi=="))
                        });
                    }
                }
            },
            &[],
            "auth.password-hashing",
            Some("pyproject.toml"),
            None,
        ),
        (
            "no-compose",
            |d| remove(d, "docker-compose.yml"),
            &[],
            "deploy.compose",
            None,
            None,
        ),
        (
            "no-prometheus-config",
            |d| remove(d, "monitoring/prometheus/prometheus.yml"),
            &[],
            "monitoring.prometheus-config",
            None,
            None,
        ),
        (
            "root-container",
            |d| {
                edit(d, "Dockerfile", |t| {
                    drop_lines(t, |l| l.starts_with("USER "))
                })
            },
            &[],
            "deploy.non-root",
            Some("Dockerfile"),
            None,
        ),
        (
            "no-healthcheck",
            |d| {
                edit(d, "Dockerfile", |t| {
                    let start = t.find("HEALTHCHECK").unwrap();
                    let mut end = start;
                    // The instruction and its continuation lines.
                    loop {
                        let line_end = t[end..].find('\n').map(|i| end + i + 1).unwrap_or(t.len());
                        let continued = t[end..line_end].trim_end().ends_with('\\');
                        end = line_end;
                        if !continued {
                            break;
                        }
                    }
                    format!("{}{}", &t[..start], &t[end..])
                })
            },
            &[],
            "deploy.healthcheck",
            Some("Dockerfile"),
            None,
        ),
        (
            "writable-root-filesystem",
            |d| {
                edit(d, "deploy/k8s/base/deployment.yaml", |t| {
                    t.replace(
                        "readOnlyRootFilesystem: true",
                        "readOnlyRootFilesystem: false",
                    )
                })
            },
            &[],
            "deploy.kubernetes-security-context",
            Some("deploy/k8s/base/deployment.yaml"),
            Some(5),
        ),
        (
            "no-kubernetes",
            |d| remove(d, "deploy"),
            &[],
            "deploy.kubernetes",
            Some("Dockerfile"),
            None,
        ),
        (
            "single-stage-image",
            |d| {
                write(
                    d,
                    "Dockerfile",
                    "FROM python:3.11-slim\nCOPY . /app\nRUN pip install /app\nUSER nobody\nHEALTHCHECK CMD python -m demo.healthcheck\nCMD [\"python\", \"-m\", \"demo\"]\n",
                )
            },
            &[],
            "deploy.multi-stage",
            Some("Dockerfile"),
            Some(1),
        ),
    ]
}

#[test]
fn each_defect_fails_exactly_its_rule_in_every_format() {
    let sandbox = Sandbox::new();
    let validator = schema();
    // The cases are independent repositories: run them side by side.
    std::thread::scope(|scope| {
        for (name, mutate, force, expected, file, line) in defects() {
            let (sandbox, validator) = (&sandbox, &validator);
            scope.spawn(move || {
                generate(sandbox, "demo", &["--output", name]);
                let dir = sandbox.work().join(name).join("demo");
                mutate(&dir);
                // A second commit: the history rule applies and passes, so it cannot hide in a skip.
                commit(
                    &dir,
                    &format!("Introduce the {name} defect for the test"),
                    force,
                );
                let (out, report) = json_report(sandbox, &dir, &[]);
                assert_valid(validator, &report);
                // A CI with no test step at all runs no end-to-end tests either, and the e2e rule
                // says so too: that is the one defect that fails a second rule.
                let also: &[&str] = if name == "ci-without-tests" {
                    &["tests.end-to-end"]
                } else {
                    &[]
                };
                let primary: Vec<String> = failing(&report)
                    .into_iter()
                    .filter(|id| !also.contains(&id.as_str()))
                    .collect();
                assert_eq!(primary, [expected], "{name}: {report:#}");
                let r = rule(&report, expected);
                let required = r["level"] == "required";
                assert_eq!(
                    out.status.code(),
                    Some(if required { 1 } else { 0 }),
                    "{name}"
                );
                assert!(r["fix"].as_str().is_some_and(|f| !f.is_empty()), "{name}");
                let evidence = r["evidence"].as_array().unwrap();
                assert!(!evidence.is_empty(), "{name}: no evidence");
                if let Some(file) = file {
                    let e = evidence
                        .iter()
                        .find(|e| e["file"] == file)
                        .unwrap_or_else(|| panic!("{name}: no evidence in {file}: {r:#}"));
                    if let Some(line) = line {
                        assert_eq!(e["line"], line, "{name}: {r:#}");
                    }
                }
                assert_formats(sandbox, &dir, name, &report, expected, file);
            });
        }
    });
}

/// The text, JUnit, GitHub and Markdown forms of a report with one failing rule agree with its JSON.
/// `s` as the Markdown format escapes repository text.
fn markdown_escaped(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\`*_{}[]<>()#+!|~&$:@=\"".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn assert_formats(
    sandbox: &Sandbox,
    dir: &Path,
    name: &str,
    report: &Value,
    expected: &str,
    file: Option<&str>,
) {
    let r = rule(report, expected);
    let first = &r["evidence"][0];
    let at = match (first["file"].as_str(), first["line"].as_u64()) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        (Some(f), None) => f.to_string(),
        _ => first["note"].as_str().unwrap().to_string(),
    };
    for format in FORMATS {
        let out = check(sandbox, dir, &["--format", format]);
        let text = stdout(&out);
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "{name} {format}: {}",
            stderr(&out)
        );
        match format {
            "text" => {
                let word = if r["level"] == "required" {
                    "FAIL"
                } else {
                    "warn"
                };
                assert!(
                    text.lines()
                        .any(|l| l.trim_start().starts_with(word) && l.contains(expected)),
                    "{name}: {text}"
                );
                assert!(text.contains(&at), "{name}: `{at}` missing from\n{text}");
                assert!(text.contains("fix:"), "{name}");
            }
            "junit" => assert_junit(name, &text, report, expected),
            "github" => {
                let command = if r["level"] == "required" {
                    "::error "
                } else {
                    "::warning "
                };
                let line = text
                    .lines()
                    .find(|l| l.contains(&format!("folio check {expected}")))
                    .unwrap_or_else(|| panic!("{name}: {text}"));
                assert!(line.starts_with(command), "{name}: {line}");
                if let Some(file) = file {
                    assert!(
                        line.contains(&format!("file={file},line=")),
                        "{name}: {line}"
                    );
                }
                assert_eq!(
                    text.lines()
                        .filter(|l| l.starts_with("::")
                            && l.contains(&format!("folio check {expected}")))
                        .count(),
                    r["evidence"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|e| e["file"].as_str())
                        .collect::<std::collections::BTreeSet<_>>()
                        .len()
                        .max(1),
                    "{name}: {text}"
                );
            }
            "markdown" => {
                assert!(
                    text.contains(&format!("**`{expected}`**")),
                    "{name}: {text}"
                );
                let escaped = markdown_escaped(&at);
                assert!(
                    text.contains(&escaped),
                    "{name}: `{escaped}` missing from\n{text}"
                );
            }
            _ => {}
        }
    }
}

fn assert_junit(name: &str, xml: &str, report: &Value, expected: &str) {
    let doc = roxmltree::Document::parse(xml)
        .unwrap_or_else(|e| panic!("{name}: malformed JUnit ({e}):\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attr = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<usize>().unwrap();
    let summary = &report["summary"];
    assert_eq!(
        attr(root, "tests") as u64,
        summary["total"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        attr(root, "failures") as u64,
        summary["failed"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        attr(root, "skipped") as u64,
        summary["skipped"].as_u64().unwrap(),
        "{name}"
    );
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len() as u64, summary["total"].as_u64().unwrap());
    let mut suite_total = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(attr(suite, "tests"), cases.len(), "{name}");
        let failures = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(attr(suite, "failures"), failures, "{name}");
        let skipped = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
            .count();
        assert_eq!(attr(suite, "skipped"), skipped, "{name}");
        suite_total += cases.len();
    }
    assert_eq!(suite_total, cases.len());
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        // See `each_defect_fails_exactly_its_rule_in_every_format` for the one second rule.
        .filter(|id| !(name == "ci-without-tests" && *id == "tests.end-to-end"))
        .collect();
    assert_eq!(failed, [expected], "{name}");
}

#[test]
fn history_rules_judge_real_history() {
    let sandbox = Sandbox::new();
    let dir = generate(&sandbox, "demo", &[]);
    write(&dir, "NOTES.md", "notes\n");
    commit(&dir, "wip", &[]);
    let (out, report) = json_report(&sandbox, &dir, &[]);
    assert_eq!(failing(&report), ["git.commit-messages"]);
    assert_eq!(rule(&report, "git.history")["status"], "pass");
    assert!(
        rule(&report, "git.commit-messages")["evidence"][0]["note"]
            .as_str()
            .unwrap()
            .contains("\"wip\"")
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "recommended rules only lower the score"
    );
    assert!(report["score"].as_u64().unwrap() < 100);

    // A hand-made repository with one commit fails the history rule (no folio trailer).
    let plain = sandbox.work().join("plain");
    Repository::init(&plain).unwrap();
    write(&plain, "README.md", "# plain\n");
    commit(&plain, "Add the README of the plain project", &[]);
    let (_, report) = json_report(&sandbox, &plain, &[]);
    assert_eq!(rule(&report, "git.history")["status"], "fail");
}

#[test]
fn min_score_and_policy_from_flags_and_folio_toml() {
    let sandbox = Sandbox::new();
    let dir = generate(&sandbox, "demo", &[]);
    remove(&dir, "docker-compose.yml");
    commit(&dir, "Drop the compose file for the test", &[]);
    assert_eq!(check(&sandbox, &dir, &[]).status.code(), Some(0));
    assert_eq!(
        check(&sandbox, &dir, &["--min-score", "100"]).status.code(),
        Some(1)
    );
    assert_eq!(
        check(&sandbox, &dir, &["--require", "deploy"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        check(&sandbox, &dir, &["--require", "deploy.compose"])
            .status
            .code(),
        Some(1)
    );
    let (out, report) = json_report(
        &sandbox,
        &dir,
        &["--min-score", "100", "--ignore", "deploy.compose"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(rule(&report, "deploy.compose")["status"], "skip");
    assert_eq!(report["score"], 100);

    // The [check] table sets the same policy; flags add to it.
    let toml = std::fs::read_to_string(dir.join(".folio.toml")).unwrap();
    std::fs::write(
        dir.join(".folio.toml"),
        format!("{toml}\n[check]\nmin-score = 100\n"),
    )
    .unwrap();
    let (out, report) = json_report(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["min_score"], 100);
    std::fs::write(
        dir.join(".folio.toml"),
        format!("{toml}\n[check]\nrequire = [\"deploy\"]\nignore = [\"deploy.compose\"]\n"),
    )
    .unwrap();
    let (out, report) = json_report(&sandbox, &dir, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "ignore wins over an area's require"
    );
    assert_eq!(rule(&report, "deploy.dockerfile")["level"], "required");
}

#[test]
fn errors_exit_2_with_a_hint() {
    let sandbox = Sandbox::new();
    let dir = generate(&sandbox, "demo", &[]);
    std::fs::create_dir(sandbox.work().join("plain")).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["check", "plain"], "not inside a git repository"),
        (vec!["check", "missing"], "cannot check"),
        (
            vec!["check", "demo", "--require", "tests.presnt"],
            "did you mean `tests.present`",
        ),
        (
            vec!["check", "demo", "--ignore", "nonsense"],
            "neither a check area nor a rule id",
        ),
        (vec!["check", "demo", "--min-score", "101"], "101"),
        (vec!["check", "demo", "--format", "xml"], "xml"),
    ];
    for (args, needle) in cases {
        let out = sandbox.folio(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    let toml = std::fs::read_to_string(dir.join(".folio.toml")).unwrap();
    for table in [
        "[check]\nmin-score = 200\n",
        "[check]\ncolour = 1\n",
        "[check]\nignore = [\"nope\"]\n",
    ] {
        std::fs::write(dir.join(".folio.toml"), format!("{toml}\n{table}")).unwrap();
        let out = sandbox.folio(&["check", "demo"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{table}: {}", stderr(&out));
        assert!(stderr(&out).contains("hint:"), "{table}: {}", stderr(&out));
    }
    std::fs::write(
        dir.join(".folio.toml"),
        format!("{toml}\n[check]\nrequire = [\"tests.presnt\"]\n"),
    )
    .unwrap();
    let out = sandbox.folio(&["check", "demo"]).output().unwrap();
    insta::assert_snapshot!(
        "check-unknown-rule-in-config",
        stderr(&out).replace(&sandbox.work().display().to_string(), "[WORK]")
    );
}

#[test]
fn only_tracked_files_are_read() {
    let sandbox = Sandbox::new();
    let dir = generate(&sandbox, "demo", &[]);
    let key = format!("-----BEGIN {}PRIVATE KEY-----\nMIIB\n", "OPENSSH ");
    // Ignored (build output, .env) and untracked files are not the repository's content.
    write(&dir, "node_modules/pkg/id.pem", &key);
    write(&dir, ".venv/lib/secret.pem", &key);
    write(&dir, "untracked.pem", &key);
    std::fs::write(dir.join(".env"), "AWS_KEY=AKIAQ3EGRY5NL7ZXW2PT\n").unwrap();
    let (out, report) = json_report(&sandbox, &dir, &[]);
    assert_eq!(failing(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_sub_folder_is_checked_with_paths_from_the_repository_root() {
    let sandbox = Sandbox::new();
    let mono = sandbox.work().join("mono");
    Repository::init(&mono).unwrap();
    let out = sandbox
        .folio(&["new", "api", "--yes", "--output", "mono/services"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    remove(&mono.join("services/api"), "LICENSE");
    commit(&mono, "Add the api service generated by folio", &[]);
    let (_, report) = json_report(&sandbox, &mono.join("services/api"), &[]);
    assert!(
        failing(&report).contains(&"docs.license".to_string()),
        "{report:#}"
    );
    let readme = &rule(&report, "docs.readme")["evidence"][0];
    assert_eq!(readme["file"], "services/api/README.md");
}

/// Writes a small hand-made repository and returns its report.
fn hand_made(sandbox: &Sandbox, name: &str, files: &[(&str, &str)]) -> Value {
    let dir = sandbox.work().join(name);
    Repository::init(&dir).unwrap();
    for (path, text) in files {
        write(&dir, path, text);
    }
    commit(&dir, &format!("Start the {name} project"), &[]);
    json_report(sandbox, &dir, &[]).1
}

#[test]
fn each_language_is_judged_by_its_own_conventions() {
    let sandbox = Sandbox::new();
    let go = hand_made(
        &sandbox,
        "go",
        &[
            (
                "go.mod",
                "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/golang-jwt/jwt/v5 v5.2.1\n\tgolang.org/x/crypto v0.31.0\n\tgithub.com/prometheus/client_golang v1.20.0\n)\n",
            ),
            ("go.sum", "x\n"),
            (
                "main.go",
                "package main\n\nfunc main() {\n\tmux.HandleFunc(\"GET /healthz\", health)\n}\n",
            ),
            ("main_test.go", "package main\n"),
        ],
    );
    assert_eq!(go["languages"]["judged"], serde_json::json!(["go"]));
    for id in [
        "tests.present",
        "tests.runner",
        "auth.tokens",
        "auth.password-hashing",
        "monitoring.metrics",
        "monitoring.health-endpoint",
        "deps.lockfile",
    ] {
        assert_eq!(
            rule(&go, id)["status"],
            "pass",
            "go {id}: {:#}",
            rule(&go, id)
        );
    }
    assert_eq!(rule(&go, "auth.tokens")["evidence"][0]["line"], 6);
    assert_eq!(
        rule(&go, "monitoring.health-endpoint")["evidence"][0]["line"],
        4
    );

    let ts = hand_made(
        &sandbox,
        "ts",
        &[
            (
                "package.json",
                "{\n  \"name\": \"svc\",\n  \"scripts\": {\n    \"test\": \"vitest run\"\n  },\n  \"dependencies\": {\n    \"jose\": \"5\"\n  }\n}\n",
            ),
            ("src/app.ts", "app.get('/healthz', () => ({}))\n"),
            ("src/app.test.ts", "test('x', () => {})\n"),
        ],
    );
    for id in [
        "tests.present",
        "tests.runner",
        "auth.tokens",
        "monitoring.health-endpoint",
    ] {
        assert_eq!(
            rule(&ts, id)["status"],
            "pass",
            "ts {id}: {:#}",
            rule(&ts, id)
        );
    }
    assert_eq!(rule(&ts, "deps.lockfile")["status"], "fail");
    assert_eq!(rule(&ts, "tests.runner")["evidence"][0]["line"], 4);

    let java = hand_made(
        &sandbox,
        "java",
        &[
            (
                "pom.xml",
                "<project>\n  <dependencies>\n    <dependency><artifactId>spring-boot-starter-actuator</artifactId></dependency>\n    <dependency><artifactId>spring-boot-starter-test</artifactId></dependency>\n  </dependencies>\n</project>\n",
            ),
            ("src/main/java/App.java", "class App {}\n"),
            ("src/test/java/AppTest.java", "class AppTest {}\n"),
        ],
    );
    for id in [
        "tests.present",
        "tests.runner",
        "monitoring.health-endpoint",
    ] {
        assert_eq!(
            rule(&java, id)["status"],
            "pass",
            "java {id}: {:#}",
            rule(&java, id)
        );
    }
    assert_eq!(
        rule(&java, "deps.lockfile")["status"],
        "pass",
        "Maven pins exact versions"
    );

    let rust = hand_made(
        &sandbox,
        "rust",
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"svc\"\n\n[dependencies]\nargon2 = \"0.5\"\njsonwebtoken = \"9\"\n",
            ),
            (
                "src/main.rs",
                "fn main() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn works() {}\n}\n",
            ),
        ],
    );
    assert_eq!(rule(&rust, "tests.present")["status"], "pass");
    assert_eq!(rule(&rust, "tests.present")["evidence"][0]["line"], 5);
    assert_eq!(
        rule(&rust, "auth.password-hashing")["evidence"][0]["line"],
        5
    );
    assert_eq!(rule(&rust, "deps.lockfile")["status"], "fail");

    // A language folio has no rules for: the language-aware rules say so instead of failing.
    let ruby = hand_made(
        &sandbox,
        "ruby",
        &[
            ("Gemfile", "gem 'rails'\n"),
            ("app.rb", "puts 1\n"),
            ("README.md", "# x\n"),
        ],
    );
    assert_eq!(ruby["languages"]["not_judged"], serde_json::json!(["Ruby"]));
    let tests = rule(&ruby, "tests.present");
    assert_eq!(tests["status"], "skip");
    assert!(
        tests["message"]
            .as_str()
            .unwrap()
            .contains("cannot judge this for Ruby"),
        "{tests:#}"
    );
    assert_eq!(
        rule(&ruby, "docs.license")["status"],
        "fail",
        "language-independent rules still apply"
    );
}
