//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), the
//! Code Climate issue shape GitLab reads: one issue per failed rule and file, with
//! `description`, `check_name` (the rule id), `fingerprint`, `severity` and
//! `location.path` / `location.lines.begin`. Required security rules are `critical`, other
//! required rules `major`, recommended ones `minor`. A rule that names no file is placed on the
//! repository root (`.`), line 1. The fingerprint is the SARIF one: rule, file and note.
//! Issues come most severe first.

use serde_json::{Value, json};

use crate::check::report::Report;
use crate::check::rule::{Area, Level};

pub fn render(report: &Report) -> String {
    let mut issues: Vec<Value> = super::findings(report)
        .into_iter()
        .map(|f| {
            let r = f.rule;
            let severity = match (r.level, r.area) {
                (Level::Required, Area::Security) => "critical",
                (Level::Required, _) => "major",
                (Level::Recommended, _) => "minor",
                (Level::Info, _) => "info",
            };
            let (path, line) = match f
                .evidence
                .and_then(|e| e.file.as_deref().map(|p| (p, e.line)))
            {
                Some((path, line)) => (path.to_string(), line.unwrap_or(1).max(1)),
                None => (".".to_string(), 1),
            };
            let mut description = r.message.clone();
            if let Some(e) = f.evidence {
                description = format!("{description}: {}", e.note);
            }
            json!({
                "type": "issue",
                "check_name": r.id,
                "description": description,
                "content": { "body": r.fix.unwrap_or("") },
                "categories": [if r.area == Area::Security { "Security" } else { "Style" }],
                "severity": severity,
                "fingerprint": super::fingerprint(r.id, f.evidence),
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    // Most severe first (stable, so findings of one severity keep their order).
    let rank = |i: &Value| match i["severity"].as_str() {
        Some("critical") => 0,
        Some("major") => 1,
        Some("minor") => 2,
        _ => 3,
    };
    issues.sort_by_key(rank);
    serde_json::to_string_pretty(&issues).expect("the report always serializes")
}
