//! The e2e row of `folio update`: a learner's SQLite project without CI gains PostgreSQL and
//! GitHub CI through `folio update --set`, keeps the learner's edits, and its own `make test`
//! passes against the real PostgreSQL that `.ci/run` starts.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::e2e::postgres::{self, Database};
use crate::e2e::process;
use crate::e2e::project::{self, NAME};
use crate::e2e::runner::{base_env, log_dir};

const STACK: &str = "python-fastapi";

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Learner")
        .env("GIT_AUTHOR_EMAIL", "learner@example.org")
        .env("GIT_COMMITTER_NAME", "Learner")
        .env("GIT_COMMITTER_EMAIL", "learner@example.org")
        .output()
        .map_err(|e| format!("git {args:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn folio(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(project::folio())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("folio {args:?}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("folio {args:?} failed ({}):\n{text}", out.status))
    }
}

fn append(dir: &Path, path: &str, text: &str) -> Result<(), String> {
    let file = dir.join(path);
    let mut body = std::fs::read_to_string(&file).map_err(|e| format!("{path}: {e}"))?;
    body.push_str(text);
    std::fs::write(&file, body).map_err(|e| format!("{path}: {e}"))
}

fn run_row() -> Result<(), String> {
    if let Err(why) = postgres::available() {
        return Err(format!("PostgreSQL is needed: {why}"));
    }
    let work = tempfile::Builder::new()
        .prefix("folio-e2e-update-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let out = Command::new(project::folio())
        .args([
            "new", NAME, "--stack", STACK, "--db", "sqlite", "--ci", "none", "--yes",
        ])
        .arg("--output")
        .arg(work.path())
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "folio new: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let dir = work.path().join(NAME);

    // The learner's work: a README section and a test of their own.
    append(&dir, "README.md", "\n## What I built\n\nMy own section.\n")?;
    append(
        &dir,
        "tests/test_http.py",
        "\n\ndef test_the_learners_own_health_check(client):\n    assert client.get(\"/healthz\").status_code == 200\n",
    )?;
    git(
        &dir,
        &[
            "commit",
            "-q",
            "-am",
            "My README section and a test of my own",
        ],
    )?;

    let said = folio(
        &dir,
        &["update", "--set", "db=postgres", "--set", "ci=github"],
    )?;
    if !said.contains("Updated") {
        return Err(format!("folio update did not say it updated:\n{said}"));
    }
    let readme = std::fs::read_to_string(dir.join("README.md")).map_err(|e| e.to_string())?;
    let tests =
        std::fs::read_to_string(dir.join("tests/test_http.py")).map_err(|e| e.to_string())?;
    if !readme.contains("My own section.") || !tests.contains("test_the_learners_own_health_check")
    {
        return Err("the learner's edits did not survive the update".into());
    }
    for file in [".github/workflows/ci.yml", "docker/postgres-init.sql"] {
        if !dir.join(file).is_file() {
            return Err(format!("the update did not add {file}"));
        }
    }
    let status = git(&dir, &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        return Err(format!("the update left the work tree dirty:\n{status}"));
    }

    let logs = log_dir("update-python-postgres");
    let setup = process::run(
        "make setup",
        &dir,
        &base_env(),
        &logs.join("setup.log"),
        Duration::from_secs(1800),
    );
    if !setup.ok {
        return Err(setup.describe("make setup"));
    }
    let database = Database::create("update_python")?;
    let mut env = base_env();
    env.push(("TEST_DATABASE_URL".into(), database.url.clone()));
    let test = process::run(
        "make test",
        &dir,
        &env,
        &logs.join("test.log"),
        Duration::from_secs(1800),
    );
    if !test.ok {
        return Err(test.describe("make test"));
    }
    // TEST_DATABASE_URL points at PostgreSQL, so a pass means the update brought the driver.
    let log = std::fs::read_to_string(logs.join("test.log")).unwrap_or_default();
    if !log.contains(" passed") {
        return Err(format!(
            "make test printed no pytest summary:\n{}",
            crate::e2e::report::tail(&log, 20)
        ));
    }
    println!("update row: {STACK} sqlite -> postgres + github CI, own tests pass on PostgreSQL");
    Ok(())
}

#[test]
#[ignore = "slow: a real toolchain and PostgreSQL; run scripts/e2e"]
fn update_adds_postgres_to_a_worked_on_project() {
    // Runs with the whole matrix or when python-fastapi is selected, not with every partial run
    // (`scripts/e2e --jobs none go` in .ci/run, for one).
    let settings = crate::e2e::runner::Settings::from_env();
    let selected = settings.stacks.as_ref().is_none_or(|names| {
        project::stacks()
            .unwrap_or_default()
            .iter()
            .any(|s| s.id == STACK && names.iter().any(|n| s.is_named(n)))
    });
    if !selected || settings.jobs.is_some() || !settings.wants("tests") {
        println!("update row not selected (FOLIO_E2E_STACKS / FOLIO_E2E_JOBS / FOLIO_E2E_PHASES)");
        return;
    }
    if let Err(e) = run_row() {
        panic!("folio update e2e row failed: {e}");
    }
}
