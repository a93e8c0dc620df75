//! The answers a project is generated from, as types: the option enums, [`Answers`], the answers
//! file and `.folio.toml`, the checks of free text, and [`ProjectName`] (in [`name`]).
//!
//! Turning flags, files and prompts into these types is [`crate::settings`]' job; this module
//! only says what a valid answer is. The keys of [`AnswersFile`] are written to the generated
//! project's `.folio.toml`, so that file doubles as an answers file for `--answers`.

use std::path::Path;

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub mod name;

pub use name::{ProjectName, flat_case};

/// The provenance file every generated project carries.
pub const PROVENANCE_FILE: &str = ".folio.toml";

const MAX_AUTHOR_LEN: usize = 200;
const MAX_DESCRIPTION_LEN: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Db {
    /// A file database, zero setup (default).
    Sqlite,
    /// PostgreSQL, run by docker compose and as a CI service container.
    Postgres,
}

impl Db {
    /// Reads a database name as rosters spell it (case-insensitive).
    pub fn parse(text: &str) -> Option<Db> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sqlite" => Some(Db::Sqlite),
            "postgres" | "postgresql" => Some(Db::Postgres),
            _ => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ci {
    /// GitHub Actions workflow and Dependabot (default).
    Github,
    /// A GitLab CI pipeline instead.
    Gitlab,
    /// No CI configuration.
    None,
}

impl Ci {
    pub fn id(self) -> &'static str {
        match self {
            Ci::Github => "github",
            Ci::Gitlab => "gitlab",
            Ci::None => "none",
        }
    }
}

/// The background-jobs feature a project carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Jobs {
    /// Signed webhooks about task changes, delivered by a durable background worker (default).
    Webhooks,
    /// No background jobs: a minimal starter without a worker.
    None,
}

impl Jobs {
    pub fn id(self) -> &'static str {
        match self {
            Jobs::Webhooks => "webhooks",
            Jobs::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
pub enum License {
    /// MIT (default): short and permissive.
    #[serde(rename = "mit")]
    #[value(name = "mit")]
    Mit,
    /// Apache 2.0: permissive, with a patent grant.
    #[serde(rename = "apache-2.0")]
    #[value(name = "apache-2.0")]
    Apache2,
    /// BSD 3-Clause: permissive, no endorsement.
    #[serde(rename = "bsd-3-clause")]
    #[value(name = "bsd-3-clause")]
    Bsd3Clause,
}

impl License {
    pub fn id(self) -> &'static str {
        match self {
            License::Mit => "mit",
            License::Apache2 => "apache-2.0",
            License::Bsd3Clause => "bsd-3-clause",
        }
    }

    pub fn spdx(self) -> &'static str {
        match self {
            License::Mit => "MIT",
            License::Apache2 => "Apache-2.0",
            License::Bsd3Clause => "BSD-3-Clause",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Vcs {
    /// A git repository on `main` with one commit (default).
    Git,
    /// Plain files, no repository.
    None,
}

/// Everything a render depends on. Same answers + same folio version = byte-identical tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub name: ProjectName,
    pub db: Db,
    pub ci: Ci,
    pub jobs: Jobs,
    pub author: String,
    pub description: String,
    pub license: License,
    pub year: u16,
    /// The student a `folio batch` repository is for; empty otherwise.
    pub student: String,
}

/// An answers file (`--answers`), which is also the shape of `.folio.toml`. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    /// Written into `.folio.toml`; ignored when reading answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folio_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<Db>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<Ci>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Jobs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student: Option<String>,
    /// The template pack the project was made from (`folio new --template`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<crate::pack::render::PackRecord>,
    /// The answers to the pack's variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vars: Option<toml::Table>,
    /// The `folio check` policy table of `.folio.toml`; not an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<toml::Table>,
}

impl AnswersFile {
    /// Reads and parses an answers file, with a message that points at the broken line.
    pub fn read(path: &Path) -> Result<Self> {
        let text = read_capped(path, ANSWERS_MAX_BYTES, "an answers file").map_err(|source| {
            Error::AnswersRead {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Self::parse(&text, path)
    }

    /// Parses answers read from `path` (named in the error).
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::AnswersInvalid {
            path: path.to_path_buf(),
            message: one_line(&e.to_string(), ERROR_ECHO_MAX),
        })
    }
}

impl Answers {
    /// The `.folio.toml` text recording where the project came from.
    pub fn provenance(&self, stack: &str) -> String {
        let body = toml::to_string(&self.record(stack)).expect("answers always serialize");
        format!(
            "# Written by folio: the template and answers this project was generated from.\n\
             # `folio update` and `folio check` read it; keep it committed.\n{body}"
        )
    }

