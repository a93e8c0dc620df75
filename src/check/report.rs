//! The report: every rule's result under the policy, the score, and the verdict.
//!
//! This struct *is* the `--format json` document (serde derives it), and every other format is
//! rendered from it, so all formats always agree. `SCHEMA_VERSION` goes up only on a breaking
//! change; new fields may appear without it. The JSON Schema is `docs/check-report.schema.json`.

use serde::Serialize;

use crate::check::lang::Language;
use crate::check::policy::{Policy, Source};
use crate::check::project::Project;
use crate::check::rule::{Area, Evidence, Level, Status};
use crate::check::rules::RULES;

/// The version of the report's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub folio_version: &'static str,
    /// The checked folder, as given on the command line.
    pub path: String,
    pub languages: Languages,
    /// Set when the repository tracks a `.folio.toml` naming its stack.
    pub generated_by: Option<GeneratedBy>,
    pub score: u8,
    pub min_score: u8,
    /// Every required rule passed and the score is at least `min_score`.
    pub passed: bool,
    pub summary: Summary,
    pub rules: Vec<RuleResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Languages {
    pub judged: Vec<Language>,
    /// Languages present that folio has no rules for.
    pub not_judged: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GeneratedBy {
    pub stack: String,
    pub folio_version: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_applicable: usize,
    pub required_failed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub id: &'static str,
    pub area: Area,
    pub level: Level,
    pub title: &'static str,
    pub status: Status,
    /// What was found; for a skip, why the rule did not apply.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The next step; present on failures only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<&'static str>,
    /// Set when the policy ignored the rule: where the ignore came from, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<Ignored>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    /// `flag` (--ignore) or `folio.toml` (the tracked `[check]` table).
    pub by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl Report {
    /// Runs every rule on `project` under `policy`.
    pub fn build(project: &Project, policy: &Policy, path: String) -> Self {
        let prefix = project.snapshot.prefix.as_str();
        let rules: Vec<RuleResult> = RULES
            .iter()
            .map(|rule| {
                let level = policy.level(rule);
                if let Some(ignore) = policy.ignore_of(rule) {
                    return RuleResult {
                        id: rule.id,
                        area: rule.area,
                        level,
                        title: rule.title,
                        status: Status::Skip,
                        message: ignore.describe(),
                        evidence: Vec::new(),
                        fix: None,
                        ignored: Some(Ignored {
                            by: match ignore.source {
                                Source::Flag => "flag",
                                Source::File => "folio.toml",
                            },
                            reason: ignore.reason.clone(),
                            until: ignore.until.clone(),
                        }),
                    };
                }
                let mut outcome = (rule.check)(project);
                for lapsed in policy.lapsed_ignores(rule) {
                    outcome.evidence.push(Evidence::note(format!(
                        "an ignore in .folio.toml lapsed on {}, so the rule is judged again",
                        lapsed.until.as_deref().unwrap_or("?")
                    )));
                }
                // Evidence paths are relative to the repository root, where CI annotations and
                // editors resolve them, even when a sub-folder was checked (a rule points at a
                // repository-wide file such as the top LICENSE with `../`).
                for e in &mut outcome.evidence {
                    if let Some(file) = &mut e.file {
                        *file = join_relative(prefix, file);
                    }
                }
                RuleResult {
                    id: rule.id,
                    area: rule.area,
                    level,
                    title: rule.title,
                    status: outcome.status,
                    fix: (outcome.status == Status::Fail).then_some(rule.fix),
                    message: outcome.message,
                    evidence: outcome.evidence,
                    ignored: None,
                }
            })
            .collect();
        let score = score(&rules);
        let summary = Summary {
            total: rules.len(),
            passed: rules.iter().filter(|r| r.status == Status::Pass).count(),
            failed: rules.iter().filter(|r| r.status == Status::Fail).count(),
            skipped: rules.iter().filter(|r| r.status == Status::Skip).count(),
            not_applicable: rules
                .iter()
                .filter(|r| r.status == Status::NotApplicable)
                .count(),
            required_failed: rules.iter().filter(|r| r.is_required_failure()).count(),
        };
        let generated_by = project.provenance.as_ref().and_then(|p| {
            p.stack.as_ref().map(|stack| GeneratedBy {
                stack: stack.clone(),
                folio_version: p.folio_version.clone(),
            })
        });
        Report {
            schema_version: SCHEMA_VERSION,
            folio_version: crate::VERSION,
            path,
            languages: Languages {
                judged: project.languages.judged().collect(),
                not_judged: project.languages.not_judged.clone(),
            },
            generated_by,
            passed: summary.required_failed == 0 && score >= policy.min_score,
            score,
            min_score: policy.min_score,
            summary,
            rules,
        }
    }

    /// Why the check failed, in one sentence; `None` when it passed.
    pub fn failure_reason(&self) -> Option<String> {
        if self.passed {
            return None;
        }
        let required: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| r.is_required_failure())
            .map(|r| r.id)
            .collect();
        let mut reasons = Vec::new();
        if !required.is_empty() {
            reasons.push(format!(
                "{} required rule{} failed ({})",
                required.len(),
                if required.len() == 1 { "" } else { "s" },
                required.join(", ")
            ));
        }
        if self.score < self.min_score {
            reasons.push(format!(
                "the score {} is below the minimum {}",
                self.score, self.min_score
            ));
        }
        Some(reasons.join("; "))
    }
}

impl RuleResult {
    pub fn is_required_failure(&self) -> bool {
        self.status == Status::Fail && self.level == Level::Required
    }
}

/// Points of the passed rules over points of the judged ones, as a percentage rounded down, so
/// 100 means nothing failed. Skipped and not-applicable rules are out of the count; informational
/// ones weigh nothing. docs/check-in-ci.md explains the weights.
fn score(rules: &[RuleResult]) -> u8 {
    let judged = rules.iter().filter(|r| r.status.is_judged());
    let (mut got, mut max) = (0u32, 0u32);
    for r in judged {
        max += r.level.weight();
        if r.status == Status::Pass {
            got += r.level.weight();
        }
    }
    (got * 100).checked_div(max).map_or(100, |s| s as u8)
}

/// `prefix` (empty or ending in `/`) joined with a `/`-separated path that may climb out of it
/// with `..`; the result never climbs above the work tree.
pub fn join_relative(prefix: &str, path: &str) -> String {
    let mut parts: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn evidence_paths_climb_out_of_the_checked_folder() {
        assert_eq!(super::join_relative("", "src/a.py"), "src/a.py");
        assert_eq!(super::join_relative("svc/api/", "app.py"), "svc/api/app.py");
        assert_eq!(super::join_relative("svc/api/", "../../LICENSE"), "LICENSE");
    }
}
