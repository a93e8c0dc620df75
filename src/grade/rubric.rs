//! The rubric: the instructor's points, requirements and ignores, read from `rubric.toml`.
//!
//! A rubric is a list of items. Most items score `folio check` rules (`check = "tests"` for an
//! area, `check = "api.openapi"` for one rule), with partial credit for the share of the judged
//! rules that passed; the other kinds score what only grading knows: `own-work` (the student's
//! commits since the render), `tests-passing` and `api-contract` (both need `--run-tests`).
//! The rubric is the only source of ignores and requirements that can lower the bar: a student's
//! `.folio.toml` `[check]` table may add requirements, and its ignores are refused (see
//! [`crate::grade::policy`]). The JSON Schema is `docs/rubric.schema.json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::check::policy::Selector;
use crate::check::rule::Area;
#[cfg(test)]
use crate::check::rule::Level;
use crate::check::rules::RULES;
use crate::error::{Error, Result};

/// The rubric as written in TOML.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RubricFile {
    #[serde(default)]
    grade: ScaleFile,
    #[serde(default, rename = "item")]
    items: Vec<ItemFile>,
    #[serde(default)]
    ignore: Vec<IgnoreFile>,
    #[serde(default)]
    own_work: OwnWorkCriteria,
    #[serde(default)]
    tests: TestsFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ScaleFile {
    required_failure: Option<RequiredFailure>,
    cap: Option<f64>,
    #[serde(default)]
    letters: Vec<Letter>,
    fail_grade: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ItemFile {
    id: String,
    title: Option<String>,
    kind: Option<ItemKind>,
    check: Option<String>,
    points: f64,
    #[serde(default)]
    required: bool,
    on_failure: Option<RequiredFailure>,
    #[serde(default)]
    not_applicable: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    rule: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TestsFile {
    setup: Option<String>,
    test: Option<String>,
    run: Option<String>,
    setup_timeout: Option<u64>,
    test_timeout: Option<u64>,
    server_start_timeout: Option<u64>,
}

/// What a failed required item does to the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequiredFailure {
    /// The percentage is capped at the scale's `cap`.
    Cap,
    /// The grade is the scale's `fail-grade` and the percentage 0.
    Fail,
}

/// A letter grade and the lowest percentage that earns it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    pub min: f64,
    pub grade: String,
}

/// How points become a grade.
#[derive(Debug, Clone, Serialize)]
pub struct Scale {
    pub required_failure: RequiredFailure,
    pub cap: f64,
    /// Highest `min` first.
    pub letters: Vec<Letter>,
    pub fail_grade: String,
}

impl Scale {
    /// The letter for a percentage; empty when the rubric has no letters.
    pub fn letter(&self, percent: f64) -> String {
        self.letters
            .iter()
            .find(|l| percent >= l.min)
            .map_or_else(String::new, |l| l.grade.clone())
    }
}

/// The kinds of rubric item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// `folio check` rules: an area or one rule.
    Check,
    /// The student's own commits since the render, against `[own-work]`.
    OwnWork,
    /// The share of the project's tests that pass (`--run-tests`).
    TestsPassing,
    /// Probes of the API contract against the running server (`--run-tests`).
    ApiContract,
}

/// One rubric item, resolved.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub kind: ItemKind,
    /// For a check item: the area or rule it scores.
    pub selector: Option<Selector>,
    pub points: f64,
    pub required: bool,
    pub on_failure: RequiredFailure,
    /// Stack ids for which the item is not applicable (out of the maximum).
    pub not_applicable: Vec<String>,
}

/// An ignore the rubric grants, with its reason.
#[derive(Debug, Clone)]
pub struct RubricIgnore {
    pub selector: Selector,
    pub text: String,
    pub reason: String,
}

