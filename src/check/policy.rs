//! Policy: which rules gate the exit code, which are ignored, and the minimum score.
//!
//! It comes from the `[check]` table of `.folio.toml` (so a bootcamp commits it once) merged with
//! the flags (so a CI job can tighten it): `--min-score` replaces the file's value, `--require`
//! and `--ignore` add to its lists. An ignored rule is reported as skipped and never scored,
//! even when an area it belongs to is required.
//!
//! ```toml
//! [check]
//! min-score = 90
//! require = ["deploy", "api.openapi"]
//! ignore = ["git.history"]
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::check::rule::{Area, Level};
use crate::check::rules::{RULES, Rule};
use crate::error::{Error, Result};

/// The `[check]` table, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckConfig {
    #[serde(alias = "min_score")]
    pub min_score: Option<u8>,
    #[serde(default)]
    pub require: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// What a selector names: a whole area, or one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    Area(Area),
    Rule(&'static str),
}

impl Selector {
    /// Parses `AREA` or `AREA.RULE`; anything else is an error that suggests the nearest id.
    pub fn parse(given: &str, source: &str) -> Result<Self> {
        let given = given.trim();
        if let Some(area) = Area::ALL.iter().find(|a| a.id() == given) {
            return Ok(Selector::Area(*area));
        }
        if let Some(rule) = RULES.iter().find(|r| r.id == given) {
            return Ok(Selector::Rule(rule.id));
        }
        let candidates = Area::ALL
            .iter()
            .map(|a| a.id())
            .chain(RULES.iter().map(|r| r.id));
        let suggestion = candidates
            .map(|c| (strsim::jaro_winkler(given, c), c))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c.to_string());
        Err(Error::UnknownCheckRule {
            given: given.to_string(),
            origin: source.to_string(),
            suggestion,
        })
    }

    fn selects(self, rule: &Rule) -> bool {
        match self {
            Selector::Area(area) => rule.area == area,
            Selector::Rule(id) => rule.id == id,
        }
    }
}

/// The resolved policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub min_score: u8,
    pub require: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

impl Policy {
    /// Merges the `[check]` table (from `config_path`) with the flags.
    pub fn resolve(
        config: Option<(&Path, &toml::Table)>,
        min_score: Option<u8>,
        require: &[String],
        ignore: &[String],
    ) -> Result<Self> {
        let mut policy = Policy::default();
        if let Some((path, table)) = config {
            let invalid = |message: String| Error::CheckConfigInvalid {
                path: path.to_path_buf(),
                message,
            };
            let parsed: CheckConfig = table
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| invalid(e.message().trim_end().replace('\n', " ")))?;
            if let Some(score) = parsed.min_score {
                if score > 100 {
                    return Err(invalid(format!("min-score is {score}, above 100")));
                }
                policy.min_score = score;
            }
            let source = format!("the [check] table of {}", path.display());
            for given in &parsed.require {
                policy.require.push(Selector::parse(given, &source)?);
            }
            for given in &parsed.ignore {
                policy.ignore.push(Selector::parse(given, &source)?);
            }
        }
        if let Some(score) = min_score {
            policy.min_score = score;
        }
        for given in require {
            policy.require.push(Selector::parse(given, "--require")?);
        }
        for given in ignore {
            policy.ignore.push(Selector::parse(given, "--ignore")?);
        }
        Ok(policy)
    }

    pub fn ignores(&self, rule: &Rule) -> bool {
        self.ignore.iter().any(|s| s.selects(rule))
    }

    /// The rule's level under this policy: required when the policy requires it.
    pub fn level(&self, rule: &Rule) -> Level {
        if self.require.iter().any(|s| s.selects(rule)) {
            Level::Required
        } else {
            rule.level
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules;

    #[test]
    fn flags_add_to_the_file() {
        let table: toml::Table =
            toml::from_str("min-score = 80\nrequire = [\"deploy\"]\nignore = [\"git.history\"]")
                .unwrap();
        let policy = Policy::resolve(
            Some((Path::new(".folio.toml"), &table)),
            Some(90),
            &["api.openapi".into()],
            &[],
        )
        .unwrap();
        assert_eq!(policy.min_score, 90);
        assert_eq!(
            policy.level(rules::find("deploy.compose").unwrap()),
            Level::Required
        );
        assert_eq!(
            policy.level(rules::find("api.openapi").unwrap()),
            Level::Required
        );
        assert!(policy.ignores(rules::find("git.history").unwrap()));
    }

    #[test]
    fn unknown_ids_suggest_the_nearest() {
        match Selector::parse("tests.presnt", "--require") {
            Err(Error::UnknownCheckRule { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("tests.present"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_tables_are_errors() {
        for text in ["min-score = 101", "colour = 1", "require = \"deploy\""] {
            let table: toml::Table = toml::from_str(text).unwrap();
            assert!(
                Policy::resolve(Some((Path::new("x"), &table)), None, &[], &[]).is_err(),
                "{text}"
            );
        }
    }
}