    /// The answers as `.folio.toml` records them, for `stack` (a template pack adds its own
    /// `[pack]` and `[vars]` to this).
    pub fn record(&self, stack: &str) -> AnswersFile {
        AnswersFile {
            folio_version: Some(crate::version::VERSION.to_string()),
            stack: Some(stack.to_string()),
            name: Some(self.name.to_string()),
            db: Some(self.db),
            ci: Some(self.ci),
            jobs: Some(self.jobs),
            author: Some(self.author.clone()),
            description: Some(self.description.clone()),
            license: Some(self.license),
            year: Some(self.year),
            student: (!self.student.is_empty()).then(|| self.student.clone()),
            pack: None,
            vars: None,
            check: None,
        }
    }
}

/// Checks a free-text answer: one line of printable text, not too long. It goes into YAML,
/// JSON, TOML, Markdown and source files, so code points one of them forbids or reads as a line
/// break are refused: controls, Unicode non-characters (U+FDD0..U+FDEF and U+nFFFE/U+nFFFF,
/// which YAML forbids), the line and paragraph separators (line breaks to YAML 1.1 readers such as
/// PyYAML) and the byte-order mark.
pub fn check_text(option: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(Error::InvalidOption {
            option,
            reason: format!(
                "contains the control character U+{:04X}; it must be a single line",
                c as u32
            ),
        });
    }
    if let Some(c) = value.chars().find(|&c| forbidden_in_text(c)) {
        return Err(Error::InvalidOption {
            option,
            reason: format!(
                "contains U+{:04X}, a code point generated YAML, JSON or TOML files cannot hold; remove it",
                c as u32
            ),
        });
    }
    if value.chars().count() > max {
        return Err(Error::InvalidOption {
            option,
            reason: format!("is longer than {max} characters"),
        });
    }
    Ok(value.to_string())
}

/// See [`check_text`].
pub fn forbidden_in_text(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

pub fn check_author(value: &str) -> Result<String> {
    check_text("--author", value, MAX_AUTHOR_LEN)
}

pub fn check_description(value: &str) -> Result<String> {
    check_text("--description", value, MAX_DESCRIPTION_LEN)
}

/// The description a project gets when none is given.
pub fn default_description(name: &ProjectName) -> String {
    format!("{name}: a task-tracking REST API with authentication, a database and monitoring.")
}

/// The current calendar year (UTC), for the LICENSE line.
pub fn current_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    year_of_unix_day((secs / 86_400) as i64)
}

/// Civil year of a day counted from 1970-01-01 (Howard Hinnant's days-to-civil algorithm).
fn year_of_unix_day(days: i64) -> u16 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    year as u16
}

/// The largest answers file folio reads: a real one is a few hundred bytes.
pub const ANSWERS_MAX_BYTES: u64 = 1 << 20;
/// How much of a parser's message (which quotes the input) an error echoes.
pub const ERROR_ECHO_MAX: usize = 400;

/// Reads `path` as UTF-8 text, but never more than `max` bytes: the size is not trusted from
/// `stat` (a device such as /dev/zero or a pipe has none), the read itself stops at the cap.
pub fn read_capped(path: &Path, max: u64, what: &str) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} KiB, the most folio reads for {what}",
                max / 1024
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// `text` as one line of at most `max` characters, for echoing input inside an error: control
/// characters become spaces, so a hostile value cannot add lines or escape sequences.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &flat[..cut]),
        None => flat.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_from_days() {
        assert_eq!(year_of_unix_day(0), 1970);
        assert_eq!(year_of_unix_day(365), 1971);
        // 2026-11-28 is day 20_785; 2024-12-31 is day 20_088, 2025-01-01 day 20_089.
        assert_eq!(year_of_unix_day(20_785), 2026);
        assert_eq!(year_of_unix_day(20_088), 2024);
        assert_eq!(year_of_unix_day(20_089), 2025);
    }

    #[test]
    fn provenance_round_trips_as_an_answers_file() {
        let answers = Answers {
            name: ProjectName::parse("todo-api").unwrap(),
            db: Db::Postgres,
            ci: Ci::Gitlab,
            jobs: Jobs::None,
            author: "Ada \"the\" Lovelace".into(),
            description: "A [todo] = API".into(),
            license: License::Apache2,
            year: 2026,
            student: String::new(),
        };
        let text = answers.provenance("go-nethttp");
        let file: AnswersFile = toml::from_str(&text).unwrap();
        assert_eq!(file.stack.as_deref(), Some("go-nethttp"));
        assert_eq!(file.db, Some(Db::Postgres));
        assert_eq!(file.jobs, Some(Jobs::None));
        assert_eq!(file.license, Some(License::Apache2));
        assert_eq!(file.author.as_deref(), Some("Ada \"the\" Lovelace"));
    }

    #[test]
    fn free_text_must_be_one_line() {
        assert!(check_description("two\nlines").is_err());
        assert!(check_description(&"x".repeat(301)).is_err());
        assert_eq!(check_author("  Ada ").unwrap(), "Ada");
    }
}
