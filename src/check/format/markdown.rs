//! `--format markdown`: for a GitHub job summary (`>> $GITHUB_STEP_SUMMARY`) or a merge-request
//! comment. A verdict line, a table of every rule by area, then the failures with evidence and fix.

use std::fmt::Write;

use crate::check::report::Report;
use crate::check::rule::{Area, Level, Status};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let (icon, verdict) = match report.failure_reason() {
        None => ("✅", "passed".to_string()),
        Some(reason) => ("❌", format!("failed: {reason}")),
    };
    let _ = writeln!(out, "## {icon} folio check: {verdict}\n");
    let s = &report.summary;
    let _ = writeln!(
        out,
        "**Score {}/100** (minimum {}) · {} passed · {} failed ({} required) · {} skipped\n",
        report.score, report.min_score, s.passed, s.failed, s.required_failed, s.skipped
    );
    out.push_str("| Area | Rule | Level | Result | Details |\n|---|---|---|---|---|\n");
    for area in Area::ALL {
        for r in report.rules.iter().filter(|r| r.area == area) {
            let result = match (r.status, r.level) {
                (Status::Pass, _) => "✅ pass",
                (Status::Fail, Level::Required) => "❌ fail",
                (Status::Fail, _) => "⚠️ fail",
                (Status::Skip, _) => "⏭️ skip",
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {result} | {} |",
                area.id(),
                r.id,
                r.level.id(),
                cell(&r.message)
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
            let _ = writeln!(out, "\n**`{}`** ({}): {}\n", r.id, r.level.id(), r.message);
            for e in &r.evidence {
                let line = super::evidence_line(e, |at| format!("`{at}`"));
                let _ = writeln!(out, "- {line}");
            }
            if let Some(fix) = r.fix {
                let _ = writeln!(out, "- **Fix:** {fix}");
            }
        }
    }
    out.trim_end().to_string()
}

/// A table cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
