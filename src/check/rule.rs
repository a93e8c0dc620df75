//! The vocabulary of a check: areas, levels, statuses, evidence, and what one rule returns.
//!
//! These names are part of the `--format json` contract (`docs/check-report.schema.json`), so a
//! rename here is a breaking change of the report: add, never rename.

use serde::Serialize;

/// The part of the portfolio checklist a rule belongs to; `--require AREA` selects all its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Docs,
    Tests,
    Ci,
    Api,
    Database,
    Auth,
    Deploy,
    Monitoring,
    Security,
    Deps,
    Git,
    Provenance,
}

impl Area {
    pub const ALL: [Area; 12] = [
        Area::Docs,
        Area::Tests,
        Area::Ci,
        Area::Api,
        Area::Database,
        Area::Auth,
        Area::Deploy,
        Area::Monitoring,
        Area::Security,
        Area::Deps,
        Area::Git,
        Area::Provenance,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Area::Docs => "docs",
            Area::Tests => "tests",
            Area::Ci => "ci",
            Area::Api => "api",
            Area::Database => "database",
            Area::Auth => "auth",
            Area::Deploy => "deploy",
            Area::Monitoring => "monitoring",
            Area::Security => "security",
            Area::Deps => "deps",
            Area::Git => "git",
            Area::Provenance => "provenance",
        }
    }

    /// A heading for people.
    pub fn title(self) -> &'static str {
        match self {
            Area::Docs => "Documentation",
            Area::Tests => "Tests",
            Area::Ci => "Continuous integration",
            Area::Api => "API",
            Area::Database => "Database",
            Area::Auth => "Authentication",
            Area::Deploy => "Deployment",
            Area::Monitoring => "Monitoring",
            Area::Security => "Security",
            Area::Deps => "Dependencies",
            Area::Git => "Git hygiene",
            Area::Provenance => "Provenance",
        }
    }
}

/// How much a rule matters. Required rules gate the exit code; recommended ones only lower the
/// score; informational ones are reported and never scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Required,
    Recommended,
    Info,
}

impl Level {
    pub fn id(self) -> &'static str {
        match self {
            Level::Required => "required",
            Level::Recommended => "recommended",
            Level::Info => "info",
        }
    }

    /// Points a rule is worth in the score.
    pub fn weight(self) -> u32 {
        match self {
            Level::Required => 2,
            Level::Recommended => 1,
            Level::Info => 0,
        }
    }
}

/// A rule's result. `Skip` means it could not be judged here (no language folio knows, a
/// shallow clone, ignored by policy); `NotApplicable` means it was judged and does not apply
/// (auth rules on a service without users). Neither counts in the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Skip,
    NotApplicable,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// Whether the result counts in the score.
    pub fn is_judged(self) -> bool {
        matches!(self, Status::Pass | Status::Fail)
    }
}

/// Where a rule looked: a file and line when there is one, and what was seen there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub note: String,
}

impl Evidence {
    pub fn at(file: impl Into<String>, line: u32, note: impl Into<String>) -> Self {
        Evidence {
            file: Some(file.into()),
            line: Some(line),
            note: note.into(),
        }
    }

    /// A whole file, with no particular line.
    pub fn file(file: impl Into<String>, note: impl Into<String>) -> Self {
        Evidence {
            file: Some(file.into()),
            line: None,
            note: note.into(),
        }
    }

    /// Something that lives in no file, such as a commit.
    pub fn note(note: impl Into<String>) -> Self {
        Evidence {
            file: None,
            line: None,
            note: note.into(),
        }
    }
}

/// What a rule found: its status, one sentence saying why, and the evidence.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn pass(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Outcome {
            status: Status::Pass,
            message: message.into(),
            evidence,
        }
    }

    pub fn fail(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Outcome {
            status: Status::Fail,
            message: message.into(),
            evidence,
        }
    }

    /// The rule cannot be judged here; `reason` says why, for the report.
    pub fn skip(reason: impl Into<String>) -> Self {
        Outcome {
            status: Status::Skip,
            message: reason.into(),
            evidence: Vec::new(),
        }
    }

    /// The rule does not apply to this project; `reason` says why, with the evidence.
    pub fn not_applicable(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Outcome {
            status: Status::NotApplicable,
            message: reason.into(),
            evidence,
        }
    }
}
