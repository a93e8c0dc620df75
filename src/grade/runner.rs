//! `--run-tests`: the student's code, run in a temporary clone of the graded commit.
//!
//! This executes untrusted code, so each command runs with `sh -c` in its own process group,
//! with stdin closed and its output in a log file; on timeout the whole group gets SIGKILL, and
//! after any command the group is killed again so that nothing a test started (a server, a
//! `sleep` in the background) outlives it. The group id is recorded, so a test can check that
//! nothing of it is left running.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

/// How one command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    TimedOut,
    /// An earlier step failed, or the command could not be started.
    NotRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    pub command: String,
    pub status: StepStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub seconds: f64,
    pub timeout_seconds: u64,
    /// The process group the command ran in (killed whole afterwards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_group: Option<u32>,
    /// Where its output is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl StepResult {
    pub fn not_run(command: &str, why: &str) -> Self {
        StepResult {
            command: command.to_string(),
            status: StepStatus::NotRun,
            exit_code: None,
            seconds: 0.0,
            timeout_seconds: 0,
            process_group: None,
            log: None,
            detail: Some(why.to_string()),
        }
    }
}

/// Variables of folio's own environment that must not leak into a student's commands.
fn scrubbed(name: &str) -> bool {
    (name.starts_with("CARGO_") && name != "CARGO_HOME")
        || name.starts_with("__CARGO")
        || matches!(
            name,
            "CARGO"
                | "PORT"
                | "DATABASE_URL"
                | "TEST_DATABASE_URL"
                | "JWT_SECRET"
                | "APP_ENV"
                | "VIRTUAL_ENV"
                | "RUST_LOG"
        )
}

/// `sh -c script` in `dir`, in a new process group, output to `log`.
pub fn spawn(
    script: &str,
    dir: &Path,
    env: &[(&str, String)],
    log: &Path,
) -> std::io::Result<Child> {
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    let mut command = Command::new("sh");
    command
        .args(["-c", script])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    for (name, _) in std::env::vars_os().filter_map(|(k, v)| k.into_string().ok().map(|k| (k, v))) {
        if scrubbed(&name) {
            command.env_remove(name);
        }
    }
    command.env("CI", "1");
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn()
}

/// SIGKILL to every process of the group `pgid`; harmless when it is already empty.
pub fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        if pgid > 1 {
            // SAFETY: kill(2) with a negative pid signals a process group; no memory is shared.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

/// Runs one command to completion or timeout; see the module comment.
pub fn run_step(
    script: &str,
    dir: &Path,
    env: &[(&str, String)],
    timeout: Duration,
    log: &Path,
) -> StepResult {
    let start = Instant::now();
    let mut result = StepResult {
        command: script.to_string(),
        status: StepStatus::NotRun,
        exit_code: None,
        seconds: 0.0,
        timeout_seconds: timeout.as_secs(),
        process_group: None,
        log: Some(log.to_path_buf()),
        detail: None,
    };
    let mut child = match spawn(script, dir, env, log) {
        Ok(child) => child,
        Err(e) => {
            result.detail = Some(format!("could not start: {e}"));
            return result;
        }
    };
    let pgid = child.id();
    result.process_group = Some(pgid);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                result.exit_code = status.code();
                result.status = if status.success() {
                    StepStatus::Passed
                } else {
                    StepStatus::Failed
                };
                break;
            }
            Ok(None) if start.elapsed() >= timeout => {
                kill_group(pgid);
                let _ = child.wait();
                result.status = StepStatus::TimedOut;
                result.detail = Some(format!(
                    "killed after {} s (the whole process group)",
                    timeout.as_secs()
                ));
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                kill_group(pgid);
                result.detail = Some(e.to_string());
                break;
            }
        }
    }
    // Whatever the command left in the background goes too.
    kill_group(pgid);
    result.seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    result
}

