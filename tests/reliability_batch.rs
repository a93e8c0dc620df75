//! Fault injection through the real `folio batch` binary (issue 22): the n-th file operation of
//! the whole run fails as a full disk would, whichever of rayon's threads does it
//! (`FOLIO_TEST_FAIL_NTH`), for every n until a run no longer reaches it. After each run every
//! student's repository is either untouched or complete, no staging folder is left, the report
//! names every failure, every file of the student's is still somewhere the report names, and a
//! rerun without the fault finishes the cohort.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{Sandbox, list_files};

const ROSTER: &str = "name\nAda Lovelace\nGrace Hopper\n";
const ADA: &str = "ada-lovelace";
const GRACE: &str = "grace-hopper";
/// Grace's folder exists before the run with work of her own, so `--force` merges into it.
const GRACE_FILES: [(&str, &str); 3] = [
    ("README.md", "Grace's own readme\n"),
    ("notes.txt", "Grace's notes\n"),
    ("src/mine.go", "package mine\n"),
];

fn prepare(sandbox: &Sandbox) {
    sandbox.write("roster.csv", ROSTER);
    for (path, text) in GRACE_FILES {
        sandbox.write(&format!("out/{GRACE}/{path}"), text);
    }
}

fn batch(sandbox: &Sandbox, fail_at: Option<usize>) -> std::process::Output {
    let mut cmd = sandbox.folio(&[
        "batch",
        "roster.csv",
        "--out",
        "out",
        "--stack",
        "go",
        "--force",
        "--jobs",
        "2",
        "--author",
        "Ins Tructor <teach@example.org>",
    ]);
    if let Some(n) = fail_at {
        cmd.env("FOLIO_TEST_FAIL_NTH", n.to_string());
    }
    cmd.output().expect("run folio batch")
}

fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    list_files(root)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(root.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

fn staging_left(out: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(out) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.contains(".folio-"))
        .collect()
}

fn rows(out: &Path) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(out.join("batch-report.json")).expect("the report is written");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["rows"].as_array().unwrap().clone()
}

/// Why `dir` is not a complete repository, if it is not.
fn incomplete(dir: &Path, reference: &[String]) -> Option<String> {
    let repo = match git2::Repository::open(dir) {
        Ok(repo) => repo,
        Err(e) => return Some(format!("no repository: {e}")),
    };
    if let Err(e) = repo.head().and_then(|h| h.peel_to_commit()) {
        return Some(format!("no commit: {e}"));
    }
    let files = list_files(dir);
    let missing: Vec<&String> = reference.iter().filter(|r| !files.contains(r)).collect();
    (!missing.is_empty()).then(|| format!("missing {missing:?}"))
}

/// Every operation, as the issue asks: about 300 runs (and reruns) of `folio batch`, a few
/// minutes; `.ci/run` runs it.
#[test]
#[ignore = "slow (every n): .ci/run runs it with --ignored"]
fn batch_is_all_or_nothing_per_repository_under_every_injected_failure() {
    batch_under_injected_failures(1);
}

/// Every 23rd operation, so the fast suite keeps the property in view.
#[test]
fn batch_is_all_or_nothing_per_repository_under_injected_failures() {
    batch_under_injected_failures(23);
}

fn batch_under_injected_failures(stride: usize) {
    // A clean run: what complete repositories hold.
    let clean = Sandbox::new();
    prepare(&clean);
    let ran = batch(&clean, None);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let out = clean.work().join("out");
    let reference: BTreeMap<&str, Vec<String>> = [ADA, GRACE]
        .into_iter()
        .map(|f| {
            let files = list_files(&out.join(f));
            let template: Vec<String> = files
                .into_iter()
                .filter(|p| !p.starts_with(".folio-backup-"))
                .collect();
            (f, template)
        })
        .collect();
    assert!(reference[ADA].len() > 20, "{reference:?}");

    let mut n = 1;
    loop {
        assert!(n < 20_000, "the run never got past operation {n}");
        let sandbox = Sandbox::new();
        prepare(&sandbox);
        let out = sandbox.work().join("out");
        let grace_before = snapshot(&out.join(GRACE));
        let ran = batch(&sandbox, Some(n));
        let stderr = String::from_utf8_lossy(&ran.stderr);
        assert!(
            staging_left(&out).is_empty(),
            "operation {n}: staging left: {stderr}"
        );
        assert!(
            !stderr.contains("panicked"),
            "operation {n}: folio panicked: {stderr}"
        );
        let rows = rows(&out);
        let mut failed = 0;
        for (folder, row) in [(ADA, &rows[0]), (GRACE, &rows[1])] {
            let dir = out.join(folder);
            let status = row["status"].as_str().unwrap_or("");
            match status {
                "created" | "overwritten" => {
                    if let Some(why) = incomplete(&dir, &reference[folder]) {
                        panic!(
                            "operation {n}: {folder} is reported {status} but incomplete: {why}"
                        );
                    }
                }
                "failed" => {
                    failed += 1;
                    assert!(
                        row["error"].as_str().is_some_and(|e| !e.is_empty()),
                        "operation {n}: {folder} failed without a reason: {row}"
                    );
                    if folder == ADA {
                        assert!(
                            !dir.exists(),
                            "operation {n}: a failed {folder} was left behind"
                        );
                    } else {
                        assert_eq!(
                            snapshot(&dir),
                            grace_before,
                            "operation {n}: a failed merge changed {folder}"
                        );
                    }
                }
                other => panic!("operation {n}: {folder} has status {other:?}: {row}"),
            }
        }
        // Grace's own files are in her folder or in the backup the report names.
        let backup = rows[1]["backup"].as_str().map(PathBuf::from);
        for (path, text) in GRACE_FILES {
            let kept = fs::read_to_string(out.join(GRACE).join(path)).ok();
            let saved = backup
                .as_ref()
                .map(|b| {
                    if b.is_absolute() {
                        b.clone()
                    } else {
                        sandbox.work().join(b)
                    }
                })
                .and_then(|b| fs::read_to_string(b.join(path)).ok());
            assert!(
                kept.as_deref() == Some(text) || saved.as_deref() == Some(text),
                "operation {n}: Grace's {path} was lost (backup {backup:?}): {stderr}"
            );
        }
        assert_eq!(
            ran.status.success(),
            failed == 0,
            "operation {n}: exit status {:?} with {failed} failed rows: {stderr}",
            ran.status
        );
        if failed > 0 {
            // A rerun without the fault finishes the cohort.
            let rerun = batch(&sandbox, None);
            assert!(
                rerun.status.success(),
                "operation {n}: the rerun failed: {}",
                String::from_utf8_lossy(&rerun.stderr)
            );
            for folder in [ADA, GRACE] {
                if let Some(why) = incomplete(&out.join(folder), &reference[folder]) {
                    panic!("operation {n}: the rerun left {folder} incomplete: {why}");
                }
            }
            assert!(staging_left(&out).is_empty());
        } else {
            break;
        }
        n += stride;
    }
    assert!(n > 50, "only {n} operations were counted");
}