/// The thresholds of the `own-work` item and of the anomalies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct OwnWorkCriteria {
    /// Commits of the student's own for full credit.
    pub min_commits: u32,
    /// Distinct days (UTC, by author date) with a commit, for full credit.
    pub min_active_days: u32,
    /// Changed lines outside template-owned content, for full credit.
    pub min_lines: u64,
    /// Author and committer dates further apart than this are flagged as back-dating.
    pub max_date_skew_hours: u64,
    /// A commit holding more than this share of the changed lines is a bulk commit...
    pub bulk_share: f64,
    /// ...when the work is at least this many lines.
    pub bulk_min_lines: u64,
}

impl Default for OwnWorkCriteria {
    fn default() -> Self {
        OwnWorkCriteria {
            min_commits: 3,
            min_active_days: 2,
            min_lines: 20,
            max_date_skew_hours: 72,
            bulk_share: 0.8,
            bulk_min_lines: 200,
        }
    }
}

/// `--run-tests`: the commands (a stack's manifest unless overridden) and their time limits.
#[derive(Debug, Clone)]
pub struct TestsPlan {
    pub setup: Option<String>,
    pub test: Option<String>,
    pub run: Option<String>,
    pub setup_timeout: Duration,
    pub test_timeout: Duration,
    pub server_start_timeout: Duration,
}

/// Default time limits, in seconds; docs/grading.md lists them.
pub const DEFAULT_SETUP_TIMEOUT: u64 = 900;
pub const DEFAULT_TEST_TIMEOUT: u64 = 600;
pub const DEFAULT_SERVER_START_TIMEOUT: u64 = 90;

/// The resolved rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// The file it came from; `None` for the built-in default.
    pub path: Option<PathBuf>,
    pub scale: Scale,
    pub items: Vec<Item>,
    pub ignores: Vec<RubricIgnore>,
    pub own_work: OwnWorkCriteria,
    pub tests: TestsPlan,
}

