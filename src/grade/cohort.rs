//! Who is graded: the rows of a `folio batch` report (`--cohort DIR`), or plain repository
//! paths. Order is the roster's (or the command line's), and it is the order of every output.
//!
//! A batch row that never became a repository (an invalid roster line, a failed generation)
//! still becomes an entry, with the reason, so the gradebook has a row for every student.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::batch::report::REPORT_FILE;
use crate::error::{Error, Result};

/// The largest batch report read (a cohort of thousands is a few MB).
const MAX_REPORT_BYTES: u64 = 32 * 1024 * 1024;

/// One student to grade.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The student's name from the roster; for a plain path, filled from `.folio.toml` later.
    pub student: Option<String>,
    /// The repository folder.
    pub repo: Option<PathBuf>,
    /// The repository as shown in outputs (relative to the cohort folder when there is one).
    pub shown: String,
    /// Why there is nothing to grade, when the batch itself failed for this row.
    pub problem: Option<String>,
}

/// The entries of `--cohort DIR`, in roster order.
pub fn from_cohort(dir: &Path) -> Result<Vec<Entry>> {
    #[derive(Deserialize)]
    struct Report {
        rows: Vec<Row>,
    }
    #[derive(Deserialize)]
    struct Row {
        location: Option<String>,
        student: Option<String>,
        name: Option<String>,
        path: Option<PathBuf>,
        status: Option<String>,
        error: Option<String>,
    }
    let report = dir.join(REPORT_FILE);
    let refused = |reason: String| Error::GradeRefused {
        reason,
        fix: format!(
            "give --cohort the folder `folio batch --out` wrote (it holds {REPORT_FILE}), or pass the repositories as paths"
        ),
    };
    let meta = std::fs::metadata(&report)
        .map_err(|e| refused(format!("cannot read {}: {e}", report.display())))?;
    if meta.len() > MAX_REPORT_BYTES {
        return Err(refused(format!(
            "{} is larger than {MAX_REPORT_BYTES} bytes",
            report.display()
        )));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| Error::io("read", &report, e))?;
    let parsed: Report = serde_json::from_str(&text).map_err(|e| {
        refused(format!(
            "{} is not a folio batch report ({e})",
            report.display()
        ))
    })?;
    Ok(parsed
        .rows
        .into_iter()
        .map(|row| {
            let repo = row.path.map(|p| locate(dir, p));
            let shown = repo
                .as_ref()
                .map(|p| match p.strip_prefix(dir) {
                    Ok(rel) => rel.to_string_lossy().into_owned(),
                    Err(_) => p.display().to_string(),
                })
                .or(row.name.clone())
                .unwrap_or_else(|| row.location.clone().unwrap_or_default());
            let problem = match (&repo, row.status.as_deref()) {
                (None, status) => Some(format!(
                    "folio batch made no repository for this row ({}){}",
                    status.unwrap_or("no status"),
                    row.error.map(|e| format!(": {e}")).unwrap_or_default()
                )),
                _ => None,
            };
            Entry {
                student: row.student.or(row.name),
                repo,
                shown,
                problem,
            }
        })
        .collect())
}

/// Where a report's repository is now: its recorded path (absolute, or relative to the
/// cohort folder), or, when the cohort folder was moved or copied since, the folder of the same
/// name inside it.
fn locate(dir: &Path, recorded: PathBuf) -> PathBuf {
    let at = if recorded.is_absolute() {
        recorded.clone()
    } else {
        dir.join(&recorded)
    };
    if at.exists() {
        return at;
    }
    match recorded.file_name() {
        Some(name) if dir.join(name).exists() => dir.join(name),
        _ => at,
    }
}

/// Entries for repository paths given on the command line, in that order, each once.
pub fn from_paths(paths: &[PathBuf], cwd: &Path) -> Vec<Entry> {
    let mut seen = std::collections::BTreeSet::new();
    paths
        .iter()
        .filter(|p| seen.insert((*p).clone()))
        .map(|p| Entry {
            student: None,
            repo: Some(cwd.join(p)),
            shown: p.display().to_string(),
            problem: None,
        })
        .collect()
}
