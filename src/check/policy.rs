//! Policy: which rules gate the exit code, which are ignored, and the minimum score.
//!
//! It comes from the `[check]` table of the tracked `.folio.toml` (so a bootcamp commits it once)
//! merged with the flags (so a CI job can tighten it): `--min-score` replaces the file's value,
//! `--require` and `--ignore` add to its lists. The file may add requirements, but it cannot
//! silence what the command line requires: a rule the flags `--require` is judged even when the
//! file ignores it. An ignored rule is reported as skipped, with where the ignore came from and
//! its reason, and never scored. An ignore may carry an expiry date after which it lapses, so a
//! "we'll fix it next sprint" does not become permanent.
//!
//! ```toml
//! [check]
//! min-score = 90
//! require = ["deploy", "api.openapi"]
//! ignore = [
//!   "git.history",
//!   { rule = "deploy.healthcheck", reason = "the platform probes /healthz", until = 2027-01-31 },
//! ]
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
    /// Rule ids or areas, or `{ rule, reason, until }` tables; see [`IgnoreEntry::parse`].
    #[serde(default)]
    pub ignore: Vec<toml::Value>,
}

/// One `ignore` item: a bare selector, or a table with a reason and an optional expiry.
#[derive(Debug)]
pub enum IgnoreEntry {
    Bare(String),
    Explained {
        rule: String,
        reason: String,
        until: Option<toml::value::Datetime>,
    },
}

