//! Proof that the harness catches breakage in a real generated project: break it on purpose and
//! expect the failure to be reported by name. Slow (real toolchain), so `#[ignore]`d like the rest
//! of e2e; `scripts/e2e` runs them. The Python stack is the subject (the first stack, and the
//! cheapest toolchain).

use std::path::{Path, PathBuf};

use crate::e2e::project::{self, Stack};
use crate::e2e::report::Report;
use crate::e2e::runner::{self, Settings};
use crate::e2e::validators;

const SUBJECT: &str = "python-fastapi";

/// The subject stack, or `None` (with a message) when it cannot run here and that is allowed,
/// or when the run's selection (`FOLIO_E2E_STACKS`, `FOLIO_E2E_PHASES`) leaves it out.
fn subject(needs_validators: bool) -> Option<Stack> {
    subject_for(if needs_validators {
        "validators"
    } else {
        "contract"
    })
}

/// [`subject`] for a test that belongs to `phase` (it needs the validators for `validators`).
fn subject_for(phase: &str) -> Option<Stack> {
    let needs_validators = phase == "validators";
    let settings = Settings::from_env();
    let stack = project::stacks()
        .expect("folio list")
        .into_iter()
        .find(|s| s.id == SUBJECT)
        .expect("the python-fastapi stack exists");
    let selected = settings
        .stacks
        .as_ref()
        .is_none_or(|names| names.iter().any(|n| stack.is_named(n)));
    if !selected || !settings.wants(phase) {
        println!("breakage test not selected (FOLIO_E2E_STACKS / FOLIO_E2E_PHASES)");
        return None;
    }
    let mut missing: Vec<String> = stack
        .requires
        .iter()
        .filter(|t| !crate::e2e::process::on_path(t))
        .cloned()
        .collect();
    if needs_validators {
        missing.extend(validators::missing_tools().into_iter().map(String::from));
    }
    if missing.is_empty() {
        return Some(stack);
    }
    let why = format!(
        "breakage test skipped: missing {} (scripts/install-validators installs the validators)",
        missing.join(", ")
    );
    assert!(!settings.require_all, "{why}");
    println!("{why}");
    None
}

fn replace_in(file: &Path, from: &str, to: &str) {
    let text =
        std::fs::read_to_string(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
    assert!(
        text.contains(from),
        "{} no longer contains {from:?}: update this mutation to the template",
        file.display()
    );
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// Every file under `dir` whose text contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                if !p.ends_with(".venv") && !p.ends_with("node_modules") {
                    stack.push(p);
                }
            } else if std::fs::read_to_string(&p).is_ok_and(|t| t.contains(needle)) {
                found.push(p);
            }
        }
    }
    found
}

#[test]
#[ignore = "slow: needs the validators; run scripts/e2e"]
fn validators_name_a_corrupted_workflow_and_dashboard() {
    let Some(stack) = subject(true) else { return };
    let (_dir, path) = runner::scratch(false);
    let tree = project::generate(&stack.id, "sqlite", "github", &path).expect("generate");

    let mut clean = Report::new("python-fastapi/sqlite");
    validators::validate(&tree, &[], None, &mut clean);

    // A job without `runs-on` and an expression that does not parse.
    let workflow = tree.join(".github/workflows/ci.yml");
    replace_in(&workflow, "runs-on:", "runs_on:");
    let text = std::fs::read_to_string(&workflow).unwrap() + "\n# ${{ github.event. }}\n";
    std::fs::write(&workflow, text).unwrap();
    let dashboard = files_containing(&tree.join("monitoring/grafana"), "\"gridPos\"")
        .pop()
        .expect("a dashboard with gridPos");
    replace_in(&dashboard, "\"gridPos\"", "\"gridPosition\"");

    let mut broken = Report::new("python-fastapi/sqlite");
    validators::validate(&tree, &[], None, &mut broken);
    let text = broken.to_string();
    for expected in [
        "validators: actionlint .github/workflows/ci.yml",
        "validators: check-jsonschema .github/workflows/ci.yml (--builtin-schema vendor.github-workflows)",
        "validators: grafana dashboard monitoring/grafana/",
    ] {
        assert!(
            text.contains(expected),
            "expected {expected:?} among the failures:\n{text}"
        );
    }
    // Nothing else changed, so every other failure was already there before the corruption.
    let new: Vec<_> = broken
        .failures
        .iter()
        .filter(|f| !clean.failures.iter().any(|c| c.check == f.check))
        .map(|f| f.check.clone())
        .collect();
    assert!(
        new.iter()
            .all(|c| c.contains("ci.yml") || c.contains("grafana")),
        "unexpected new failures: {new:?}"
    );
}

