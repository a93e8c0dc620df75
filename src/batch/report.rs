//! What a batch did, row by row: printed as it goes and saved as `batch-report.json`.
//!
//! The JSON report is for scripts (e.g. to push each repository afterwards), so its shape is
//! stable: `folio_version`, `summary` counts by status, and `rows[]` with row, location, student,
//! name, path, status, commit, remote and error.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::batch::Job;
use crate::batch::roster::RosterRow;
use crate::error::{Error, Result};

/// The report's file name, in the output folder.
pub const REPORT_FILE: &str = "batch-report.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A new repository with its first commit.
    Created,
    /// `--force` wrote the template's files into an existing repository.
    Overwritten,
    /// The repository existed; nothing was touched.
    Skipped,
    /// `--dry-run`: it would be created.
    Planned,
    /// The row itself is wrong (no name, bad name, duplicate, unknown stack).
    Invalid,
    /// Generating it failed (e.g. the disk is full).
    Failed,
    /// Interrupted or `--fail-fast` before it started.
    NotStarted,
}

impl Status {
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Invalid | Status::Failed | Status::NotStarted)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Overwritten => "overwritten",
            Status::Skipped => "skipped",
            Status::Planned => "planned",
            Status::Invalid => "invalid",
            Status::Failed => "failed",
            Status::NotStarted => "not started",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    pub row: usize,
    pub location: String,
    pub student: Option<String>,
    pub name: Option<String>,
    pub stack: Option<String>,
    pub path: Option<PathBuf>,
    pub status: Status,
    pub commit: Option<String>,
    pub remote: Option<String>,
    pub error: Option<String>,
    /// Where a `--force` rerun moved the student's files that the template replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
}

impl RowResult {
    pub fn invalid(row: &RosterRow, name: Option<String>, error: String) -> Self {
        RowResult {
            row: row.number,
            location: row.location.clone(),
            student: row.fields.get("name").cloned(),
            name,
            stack: None,
            path: None,
            status: Status::Invalid,
            commit: None,
            remote: None,
            error: Some(error),
            backup: None,
        }
    }

    pub fn from_job(
        job: &Job,
        status: Status,
        commit: Option<String>,
        error: Option<String>,
    ) -> Self {
        RowResult {
            row: job.row.number,
            location: job.row.location.clone(),
            student: Some(job.answers.student.clone()),
            name: Some(job.answers.name.to_string()),
            stack: Some(job.stack.manifest.id.clone()),
            path: Some(job.target.clone()),
            status,
            commit,
            remote: job.remote.clone(),
            error,
            backup: None,
        }
    }

    /// One line for the terminal.
    pub fn line(&self) -> String {
        let who = self
            .name
            .as_deref()
            .or(self.student.as_deref())
            .unwrap_or("(no name)");
        let mut line = format!("{:<12} {who} ({})", self.status.label(), self.location);
        if let Some(error) = &self.error {
            line.push_str(": ");
            line.push_str(error);
        }
        if let Some(backup) = &self.backup {
            line.push_str(&format!(
                ": replaced files of the student's moved into {}",
                backup.display()
            ));
        }
        line
    }
}

#[derive(Serialize)]
struct Report<'a> {
    folio_version: &'a str,
    roster: &'a Path,
    summary: Summary,
    rows: &'a [RowResult],
}

#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub created: usize,
    pub overwritten: usize,
    pub skipped: usize,
    pub planned: usize,
    pub invalid: usize,
    pub failed: usize,
    pub not_started: usize,
}

impl Summary {
    pub fn of(rows: &[RowResult]) -> Self {
        let mut s = Summary::default();
        for row in rows {
            let slot = match row.status {
                Status::Created => &mut s.created,
                Status::Overwritten => &mut s.overwritten,
                Status::Skipped => &mut s.skipped,
                Status::Planned => &mut s.planned,
                Status::Invalid => &mut s.invalid,
                Status::Failed => &mut s.failed,
                Status::NotStarted => &mut s.not_started,
            };
            *slot += 1;
        }
        s
    }

    pub fn problems(&self) -> usize {
        self.invalid + self.failed + self.not_started
    }
}

/// Writes the report into the output folder and returns its path.
pub fn write(out: &Path, roster: &Path, rows: &[RowResult]) -> Result<PathBuf> {
    let report = Report {
        folio_version: crate::version::VERSION,
        roster,
        summary: Summary::of(rows),
        rows,
    };
    let path = out.join(REPORT_FILE);
    let text = serde_json::to_string_pretty(&report).expect("the report always serializes");
    std::fs::create_dir_all(out).map_err(|e| Error::io("create the folder", out, e))?;
    std::fs::write(&path, text + "\n").map_err(|e| Error::io("write", &path, e))?;
    Ok(path)
}
