//! `--format github`: GitHub Actions workflow commands. Each failed rule becomes an annotation on
//! its file and line (`::error` for required rules, `::warning` for the others), shown on the
//! pull request's diff and in the run summary; a closing line gives the score and verdict.

use std::fmt::Write;

use crate::check::report::Report;
use crate::check::rule::{Level, Status};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in report.rules.iter().filter(|r| r.status == Status::Fail) {
        let command = if r.level == Level::Required {
            "error"
        } else {
            "warning"
        };
        let mut message = r.message.clone();
        if let Some(fix) = r.fix {
            message.push_str("\nfix: ");
            message.push_str(fix);
        }
        // One annotation per file the rule points at (first line in it), so each lands in the
        // right place; rules with no file (history) get one unplaced annotation.
        let mut placed = Vec::new();
        for e in &r.evidence {
            let Some(file) = e.file.as_deref() else {
                continue;
            };
            if placed.contains(&file) {
                continue;
            }
            placed.push(file);
            let line = e.line.unwrap_or(1);
            let _ = writeln!(
                out,
                "::{command} file={},line={line},title={}::{}",
                property(file),
                property(&format!("folio check {}", r.id)),
                data(&format!("{}: {message}", e.note))
            );
        }
        if placed.is_empty() {
            let notes: Vec<&str> = r.evidence.iter().map(|e| e.note.as_str()).collect();
            let body = if notes.is_empty() {
                message
            } else {
                format!("{message}\n{}", notes.join("\n"))
            };
            let _ = writeln!(
                out,
                "::{command} title={}::{}",
                property(&format!("folio check {}", r.id)),
                data(&body)
            );
        }
    }
    let s = &report.summary;
    let verdict = match report.failure_reason() {
        None => "passed".to_string(),
        Some(reason) => format!("failed: {reason}"),
    };
    let _ = write!(
        out,
        "folio check: score {}/100 (minimum {}), {} passed, {} failed, {} skipped; {verdict}",
        report.score, report.min_score, s.passed, s.failed, s.skipped
    );
    out
}

/// Escaping of a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
