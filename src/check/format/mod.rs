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

/// `file:line`, `file`, or nothing, for the evidence line of the human formats.
fn location(e: &crate::check::rule::Evidence) -> Option<String> {
    match (&e.file, e.line) {
        (Some(f), Some(l)) => Some(format!("{f}:{l}")),
        (Some(f), None) => Some(f.clone()),
        _ => None,
    }
}