impl Rubric {
    /// Reads and validates a rubric file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let file: RubricFile = toml::from_str(&text).map_err(|e| Error::RubricInvalid {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        Self::resolve(file, Some(path))
    }

    /// The rubric used without `--rubric`: one item per check area, worth the check's own
    /// weights (2 per required rule, 1 per recommended one), so its percentage follows
    /// `folio check`'s score; plus own work, and the two `--run-tests` items.
    pub fn default_rubric() -> Self {
        let mut items: Vec<ItemFile> = Area::ALL
            .iter()
            .filter_map(|area| {
                let points: u32 = RULES
                    .iter()
                    .filter(|r| r.area == *area)
                    .map(|r| r.level.weight())
                    .sum();
                (points > 0).then(|| ItemFile {
                    id: area.id().to_string(),
                    title: Some(area.title().to_string()),
                    kind: None,
                    check: Some(area.id().to_string()),
                    points: f64::from(points),
                    required: false,
                    on_failure: None,
                    not_applicable: Vec::new(),
                })
            })
            .collect();
        let checked: f64 = items.iter().map(|i| i.points).sum();
        for (id, kind, share) in [
            ("own-work", ItemKind::OwnWork, 0.25),
            ("tests-passing", ItemKind::TestsPassing, 0.25),
            ("api-contract", ItemKind::ApiContract, 0.15),
        ] {
            items.push(ItemFile {
                id: id.to_string(),
                title: None,
                kind: Some(kind),
                check: None,
                points: (checked * share).round(),
                required: false,
                on_failure: None,
                not_applicable: Vec::new(),
            });
        }
        let file = RubricFile {
            items,
            ..RubricFile::default()
        };
        Self::resolve(file, None).expect("the default rubric is valid")
    }

    fn resolve(file: RubricFile, path: Option<&Path>) -> Result<Self> {
        let shown = path.map_or_else(|| "the default rubric".into(), |p| p.display().to_string());
        let invalid = |message: String| Error::RubricInvalid {
            path: path.map_or_else(|| PathBuf::from("(default)"), Path::to_path_buf),
            message,
        };
        let source = format!("the rubric {shown}");
        let scale = ScaleFile::resolve(file.grade).map_err(invalid)?;
        if file.items.is_empty() {
            return Err(invalid("it has no [[item]]; add at least one".into()));
        }
        let stacks = crate::template::registry::registry()?;
        let mut items = Vec::new();
        for spec in file.items {
            if spec.id.trim().is_empty()
                || !spec
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return Err(invalid(format!(
                    "item id `{}` must be letters, digits, `-`, `_` or `.` (it names a CSV column)",
                    spec.id
                )));
            }
            if items.iter().any(|i: &Item| i.id == spec.id) {
                return Err(invalid(format!("item id `{}` appears twice", spec.id)));
            }
            if !spec.points.is_finite() || spec.points < 0.0 {
                return Err(invalid(format!(
                    "item `{}` has points = {}; points are a number of 0 or more",
                    spec.id, spec.points
                )));
            }
            let kind = match (spec.kind, &spec.check) {
                (None | Some(ItemKind::Check), Some(_)) => ItemKind::Check,
                (Some(ItemKind::Check) | None, None) => {
                    return Err(invalid(format!(
                        "item `{}` needs `check = \"AREA|RULE\"` or a kind (own-work, tests-passing, api-contract)",
                        spec.id
                    )));
                }
                (Some(kind), None) => kind,
                (Some(_), Some(_)) => {
                    return Err(invalid(format!(
                        "item `{}` has both a kind and `check`; `check` belongs to check items only",
                        spec.id
                    )));
                }
            };
            let selector = match &spec.check {
                Some(given) => Some(Selector::parse(given, &source)?),
                None => None,
            };
            for stack in &spec.not_applicable {
                let found = stacks.find(stack)?;
                if found.manifest.id != *stack {
                    return Err(invalid(format!(
                        "item `{}`: not-applicable names `{stack}`; write the stack id `{}`",
                        spec.id, found.manifest.id
                    )));
                }
            }
            let title = spec.title.unwrap_or_else(|| match (kind, selector) {
                (_, Some(Selector::Area(area))) => area.title().to_string(),
                (_, Some(Selector::Rule(id))) => RULES
                    .iter()
                    .find(|r| r.id == id)
                    .map_or(id.to_string(), |r| r.title.to_string()),
                (ItemKind::OwnWork, None) => "Own work since the render".into(),
                (ItemKind::TestsPassing, None) => "The project's tests pass".into(),
                (ItemKind::ApiContract, None) => {
                    "The running server honours the API contract".into()
                }
                (ItemKind::Check, None) => spec.id.clone(),
            });
            items.push(Item {
                id: spec.id,
                title,
                kind,
                selector,
                points: spec.points,
                required: spec.required,
                on_failure: spec.on_failure.unwrap_or(scale.required_failure),
                not_applicable: spec.not_applicable,
            });
        }
        let mut ignores = Vec::new();
        for ignore in file.ignore {
            if ignore.reason.trim().is_empty() {
                return Err(invalid(format!(
                    "the ignore of `{}` needs a reason (students see it in their feedback)",
                    ignore.rule
                )));
            }
            ignores.push(RubricIgnore {
                selector: Selector::parse(&ignore.rule, &source)?,
                text: ignore.rule.trim().to_string(),
                reason: ignore.reason.trim().to_string(),
            });
        }
        let own = &file.own_work;
        if !(0.0..=1.0).contains(&own.bulk_share) {
            return Err(invalid(format!(
                "[own-work] bulk-share = {} must be between 0 and 1",
                own.bulk_share
            )));
        }
        let t = file.tests;
        let secs = |given: Option<u64>, default: u64, key: &str| match given {
            Some(0) => Err(invalid(format!("[tests] {key} must be at least 1 second"))),
            Some(s) => Ok(Duration::from_secs(s)),
            None => Ok(Duration::from_secs(default)),
        };
        let tests = TestsPlan {
            setup_timeout: secs(t.setup_timeout, DEFAULT_SETUP_TIMEOUT, "setup-timeout")?,
            test_timeout: secs(t.test_timeout, DEFAULT_TEST_TIMEOUT, "test-timeout")?,
            server_start_timeout: secs(
                t.server_start_timeout,
                DEFAULT_SERVER_START_TIMEOUT,
                "server-start-timeout",
            )?,
            setup: t.setup,
            test: t.test,
            run: t.run,
        };
        Ok(Rubric {
            path: path.map(Path::to_path_buf),
            scale,
            items,
            ignores,
            own_work: file.own_work,
            tests,
        })
    }
}