/// The tail of a log (at most the last 256 KiB), for the test counts and the feedback.
pub fn read_log(log: &Path) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(log) else {
        return String::new();
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(256 * 1024)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A temporary clone of `repo` checked out at `commit`, removed when dropped.
pub fn clone_at(repo: &Path, commit: &str) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("folio-grade-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let target = dir.path().join("repo");
    let git = |args: &[&std::ffi::OsStr]| -> Result<(), String> {
        let out = Command::new("git")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "git {} failed: {}",
                args.first()
                    .map_or(String::new(), |a| a.to_string_lossy().into_owned()),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    git(&[
        "clone".as_ref(),
        "--quiet".as_ref(),
        "--no-checkout".as_ref(),
        repo.as_os_str(),
        target.as_os_str(),
    ])?;
    git(&[
        "-C".as_ref(),
        target.as_os_str(),
        "-c".as_ref(),
        "advice.detachedHead=false".as_ref(),
        "checkout".as_ref(),
        "--quiet".as_ref(),
        "--detach".as_ref(),
        commit.as_ref(),
    ])?;
    Ok(dir)
}

/// Passed and failed test counts, where the runner prints them: pytest, cargo test, Maven
/// Surefire, vitest, node:test, and `go test -v`.
pub fn test_counts(log: &str) -> Option<(u64, u64)> {
    let re = |p: &str| regex::Regex::new(p).expect("valid regex");
    let num = |c: &regex::Captures<'_>, i: usize| {
        c.get(i)
            .map_or(0, |m| m.as_str().parse::<u64>().unwrap_or(0))
    };
    // pytest: "==== 3 failed, 12 passed, 1 error in 2.31s ====", or with -q the same summary
    // without the rule: "190 passed, 2 warnings in 3.20s".
    let pytest = re(
        r"(?m)^(?:=+ )?(\d+ (?:passed|failed|errors?|skipped|deselected|warnings?|xfailed|xpassed)\b[^\n]*?) in [\d.]+s",
    );
    if let Some(line) = pytest.captures_iter(log).last() {
        let line = line.get(1).map_or("", |m| m.as_str());
        let count = |word: &str| {
            re(&format!(r"(\d+) {word}"))
                .captures(line)
                .map_or(0, |c| num(&c, 1))
        };
        return Some((count("passed"), count("failed") + count("errors?")));
    }
    // cargo test: one "test result:" line per test binary.
    let cargo = re(r"test result: \w+\. (\d+) passed; (\d+) failed");
    let mut found = None;
    for c in cargo.captures_iter(log) {
        let (p, f) = found.unwrap_or((0, 0));
        found = Some((p + num(&c, 1), f + num(&c, 2)));
    }
    if found.is_some() {
        return found;
    }
    // Maven Surefire's total, the last "Tests run:" line.
    let maven = re(r"Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)");
    if let Some(c) = maven.captures_iter(log).last() {
        let (run, failures, errors, skipped) = (num(&c, 1), num(&c, 2), num(&c, 3), num(&c, 4));
        let failed = failures + errors;
        return Some((run.saturating_sub(failed + skipped), failed));
    }
    // vitest: "Tests  1 failed | 20 passed (21)"
    let vitest = re(r"(?m)^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed");
    if let Some(c) = vitest.captures_iter(log).last() {
        return Some((num(&c, 2), num(&c, 1)));
    }
    let vitest_failed = re(r"(?m)^\s*Tests\s+(\d+) failed");
    if let Some(c) = vitest_failed.captures_iter(log).last() {
        return Some((0, num(&c, 1)));
    }
    // node:test's TAP summary.
    let node_pass = re(r"(?m)^# pass (\d+)");
    let node_fail = re(r"(?m)^# fail (\d+)");
    if let Some(p) = node_pass.captures_iter(log).last() {
        let f = node_fail
            .captures_iter(log)
            .last()
            .map_or(0, |c| num(&c, 1));
        return Some((num(&p, 1), f));
    }
    // go test -v.
    let go_pass = log.matches("--- PASS:").count() as u64;
    let go_fail = log.matches("--- FAIL:").count() as u64;
    if go_pass + go_fail > 0 {
        return Some((go_pass, go_fail));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_each_runner() {
        assert_eq!(
            test_counts("==== 1 failed, 12 passed in 2.31s ===="),
            Some((12, 1))
        );
        assert_eq!(
            test_counts("===== 30 passed, 2 warnings in 4.10s ====="),
            Some((30, 0))
        );
        assert_eq!(
            test_counts(
                "..F.\nFAILED tests/test_x.py::test_y - assert 1 == 2\n1 failed, 189 passed, 2 warnings in 10.02s\n"
            ),
            Some((189, 1))
        );
        assert_eq!(test_counts("190 passed in 3.20s"), Some((190, 0)));
        assert_eq!(
            test_counts(
                "test result: ok. 3 passed; 0 failed; 0 ignored\ntest result: FAILED. 5 passed; 2 failed;"
            ),
            Some((8, 2))
        );
        assert_eq!(
            test_counts(
                "Tests run: 2, Failures: 0, Errors: 0, Skipped: 0\n[ERROR] Tests run: 20, Failures: 1, Errors: 1, Skipped: 2"
            ),
            Some((16, 2))
        );
        assert_eq!(
            test_counts("      Tests  1 failed | 20 passed (21)"),
            Some((20, 1))
        );
        assert_eq!(test_counts("# tests 5\n# pass 4\n# fail 1"), Some((4, 1)));
        assert_eq!(
            test_counts("--- PASS: TestA\n--- FAIL: TestB\n--- PASS: TestC"),
            Some((2, 1))
        );
        assert_eq!(test_counts("ok  example.org/x 0.1s"), None);
    }

    /// Processes of group `pgid` that are not zombies, from /proc.
    fn live_members(pgid: i32) -> Vec<String> {
        let mut live = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the `)`.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.get(2) == Some(&pgid.to_string().as_str()) && fields[0] != "Z" {
                live.push(stat);
            }
        }
        live
    }

    #[test]
    fn a_timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let result = run_step(
            "sleep 30 & sleep 30",
            dir.path(),
            &[],
            Duration::from_millis(300),
            &log,
        );
        assert_eq!(result.status, StepStatus::TimedOut);
        let pgid = result.process_group.unwrap() as i32;
        // A killed process stays a zombie until its new parent reaps it, which under load can
        // take a while; a zombie runs nothing, so only live members of the group count.
        let gone = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            live_members(pgid).is_empty()
        });
        assert!(gone, "the process group {pgid} still has processes");
    }
}
