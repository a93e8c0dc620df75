//! `--format junit`: one `<testsuite>` per area and one `<testcase>` per rule, for CI test
//! report views (GitLab `artifacts:reports:junit`, GitHub test-report actions, Jenkins).
//! A failed rule is a `<failure>` (its type is the level), a skipped one `<skipped>`.

use std::fmt::Write;

use crate::check::report::Report;
use crate::check::rule::{Area, Status};

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"folio check\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        s.total, s.failed, s.skipped
    );
    for area in Area::ALL {
        let rules: Vec<_> = report.rules.iter().filter(|r| r.area == area).collect();
        if rules.is_empty() {
            continue;
        }
        let count = |status| rules.iter().filter(|r| r.status == status).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            area.id(),
            rules.len(),
            count(Status::Fail),
            count(Status::Skip)
        );
        for r in rules {
            let _ = write!(
                out,
                "    <testcase classname=\"folio.check.{}\" name=\"{}\"",
                area.id(),
                escape(r.id)
            );
            if let Some(file) = r.evidence.iter().find_map(|e| e.file.as_deref()) {
                let _ = write!(out, " file=\"{}\"", escape(&super::visible(file)));
            }
            match r.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Skip | Status::NotApplicable => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(&super::visible(&r.message))
                    );
                }
                Status::Fail => {
                    let mut body = String::new();
                    for e in &r.evidence {
                        let line = super::evidence_line(e, str::to_string, |n| {
                            super::visible(n).into_owned()
                        });
                        let _ = writeln!(body, "{line}");
                    }
                    if let Some(fix) = r.fix {
                        let _ = write!(body, "fix: {fix}");
                    }
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        escape(&super::visible(&r.message)),
                        r.level.id(),
                        escape(&body)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>");
    out
}

/// XML text and attribute escaping; characters XML 1.0 forbids are dropped, other control
/// characters written as visible escapes (a newline in a body stays a newline).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c != '\n' && c.is_control() && c != '\t' && c != '\r' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
