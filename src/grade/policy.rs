//! The check policy a repository is graded under: the rubric's, never weakened by the student.
//!
//! The rubric's required items become requirements the student's file cannot silence, and the
//! rubric's `[[ignore]]` entries are the only ignores honoured. A student's `.folio.toml`
//! `[check]` table is still read: its `require` entries are added (a student may raise the
//! bar), and each of its ignores is recorded as refused, so the feedback says where every
//! ignore came from and what became of it.

use std::path::Path;

use serde::Serialize;

use crate::check::policy::{Ignore, Policy, Selector, Source};
use crate::grade::rubric::Rubric;

/// Where an ignore came from, and whether grading honoured it.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoreRecord {
    /// The rule or area as written.
    pub rule: String,
    /// `rubric` or `student` (the repository's `.folio.toml`).
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A student's ignore is always refused: the rubric sets the bar.
    pub refused: bool,
}

/// The policy and the record of its ignores; `notes` say what could not be read.
pub struct GradePolicy {
    pub policy: Policy,
    pub ignores: Vec<IgnoreRecord>,
    pub notes: Vec<String>,
}

pub fn resolve(rubric: &Rubric, student_table: Option<&toml::Table>) -> GradePolicy {
    let mut policy = Policy::resolve(None, None, &[], &[]).expect("an empty policy resolves");
    let mut ignores = Vec::new();
    let mut notes = Vec::new();
    for item in rubric.items.iter().filter(|i| i.required) {
        if let Some(selector) = item.selector {
            policy.require.push((selector, Source::Flag));
        }
    }
    for ignore in &rubric.ignores {
        policy.ignore.push(Ignore {
            selector: ignore.selector,
            source: Source::Flag,
            reason: Some(ignore.reason.clone()),
            until: None,
        });
        ignores.push(IgnoreRecord {
            rule: ignore.text.clone(),
            source: "rubric",
            reason: Some(ignore.reason.clone()),
            refused: false,
        });
    }
    if let Some(table) = student_table {
        match Policy::resolve(Some((Path::new(".folio.toml"), table)), None, &[], &[]) {
            Ok(theirs) => {
                policy
                    .require
                    .extend(theirs.require.into_iter().map(|(s, _)| (s, Source::File)));
                for ignore in theirs.ignore {
                    ignores.push(IgnoreRecord {
                        rule: selector_text(ignore.selector),
                        source: "student",
                        reason: ignore.reason,
                        refused: true,
                    });
                }
            }
            Err(e) => notes.push(format!(
                "the [check] table of .folio.toml was not used: {e}"
            )),
        }
    }
    GradePolicy {
        policy,
        ignores,
        notes,
    }
}

pub fn selector_text(selector: Selector) -> String {
    match selector {
        Selector::Area(area) => area.id().to_string(),
        Selector::Rule(id) => id.to_string(),
    }
}
