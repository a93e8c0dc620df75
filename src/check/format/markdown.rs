//! `--format markdown`: for a GitHub job summary (`>> $GITHUB_STEP_SUMMARY`) or a merge-request
//! comment. A verdict line, a table of every rule by area, then the failures with evidence and fix.
//!
//! Text from the repository is escaped for Markdown (every markup character backslashed, control
//! characters made visible), so a file name cannot break the table, add a link or inject HTML
//! into the summary.

use std::fmt::Write;

use crate::check::report::Report;
use crate::check::rule::{Area, Level, Status};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let (icon, verdict) = match report.failure_reason() {
        None => ("✅", "passed".to_string()),
        Some(reason) => ("❌", format!("failed: {reason}")),
    };
    let _ = writeln!(out, "## {icon} folio check: {}\n", escape(&verdict));
    let s = &report.summary;
    let _ = writeln!(
        out,
        "**Score {}/100** (minimum {}) · {} passed · {} failed ({} required) · {} skipped · {} not applicable\n",
        report.score,
        report.min_score,
        s.passed,
        s.failed,
        s.required_failed,
        s.skipped,
        s.not_applicable
    );
    out.push_str("| Area | Rule | Level | Result | Details |\n|---|---|---|---|---|\n");
    for area in Area::ALL {
        for r in report.rules.iter().filter(|r| r.area == area) {
            let result = match (r.status, r.level) {
                (Status::Pass, _) => "✅ pass",
                (Status::Fail, Level::Required) => "❌ fail",
                (Status::Fail, _) => "⚠️ fail",
                (Status::Skip, _) => "⏭️ skip",
                (Status::NotApplicable, _) => "➖ n/a",
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {result} | {} |",
                area.id(),
                r.id,
                r.level.id(),
                escape(&r.message)
            );
        }
    }
    let failures: Vec<_> = report
        .rules
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    if !failures.is_empty() {
        out.push_str("\n### What to fix\n");
        for r in failures {
            let _ = writeln!(
                out,
                "\n**`{}`** ({}): {}\n",
                r.id,
                r.level.id(),
                escape(&r.message)
            );
            for e in &r.evidence {
                let line = super::evidence_line(e, escape, escape);
                let _ = writeln!(out, "- {line}");
            }
            if let Some(fix) = r.fix {
                let _ = writeln!(out, "- **Fix:** {}", escape(fix));
            }
        }
    }
    out.trim_end().to_string()
}

/// Text safe anywhere in a Markdown line or table cell: control characters made visible, and
/// every character with a Markdown or HTML meaning backslash-escaped (CommonMark allows a
/// backslash before any ASCII punctuation; GFM tables honour `\|`). `:` and `@` are escaped so
/// GitHub's extended autolinks do not turn a file name into a link.
pub fn escape(s: &str) -> String {
    let s = super::visible(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '<'
                | '>'
                | '('
                | ')'
                | '#'
                | '+'
                | '!'
                | '|'
                | '~'
                | '&'
                | '$'
                | ':'
                | '@'
                | '='
                | '"'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            super::escape("a|b\n<img src=x>[l](u)"),
            "a\\|b\\\\n\\<img src\\=x\\>\\[l\\]\\(u\\)"
        );
    }
}