#[test]
#[ignore = "slow: needs the validators; run scripts/e2e"]
fn zizmor_names_an_action_pinned_by_a_movable_tag() {
    let Some(stack) = subject(true) else { return };
    let (_dir, path) = runner::scratch(false);
    let tree = project::generate(&stack.id, "sqlite", "github", &path).expect("generate");
    // A valid workflow (actionlint and the schema still pass) whose checkout follows a tag that
    // whoever controls the action's repository can move: zizmor's unpinned-uses, high severity.
    let workflow = tree.join(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    let pinned = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("- uses: actions/checkout@"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a checkout step pinned by commit SHA")
        .to_string();
    assert!(
        pinned.len() == 40 && pinned.chars().all(|c| c.is_ascii_hexdigit()),
        "checkout is pinned by {pinned:?}, not a full commit SHA"
    );
    replace_in(
        &workflow,
        &format!("actions/checkout@{pinned}"),
        "actions/checkout@v7",
    );
    let mut report = Report::new("python-fastapi/sqlite");
    validators::validate(&tree, &[], Some(&[".github/workflows/ci.yml"]), &mut report);
    let checks: Vec<&str> = report.failures.iter().map(|f| f.check.as_str()).collect();
    assert!(
        checks
            .iter()
            .any(|c| c.starts_with("validators: zizmor .github/workflows/ci.yml")),
        "zizmor did not report the tag-pinned action: {checks:?}"
    );
    assert!(
        report.to_string().contains("unpinned-uses"),
        "zizmor's finding should name the audit:\n{report}"
    );
    assert!(
        checks.iter().all(|c| c.contains("zizmor")),
        "only zizmor should object to a valid, tag-pinned workflow: {checks:?}"
    );
}

#[test]
#[ignore = "slow: sets up and runs a real project; run scripts/e2e"]
fn the_contract_suite_catches_a_server_that_ignores_ownership() {
    let Some(stack) = subject(false) else { return };
    let settings = Settings::from_env();
    let (_dir, path) = runner::scratch(settings.keep);
    let tree = project::generate(&stack.id, "sqlite", "github", &path).expect("generate");

    // Drop the owner test of the single-task lookup: any user can read, patch, delete any task.
    let needle = "task.owner_id == owner_id";
    let files = files_containing(&tree.join("src"), needle);
    assert_eq!(
        files.len(),
        1,
        "expected one file with {needle:?} in the generated python code, found {files:?}: update this mutation"
    );
    replace_in(&files[0], needle, "True");

    let logs = runner::log_dir("breakage-ownership");
    let outcome = crate::e2e::process::run(
        &stack.commands.setup,
        &tree,
        &runner::base_env(),
        &logs.join("setup.log"),
        settings.step_timeout,
    );
    assert!(outcome.ok, "{}", outcome.describe(&stack.commands.setup));
    let mut report = Report::new("python-fastapi/sqlite (ownership removed)");
    runner::phase_contract(&stack, "sqlite", &tree, &logs, &settings, &mut report);
    let text = report.to_string();
    for expected in [
        "ownership: bob reads alice's task: expected 404",
        "ownership: bob patches alice's task: expected 404",
        "ownership: alice reads bob's task: expected 404",
    ] {
        assert!(
            text.contains(expected),
            "expected {expected:?} among the failures:\n{text}"
        );
    }
    println!("the harness reported, as it should:\n{text}");
}

#[test]
#[ignore = "slow: sets up and runs a real project; run scripts/e2e"]
fn the_per_ip_probe_catches_a_server_without_the_limit() {
    let Some(stack) = subject_for("probes") else {
        return;
    };
    let settings = Settings::from_env();
    let (_dir, path) = runner::scratch(settings.keep);
    let tree = project::generate(&stack.id, "sqlite", "github", &path).expect("generate");
    let logs = runner::log_dir("breakage-per-ip");
    let outcome = crate::e2e::process::run(
        &stack.commands.setup,
        &tree,
        &runner::base_env(),
        &logs.join("setup.log"),
        settings.step_timeout,
    );
    assert!(outcome.ok, "{}", outcome.describe(&stack.commands.setup));
    // The limit switched off (0), as a server that never had one: the probe expects 5.
    let mut report = Report::new("python-fastapi/sqlite (no per-IP limit)");
    crate::e2e::startup::per_ip_limit(&stack, &tree, &logs, None, &settings, "0", &mut report);
    let text = report.to_string();
    for expected in [
        "probes: per-IP limit (AUTH_RATE_LIMIT_PER_IP=5): login over the limit: expected 429",
        "probes: per-IP limit (AUTH_RATE_LIMIT_PER_IP=5): register with X-Forwarded-For (must not be trusted) over the limit: expected 429",
    ] {
        assert!(
            text.contains(expected),
            "expected {expected:?} among the failures:\n{text}"
        );
    }
    println!("the harness reported, as it should:\n{text}");
}

#[test]
#[ignore = "slow: needs the validators; run scripts/e2e"]
fn kubernetes_validators_catch_an_unknown_field_and_a_writable_root_filesystem() {
    let Some(stack) = subject(true) else { return };
    let (_dir, path) = runner::scratch(false);
    let tree = project::generate(&stack.id, "postgres", "github", &path).expect("generate");
    let deployment = tree.join("deploy/k8s/base/deployment.yaml");
    // A misspelt field: kustomize builds it, only the strict schema check refuses it.
    replace_in(&deployment, "timeoutSeconds: 2", "timeoutSecs: 2");
    // A valid but weaker setting: only the policy check refuses it.
    replace_in(
        &deployment,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
    );
    let mut report = Report::new("kubernetes breakage");
    crate::e2e::kubernetes::validate(&tree, &mut report);
    let text = report.to_string();
    for overlay in ["dev", "prod"] {
        assert!(
            report.failures.iter().any(|f| f.check
                == "validators: kubernetes-validate --strict --quiet -"
                && f.detail.contains("timeoutSecs")),
            "kubernetes-validate did not refuse the unknown field ({overlay}):\n{text}"
        );
        assert!(
            report.failures.iter().any(|f| f.check
                == format!("validators: kubernetes policy deploy/k8s/overlays/{overlay}")
                && f.detail
                    .contains("Deployment/api container api: readOnlyRootFilesystem")),
            "the policy check did not refuse the writable root filesystem ({overlay}):\n{text}"
        );
    }
}
