//! The report formats. Each is a pure function from a [`Report`] to text, so every format shows
//! the same results and each can be snapshot-tested without a repository.

mod github;
mod json;
mod junit;
mod markdown;
mod text;

use clap::ValueEnum;

use crate::check::report::Report;

/// The report formats, as `--format` names them. The check library owns the list; `cli` uses it
/// as it uses `answers::Db`, so the library never imports the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Github,
    Markdown,
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
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
