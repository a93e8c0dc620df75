//! Issue 22, "nothing hangs or lingers": SIGINT/SIGTERM in the middle of `new`, a `--force`
//! merge and `batch` clean up, say so and exit 130 (SIGINT) or 143 (SIGTERM); staging folders a killed run left behind are
//! removed by the next run. `FOLIO_TEST_SLOW_WRITES_MS` slows every file operation so the signal
//! lands mid-write.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::Sandbox;

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".folio-"))
        .collect()
}

/// Runs folio slowly, sends `signal` after `after`, and returns (exit code, stderr).
fn interrupted(sandbox: &Sandbox, args: &[&str], signal: i32, after: Duration) -> (i32, String) {
    // The sandbox's environment, on a std Command so the child can be signalled while it runs.
    let root = sandbox.home().parent().unwrap().to_path_buf();
    let child = Command::new(assert_cmd::cargo::cargo_bin("folio"))
        .args(args)
        .current_dir(sandbox.work())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", &root)
        .env("NO_COLOR", "1")
        .env("FOLIO_TEST_SLOW_WRITES_MS", "30")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, signal) };
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn signals_during_new_leave_no_staging_folder() {
    for (signal, after) in [
        (libc::SIGINT, 400),
        (libc::SIGTERM, 900),
        (libc::SIGINT, 1500),
    ] {
        let sandbox = Sandbox::new();
        let (code, stderr) = interrupted(
            &sandbox,
            &["new", "app", "--yes"],
            signal,
            Duration::from_millis(after),
        );
        assert_eq!(
            code,
            128 + signal,
            "signal {signal} after {after} ms: {stderr}"
        );
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert!(leftovers(&sandbox.work()).is_empty(), "{stderr}");
        assert!(!sandbox.work().join("app").exists());
    }
}

#[test]
fn signals_during_a_force_merge_roll_it_back() {
    let sandbox = Sandbox::new();
    sandbox.write("app/README.md", "mine");
    sandbox.write("app/notes.txt", "mine too");
    // The merge starts after the whole tree is staged (about 100 slowed writes): signal inside it.
    let (code, stderr) = interrupted(
        &sandbox,
        &["new", "app", "--yes", "--force"],
        libc::SIGTERM,
        Duration::from_millis(4500),
    );
    assert_eq!(code, 143, "{stderr}");
    assert!(leftovers(&sandbox.work()).is_empty(), "{stderr}");
    let mut names: Vec<String> = fs::read_dir(sandbox.work().join("app"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["README.md", "notes.txt"], "{stderr}");
    assert_eq!(
        fs::read_to_string(sandbox.work().join("app/README.md")).unwrap(),
        "mine"
    );
}

#[test]
fn sigterm_during_batch_cleans_up_and_writes_the_report() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "roster.csv",
        "name\nAda Lovelace\nGrace Hopper\nAlan Turing\n",
    );
    let (code, stderr) = interrupted(
        &sandbox,
        &["batch", "roster.csv", "--out", "out", "--jobs", "1"],
        libc::SIGTERM,
        Duration::from_millis(1000),
    );
    assert_eq!(code, 143, "{stderr}");
    let out = sandbox.work().join("out");
    assert!(out.join("batch-report.json").is_file(), "{stderr}");
    assert!(leftovers(&out).is_empty(), "{stderr}");
}

#[test]
fn stale_staging_folders_are_removed_by_the_next_run() {
    let sandbox = Sandbox::new();
    let stale = sandbox.work().join(".app.folio-Ab12Cd");
    sandbox.write(".app.folio-Ab12Cd/.env", "JWT_SECRET=leaked\n");
    // Not folio's: a user folder with a similar name stays.
    sandbox.write(".app.folio-notmine/keep.txt", "mine");
    std::thread::sleep(Duration::from_millis(20));
    sandbox
        .run(["new", "app", "--yes"])
        .stderr_has("left by an interrupted folio run")
        .run();
    assert!(!stale.exists());
    assert!(sandbox.work().join(".app.folio-notmine/keep.txt").exists());
}