impl IgnoreEntry {
    /// Read by hand rather than by an untagged serde enum, which cannot carry TOML dates.
    fn parse(value: &toml::Value) -> std::result::Result<Self, String> {
        const SHAPE: &str =
            "each ignore is a rule id or { rule = \"ID\", reason = \"why\", until = YYYY-MM-DD }";
        match value {
            toml::Value::String(s) => Ok(IgnoreEntry::Bare(s.clone())),
            toml::Value::Table(t) => {
                if let Some(k) = t
                    .keys()
                    .find(|k| !matches!(k.as_str(), "rule" | "reason" | "until"))
                {
                    return Err(format!("unknown key `{k}` in an ignore; {SHAPE}"));
                }
                let rule = t.get("rule").and_then(|v| v.as_str()).ok_or(SHAPE)?;
                let reason = t
                    .get("reason")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| format!("the ignore of {rule} needs a reason; {SHAPE}"))?;
                let until = match t.get("until") {
                    None => None,
                    Some(toml::Value::Datetime(d)) => Some(*d),
                    Some(toml::Value::String(s)) => Some(s.parse().map_err(|_| {
                        format!("until = {s:?} for {rule} is not a date; write it as YYYY-MM-DD")
                    })?),
                    Some(other) => {
                        return Err(format!(
                            "until = {other} for {rule} is not a date; write it as YYYY-MM-DD"
                        ));
                    }
                };
                Ok(IgnoreEntry::Explained {
                    rule: rule.to_string(),
                    reason: reason.to_string(),
                    until,
                })
            }
            _ => Err(SHAPE.into()),
        }
    }
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
        let mut shown: String = given.chars().take(80).collect();
        if shown.len() < given.len() {
            shown.push('…');
        }
        Err(Error::UnknownCheckRule {
            given: shown,
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

/// Where a requirement or an ignore came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `--require` / `--ignore` on the command line.
    Flag,
    /// The `[check]` table of the tracked `.folio.toml`.
    File,
}

/// One ignore, resolved.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub selector: Selector,
    pub source: Source,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`; the ignore lapses after this day.
    pub until: Option<String>,
}

impl Ignore {
    /// Where it came from and why, for the report.
    pub fn describe(&self) -> String {
        let origin = match self.source {
            Source::Flag => "--ignore".to_string(),
            Source::File => "[check] ignore in .folio.toml".to_string(),
        };
        let mut out = format!("ignored by {origin}");
        match &self.reason {
            Some(reason) => out.push_str(&format!(": {reason}")),
            None => out.push_str(" (no reason given)"),
        }
        if let Some(until) = &self.until {
            out.push_str(&format!(" (until {until})"));
        }
        out
    }

    fn lapsed(&self, today: &str) -> bool {
        self.until.as_deref().is_some_and(|until| until < today)
    }
}

/// The resolved policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub min_score: u8,
    pub require: Vec<(Selector, Source)>,
    pub ignore: Vec<Ignore>,
    /// Today as `YYYY-MM-DD`, for expiry dates (UTC).
    pub today: String,
}

impl Policy {
    /// Merges the `[check]` table (from `config_path`) with the flags.
    pub fn resolve(
        config: Option<(&Path, &toml::Table)>,
        min_score: Option<u8>,
        require: &[String],
        ignore: &[String],
    ) -> Result<Self> {
        let mut policy = Policy {
            today: today(),
            ..Policy::default()
        };
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
                policy
                    .require
                    .push((Selector::parse(given, &source)?, Source::File));
            }
            for value in &parsed.ignore {
                let entry = IgnoreEntry::parse(value).map_err(invalid)?;
                let (rule, reason, until) = match &entry {
                    IgnoreEntry::Bare(rule) => (rule, None, None),
                    IgnoreEntry::Explained {
                        rule,
                        reason,
                        until,
                    } => {
                        let until = match until {
                            None => None,
                            Some(dt) => Some(date_of(dt).ok_or_else(|| {
                                invalid(format!(
                                    "until = {dt} for {rule} is not a date; write it as YYYY-MM-DD"
                                ))
                            })?),
                        };
                        (rule, Some(reason.trim().to_string()), until)
                    }
                };
                policy.ignore.push(Ignore {
                    selector: Selector::parse(rule, &source)?,
                    source: Source::File,
                    reason: reason.filter(|r| !r.is_empty()),
                    until,
                });
            }
        }
        if let Some(score) = min_score {
            policy.min_score = score;
        }
        for given in require {
            policy
                .require
                .push((Selector::parse(given, "--require")?, Source::Flag));
        }
        for given in ignore {
            policy.ignore.push(Ignore {
                selector: Selector::parse(given, "--ignore")?,
                source: Source::Flag,
                reason: None,
                until: None,
            });
        }
        Ok(policy)
    }

    /// The ignore that silences `rule`, if any: a lapsed one does not, and the file's ignores
    /// give way to what the command line requires.
    pub fn ignore_of(&self, rule: &Rule) -> Option<&Ignore> {
        let flag_requires = self
            .require
            .iter()
            .any(|(s, source)| *source == Source::Flag && s.selects(rule));
        self.ignore.iter().find(|i| {
            i.selector.selects(rule)
                && !i.lapsed(&self.today)
                && !(i.source == Source::File && flag_requires)
        })
    }

    pub fn ignores(&self, rule: &Rule) -> bool {
        self.ignore_of(rule).is_some()
    }

    /// Ignores of `rule` that lapsed, so the report can say why it is judged again.
    pub fn lapsed_ignores(&self, rule: &Rule) -> impl Iterator<Item = &Ignore> {
        self.ignore
            .iter()
            .filter(move |i| i.selector.selects(rule) && i.lapsed(&self.today))
    }

    /// The rule's level under this policy: required when the policy requires it.
    pub fn level(&self, rule: &Rule) -> Level {
        if self.require.iter().any(|(s, _)| s.selects(rule)) {
            Level::Required
        } else {
            rule.level
        }
    }
}

/// `YYYY-MM-DD` of a TOML date (a datetime's date part counts too).
fn date_of(dt: &toml::value::Datetime) -> Option<String> {
    let d = dt.date?;
    Some(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
}

/// Today's date in UTC as `YYYY-MM-DD` (days-from-civil inverted, Howard Hinnant's method).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
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
    fn the_file_cannot_silence_what_the_flags_require() {
        let table: toml::Table = toml::from_str(
            "ignore = [\"security\", { rule = \"git.history\", reason = \"squashed\", until = 2000-01-01 }, { rule = \"deploy\", reason = \"no container\", until = 2999-12-31 }]",
        )
        .unwrap();
        let policy = Policy::resolve(
            Some((Path::new(".folio.toml"), &table)),
            None,
            &["security.no-cloud-keys".into()],
            &[],
        )
        .unwrap();
        let keys = rules::find("security.no-cloud-keys").unwrap();
        assert!(!policy.ignores(keys), "a --require beats the file's ignore");
        assert!(policy.ignores(rules::find("security.no-private-keys").unwrap()));
        let history = rules::find("git.history").unwrap();
        assert!(!policy.ignores(history), "lapsed");
        assert_eq!(policy.lapsed_ignores(history).count(), 1);
        let compose = rules::find("deploy.compose").unwrap();
        assert_eq!(
            policy.ignore_of(compose).unwrap().describe(),
            "ignored by [check] ignore in .folio.toml: no container (until 2999-12-31)"
        );
        assert_eq!(today().len(), 10);
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
        for text in [
            "min-score = 101",
            "colour = 1",
            "require = \"deploy\"",
            "ignore = [{ rule = \"deploy\" }]",
            "ignore = [{ rule = \"deploy\", reason = \"x\", until = 12:00:00 }]",
        ] {
            let table: toml::Table = toml::from_str(text).unwrap();
            assert!(
                Policy::resolve(Some((Path::new("x"), &table)), None, &[], &[]).is_err(),
                "{text}"
            );
        }
    }
}
