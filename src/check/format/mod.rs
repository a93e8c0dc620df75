//! The report formats. Each is a pure function from a [`Report`] to text, so every format shows
//! the same results and each can be snapshot-tested without a repository.

mod github;
mod json;
mod junit;
mod markdown;
mod text;

use crate::check::report::Report;
use crate::cli::CheckFormat;

pub fn render(report: &Report, format: CheckFormat) -> String {
    match format {
        CheckFormat::Text => text::render(report),
        CheckFormat::Json => json::render(report),
        CheckFormat::Junit => junit::render(report),
        CheckFormat::Github => github::render(report),
        CheckFormat::Markdown => markdown::render(report),
    }
}

/// One evidence line of the human formats: `file:line: note`, `file: note` or `note`, the
/// location passed through `show` (Markdown puts it in backticks).
fn evidence_line(e: &crate::check::rule::Evidence, show: impl Fn(&str) -> String) -> String {
    match (&e.file, e.line) {
        (Some(f), Some(l)) => format!("{}: {}", show(&format!("{f}:{l}")), e.note),
        (Some(f), None) => format!("{}: {}", show(f), e.note),
        _ => e.note.clone(),
    }
}
