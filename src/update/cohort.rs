//! `folio update DIR...`: many repositories at once, e.g. a cohort made by `folio batch`.
//!
//! A folder holding a `batch-report.json` stands for the repositories that report lists. Each
//! repository is updated on its own (in parallel); a refusal or a failure is that repository's
//! row and never stops the others.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::batch::report::REPORT_FILE;
use crate::error::{Error, Result};
use crate::update::{Mode, Outcome, Renderer, Request, sets::Assignment, update};

/// The largest batch report folio reads (a cohort of thousands is a few MB).
const MAX_REPORT_BYTES: u64 = 32 * 1024 * 1024;

/// One repository's row of a cohort update.
#[derive(Debug, Clone, Serialize)]
pub struct RepoResult {
    pub path: PathBuf,
    #[serde(flatten)]
    pub result: RepoStatus,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum RepoStatus {
    Done(Outcome),
    Refused {
        status: &'static str,
        error: String,
        hint: Option<String>,
    },
}

/// The repositories the given paths stand for, in order, each once.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut repos = Vec::new();
    for path in paths {
        let report = path.join(REPORT_FILE);
        if report.is_file() && !path.join(".git").exists() {
            repos.extend(from_report(path, &report)?);
        } else {
            repos.push(path.clone());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    repos.retain(|p| seen.insert(p.clone()));
    Ok(repos)
}

/// The repositories a `folio batch` report lists (rows that made or kept one).
fn from_report(folder: &Path, report: &Path) -> Result<Vec<PathBuf>> {
    #[derive(serde::Deserialize)]
    struct Report {
        rows: Vec<Row>,
    }
    #[derive(serde::Deserialize)]
    struct Row {
        path: Option<PathBuf>,
    }
    let invalid = |message: String| Error::UpdateRefused {
        path: report.to_path_buf(),
        reason: message,
        fix:
            "pass the repositories' folders instead, or rerun `folio batch` to rewrite the report."
                .into(),
    };
    let size = std::fs::metadata(report)
        .map_err(|e| Error::io("read", report, e))?
        .len();
    if size > MAX_REPORT_BYTES {
        return Err(invalid(format!(
            "it is larger than {MAX_REPORT_BYTES} bytes"
        )));
    }
    let text = std::fs::read_to_string(report).map_err(|e| Error::io("read", report, e))?;
    let parsed: Report = serde_json::from_str(&text)
        .map_err(|e| invalid(format!("it is not a folio batch report ({e})")))?;
    Ok(parsed
        .rows
        .into_iter()
        .filter_map(|r| r.path)
        .map(|p| if p.is_absolute() { p } else { folder.join(p) })
        .filter(|p| p.is_dir())
        .collect())
}

/// Updates every repository, at most `jobs` at a time.
pub fn update_all(
    repos: &[PathBuf],
    sets: &[Assignment],
    base: Option<&str>,
    mode: Mode,
    jobs: usize,
    render: &Renderer<'_>,
    on_done: &(dyn Fn(&RepoResult) + Sync),
) -> Vec<RepoResult> {
    let run = || {
        repos
            .par_iter()
            .map(|dir| {
                let request = Request {
                    dir: dir.clone(),
                    sets,
                    base,
                    mode,
                };
                let result = match update(&request, render) {
                    Ok(outcome) => RepoStatus::Done(outcome),
                    Err(e) => RepoStatus::Refused {
                        status: "refused",
                        error: e.to_string(),
                        hint: e.hint(),
                    },
                };
                let row = RepoResult {
                    path: dir.clone(),
                    result,
                };
                on_done(&row);
                row
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}
