//! `--format sarif`: a SARIF 2.1.0 log for code-scanning views (GitHub code scanning through
//! `github/codeql-action/upload-sarif`, Azure DevOps, IDE SARIF viewers).
//!
//! One run; the driver lists every rule with its stable id (`docs.readme`), title, fix as help
//! text and a page explaining the practice. Each failed rule gives one result per file it points
//! at (required rules at level `error`, recommended ones `warning`), with a
//! `partialFingerprints` entry built from the rule, file and note but not the line, so a finding
//! keeps its identity as the file around it changes. A rule that names no file is placed on the
//! repository root. The run's properties carry the score and verdict. `tests/check_formats.rs`
//! validates the output against the official 2.1.0 schema.

use serde_json::{Value, json};

use crate::check::report::Report;
use crate::check::rule::Level;
use crate::check::rules::RULES;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of folio's fingerprint; bump the suffix if the recipe ever changes.
pub const FINGERPRINT_KEY: &str = "folioFinding/v1";

fn level(l: Level) -> &'static str {
    match l {
        Level::Required => "error",
        Level::Recommended => "warning",
        Level::Info => "note",
    }
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": camel(r.id),
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": format!("{} ({} rule of the {} area)", r.title, r.level.id(), r.area.id()) },
                "help": {
                    "text": format!("Fix: {}\nWhy: {}", r.fix, r.help_url),
                    "markdown": format!("**Fix:** {}\n\n[Why this matters]({})", r.fix, r.help_url),
                },
                "helpUri": r.help_url,
                "defaultConfiguration": { "level": level(r.level) },
                "properties": { "tags": [r.area.id(), r.level.id()] },
            })
        })
        .collect();
    let results: Vec<Value> = super::findings(report)
        .into_iter()
        .map(|f| {
            let r = f.rule;
            let index = RULES.iter().position(|rule| rule.id == r.id).unwrap_or(0);
            let mut text = r.message.clone();
            if let Some(e) = f.evidence {
                text = format!("{text}: {}", e.note);
            }
            if let Some(fix) = r.fix {
                text = format!("{text}. Fix: {fix}");
            }
            let (uri, line) = match f
                .evidence
                .and_then(|e| e.file.as_deref().map(|p| (p, e.line)))
            {
                Some((path, line)) => (uri_of(path), line),
                None => (".".to_string(), None),
            };
            let mut physical = json!({
                "artifactLocation": { "uri": uri, "uriBaseId": "SRCROOT" },
            });
            if let Some(line) = line.filter(|l| *l >= 1) {
                physical["region"] = json!({ "startLine": line });
            }
            json!({
                "ruleId": r.id,
                "ruleIndex": index,
                "level": level(r.level),
                "message": { "text": text },
                "locations": [ { "physicalLocation": physical } ],
                "partialFingerprints": { FINGERPRINT_KEY: super::fingerprint(r.id, f.evidence) },
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "folio check",
                "version": report.folio_version,
                "semanticVersion": report.folio_version,
                "rules": rules,
            }},
            "originalUriBaseIds": { "SRCROOT": { "description": { "text": "The root of the checked git work tree." } } },
            "invocations": [{ "executionSuccessful": true }],
            "results": results,
            "properties": {
                "score": report.score,
                "minScore": report.min_score,
                "passed": report.passed,
            },
        }],
    });
    serde_json::to_string_pretty(&log).expect("the log always serializes")
}

/// `docs.readme` -> `DocsReadme`: SARIF's human-readable rule name.
fn camel(id: &str) -> String {
    id.split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A relative URI reference for a `/`-separated path: every byte outside RFC 3986's unreserved
/// set and `/` percent-encoded, so spaces, `#`, `%` and control characters survive.
fn uri_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_uris() {
        assert_eq!(
            super::camel("security.no-cloud-keys"),
            "SecurityNoCloudKeys"
        );
        assert_eq!(super::uri_of("a b/#x\n"), "a%20b/%23x%0A");
    }
}
