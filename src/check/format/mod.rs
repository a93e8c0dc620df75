//! The report formats. Each is a pure function from a [`Report`] to text, so every format shows
//! the same results and each can be snapshot-tested without a repository.
//!
//! Everything a format prints that came from the repository (paths, file lines, commit subjects)
//! is hostile input: a tracked file may be named `x\n::warning::...` to forge a GitHub workflow
//! command, or carry terminal escape sequences. So the human formats pass every such string
//! through [`visible`], which writes control characters as escapes (`\n`, `\u{1b}`), and each
//! format adds its own quoting on top (workflow-command escaping, Markdown backslashes, XML
//! entities; JSON-based formats rely on JSON's own escaping).

mod github;
mod gitlab;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::borrow::Cow;

use clap::ValueEnum;

use crate::check::report::Report;
use crate::check::rule::Evidence;

/// The report formats, as `--format` names them. The check library owns the list; `cli` uses it
/// as it uses `answers::Db`, so the library never imports the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Github,
    Markdown,
    Sarif,
    Gitlab,
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Gitlab => gitlab::render(report),
    }
}

/// `s` with every control character (C0, DEL, C1, line and paragraph separators, bidirectional
/// overrides) written as a visible escape, so it stays on one line and cannot drive a terminal.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A path for a human format: [`visible`], and never starting with `::` or `-`, so even a log
/// reader that trims indentation cannot take the line for a workflow command or an option.
pub fn visible_path(path: &str) -> String {
    let shown = visible(path);
    if shown.starts_with(':') || shown.starts_with('-') {
        format!("./{shown}")
    } else {
        shown.into_owned()
    }
}

/// One evidence line of the human formats: `file:line: note`, `file: note` or `note`, the
/// location passed through `show` and the note through `note` (Markdown escapes both).
fn evidence_line(
    e: &Evidence,
    show: impl Fn(&str) -> String,
    note: impl Fn(&str) -> String,
) -> String {
    match (&e.file, e.line) {
        (Some(f), Some(l)) => format!(
            "{}: {}",
            show(&format!("{}:{l}", visible_path(f))),
            note(&e.note)
        ),
        (Some(f), None) => format!("{}: {}", show(&visible_path(f)), note(&e.note)),
        _ => note(&e.note),
    }
}

/// A stable fingerprint of one finding: its rule, file and note, not its line (which moves as
/// the file is edited), so code-scanning and Code Quality views track it across commits.
fn fingerprint(rule: &str, e: Option<&Evidence>) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(rule.as_bytes());
    if let Some(e) = e {
        h.update([0]);
        h.update(e.file.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
        h.update(e.note.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The findings of a report in order of importance: required failures first (in catalogue
/// order), then recommended ones; for each, the evidence grouped by file (the first evidence of
/// each file is where an annotation goes).
fn findings(report: &Report) -> Vec<Finding<'_>> {
    use crate::check::rule::{Level, Status};
    let mut failed: Vec<_> = report
        .rules
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    failed.sort_by_key(|r| match r.level {
        Level::Required => 0,
        Level::Recommended => 1,
        Level::Info => 2,
    });
    let mut out = Vec::new();
    for r in failed {
        let mut placed: Vec<&str> = Vec::new();
        for e in &r.evidence {
            let Some(file) = e.file.as_deref() else {
                continue;
            };
            if placed.contains(&file) {
                continue;
            }
            placed.push(file);
            out.push(Finding {
                rule: r,
                evidence: Some(e),
                rank: placed.len(),
            });
        }
        if placed.is_empty() {
            out.push(Finding {
                rule: r,
                evidence: r.evidence.first(),
                rank: 1,
            });
        }
    }
    // Each rule's first finding before any rule's second: the ten findings a viewer shows first
    // are then ten different problems, most important first.
    out.sort_by_key(|f| f.rank);
    out
}

/// One place a failed rule points at.
struct Finding<'r> {
    rule: &'r crate::check::report::RuleResult,
    /// The evidence with the file (first of that file), or the first note for a file-less rule.
    evidence: Option<&'r Evidence>,
    /// 1 for the rule's first file, 2 for its second, ...
    rank: usize,
}

impl Finding<'_> {
    /// The file-less notes of the rule (history rules, "looked for ..." notes), joined.
    fn notes(&self) -> Vec<&str> {
        self.rule
            .evidence
            .iter()
            .filter(|e| e.file.is_none())
            .map(|e| e.note.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(visible("a\nb\r\u{1b}[2J\u{7}"), "a\\nb\\r\\u{1b}[2J\\u{7}");
        assert_eq!(visible("plain é"), "plain é");
        assert_eq!(visible_path("::warning file=x::X"), "./::warning file=x::X");
    }
}