impl ScaleFile {
    fn resolve(self) -> std::result::Result<Scale, String> {
        let cap = self.cap.unwrap_or(50.0);
        if !(0.0..=100.0).contains(&cap) {
            return Err(format!("[grade] cap = {cap} must be a percentage (0-100)"));
        }
        let mut letters = self.letters;
        for l in &letters {
            if !(0.0..=100.0).contains(&l.min) || l.grade.trim().is_empty() {
                return Err(format!(
                    "[grade] letters: {{ min = {}, grade = {:?} }} needs a min of 0-100 and a grade",
                    l.min, l.grade
                ));
            }
        }
        letters.sort_by(|a, b| b.min.total_cmp(&a.min));
        Ok(Scale {
            required_failure: self.required_failure.unwrap_or(RequiredFailure::Cap),
            cap,
            letters,
            fail_grade: self.fail_grade.unwrap_or_else(|| "F".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Rubric> {
        let file: RubricFile = toml::from_str(text).map_err(|e| Error::RubricInvalid {
            path: "r.toml".into(),
            message: e.to_string(),
        })?;
        Rubric::resolve(file, Some(Path::new("r.toml")))
    }

    #[test]
    fn the_default_rubric_covers_every_area_with_rules() {
        let rubric = Rubric::default_rubric();
        for rule in RULES.iter().filter(|r| r.level != Level::Info) {
            assert!(
                rubric
                    .items
                    .iter()
                    .any(|i| i.selector == Some(Selector::Area(rule.area))),
                "{} has no item",
                rule.id
            );
        }
    }

    #[test]
    fn items_are_validated() {
        assert!(parse("[[item]]\nid = \"a\"\ncheck = \"tests\"\npoints = 5\n").is_ok());
        for bad in [
            "[[item]]\nid = \"a\"\npoints = 5\n",
            "[[item]]\nid = \"a\"\ncheck = \"tests.presnt\"\npoints = 5\n",
            "[[item]]\nid = \"a\"\ncheck = \"tests\"\npoints = -1\n",
            "[[item]]\nid = \"a b\"\ncheck = \"tests\"\npoints = 1\n",
            "[[item]]\nid = \"a\"\ncheck = \"tests\"\npoints = 1\nnot-applicable = [\"python\"]\n",
            "[[item]]\nid = \"a\"\ncheck = \"tests\"\npoints = 1\n[[item]]\nid = \"a\"\ncheck = \"ci\"\npoints = 1\n",
            "[[ignore]]\nrule = \"git.history\"\nreason = \"\"\n[[item]]\nid = \"a\"\ncheck = \"ci\"\npoints = 1\n",
        ] {
            assert!(parse(bad).is_err(), "accepted: {bad}");
        }
    }

    #[test]
    fn letters_go_highest_first() {
        let r = parse("[grade]\nletters = [{ min = 50, grade = \"C\" }, { min = 90, grade = \"A\" }]\n[[item]]\nid = \"a\"\ncheck = \"tests\"\npoints = 5\n").unwrap();
        assert_eq!(r.scale.letter(95.0), "A");
        assert_eq!(r.scale.letter(60.0), "C");
        assert_eq!(r.scale.letter(10.0), "");
    }
}
