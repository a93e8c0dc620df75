//! `--format github`: GitHub Actions workflow commands. Each failed rule becomes an annotation on
//! its file and line (`::error` for required rules, `::warning` for the others), shown on the
//! pull request's diff and in the run summary; a closing line gives the score and verdict.
//!
//! GitHub shows only the first ten annotations of each type per step, so they come in order of
//! importance: every failed rule's first annotation (required rules first) before any rule's
//! second. Every value is escaped as GitHub documents for workflow commands (`%`, CR and LF in
//! the message; also `:` and `,` in properties), so a hostile file name cannot end the command
//! and start another on a new line; other control characters are made visible.

use std::fmt::Write;

use crate::check::report::Report;
use crate::check::rule::Level;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in super::findings(report) {
        let r = f.rule;
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
        let title = property(&format!("folio check {}", r.id));
        match f
            .evidence
            .and_then(|e| e.file.as_deref().map(|file| (e, file)))
        {
            Some((e, file)) => {
                let line = e.line.unwrap_or(1);
                let _ = writeln!(
                    out,
                    "::{command} file={},line={line},title={title}::{}",
                    property(file),
                    data(&format!("{}: {message}", e.note))
                );
            }
            None => {
                let notes = f.notes();
                let body = if notes.is_empty() {
                    message
                } else {
                    format!("{message}\n{}", notes.join("\n"))
                };
                let _ = writeln!(out, "::{command} title={title}::{}", data(&body));
            }
        }
    }
    let s = &report.summary;
    let verdict = match report.failure_reason() {
        None => "passed".to_string(),
        Some(reason) => format!("failed: {reason}"),
    };
    let _ = write!(
        out,
        "folio check: score {}/100 (minimum {}), {} passed, {} failed, {} skipped, {} not applicable; {verdict}",
        report.score, report.min_score, s.passed, s.failed, s.skipped, s.not_applicable
    );
    out
}

/// Escaping of a workflow command's message: `%`, CR and LF as GitHub documents; any other
/// control character made visible first, so it reaches the log as text.
fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Escaping of a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_value_can_end_the_command() {
        let hostile = "evil\n::warning file=x::X\r\u{1b}]0;t\u{7}";
        let d = super::data(hostile);
        assert!(!d.contains('\n') && !d.contains('\r') && !d.contains('\u{1b}'));
        assert_eq!(super::property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
