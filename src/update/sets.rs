//! `--set KEY=VALUE`: changing an answer during an update, e.g. `--set db=postgres`.
//!
//! Values are checked here with the same rules `folio new` applies, so a typo fails before any
//! rendering. `name` and `stack` cannot change in place: a new name renames packages and folders
//! throughout, and another stack is another project.

use std::fmt;
use std::str::FromStr;

use clap::ValueEnum;

use crate::answers::{self, AnswersFile, Ci, Db, Jobs, License};
use crate::error::{Error, Result};

/// The answers `--set` may change.
pub const KEYS: &[&str] = &[
    "db",
    "ci",
    "license",
    "author",
    "description",
    "year",
    "student",
];

/// One `KEY=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub key: String,
    pub value: String,
}

impl FromStr for Assignment {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not KEY=VALUE (e.g. db=postgres)"))?;
        let key = key.trim().to_ascii_lowercase();
        if key == "name" || key == "stack" {
            return Err(format!(
                "`{key}` cannot change in an update; generate a new project with `folio new` instead"
            ));
        }
        if !KEYS.contains(&key.as_str()) {
            return Err(format!(
                "`{key}` is not an answer; use one of {}",
                KEYS.join(", ")
            ));
        }
        Ok(Assignment {
            key,
            value: value.trim().to_string(),
        })
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

impl Assignment {
    /// Writes the value into the answers, validated as `folio new` validates it.
    pub fn apply(&self, file: &mut AnswersFile) -> Result<()> {
        let value = self.value.as_str();
        let invalid = |reason: String| Error::InvalidOption {
            option: "--set",
            reason,
        };
        match self.key.as_str() {
            "db" => {
                file.db = Some(Db::parse(value).ok_or_else(|| {
                    invalid(format!("db=`{value}` names no database (use sqlite or postgres)"))
                })?)
            }
            "ci" => {
                file.ci = Some(Ci::from_str(value, true).map_err(|_| {
                    invalid(format!("ci=`{value}` is not a CI choice (use github, gitlab or none)"))
                })?)
            }
            "jobs" => {
                file.jobs = Some(Jobs::from_str(value, true).map_err(|_| {
                    invalid(format!(
                        "jobs=`{value}` is not a background-jobs choice (use webhooks or none)"
                    ))
                })?)
            }
            "license" => {
                file.license = Some(License::from_str(value, true).map_err(|_| {
                    invalid(format!(
                        "license=`{value}` is not a licence folio has (use mit, apache-2.0 or bsd-3-clause)"
                    ))
                })?)
            }
            "author" => file.author = Some(answers::check_author(value)?),
            "description" => file.description = Some(answers::check_description(value)?),
            "student" => file.student = Some(answers::check_text("student", value, 200)?),
            "year" => {
                let year: u16 = value
                    .parse()
                    .ok()
                    .filter(|y| (1970..=9999).contains(y))
                    .ok_or_else(|| invalid(format!("year=`{value}` is not a year from 1970 on")))?;
                file.year = Some(year);
            }
            other => return Err(invalid(format!("`{other}` is not an answer"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_parse_and_refuse() {
        let a: Assignment = "DB = postgres".parse().unwrap();
        assert_eq!((a.key.as_str(), a.value.as_str()), ("db", "postgres"));
        assert!(
            "db".parse::<Assignment>()
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert!(
            "name=x"
                .parse::<Assignment>()
                .unwrap_err()
                .contains("folio new")
        );
        assert!(
            "colour=red"
                .parse::<Assignment>()
                .unwrap_err()
                .contains("db, ci")
        );
    }

    #[test]
    fn values_are_validated() {
        let mut file = AnswersFile::default();
        "db=postgres"
            .parse::<Assignment>()
            .unwrap()
            .apply(&mut file)
            .unwrap();
        "ci=GitLab"
            .parse::<Assignment>()
            .unwrap()
            .apply(&mut file)
            .unwrap();
        assert_eq!((file.db, file.ci), (Some(Db::Postgres), Some(Ci::Gitlab)));
        for bad in [
            "db=mysql",
            "ci=travis",
            "year=0",
            "year=soon",
            "license=gpl",
        ] {
            let set: Assignment = bad.parse().unwrap();
            assert!(set.apply(&mut file).is_err(), "{bad} was accepted");
        }
    }
}
