//! Items into points: each rubric item is scored from the check report, the own-work figures or
//! the `--run-tests` results, and the total becomes a percentage and a grade.
//!
//! An item that does not apply (the rubric says so for the stack, or every rule it selects was
//! skipped or not applicable) and a `--run-tests` item without `--run-tests` leave the maximum,
//! so they neither earn nor cost points. A required item fails when it earns less than its full
//! points; then the rubric either caps the percentage or fails the grade.

use serde::Serialize;

use crate::check::policy::Selector;
use crate::check::report::{Report, RuleResult};
use crate::check::rule::Status;
use crate::grade::TestRun;
use crate::grade::contract::ContractRun;
use crate::grade::history::OwnWork;
use crate::grade::rubric::{Item, ItemKind, RequiredFailure, Rubric};
use crate::grade::runner::StepStatus;

/// One item's result.
#[derive(Debug, Clone, Serialize)]
pub struct ItemGrade {
    pub id: String,
    pub title: String,
    pub kind: ItemKind,
    /// `pass`, `partial`, `fail`, `not_applicable` or `not_run`.
    pub status: &'static str,
    pub points: f64,
    pub max_points: f64,
    pub required: bool,
    pub evidence: Vec<String>,
    /// What to do, from the check rules' `fix:` texts.
    pub fix: Vec<String>,
}

impl ItemGrade {
    /// Whether it counts towards the maximum.
    pub fn counts(&self) -> bool {
        !matches!(self.status, "not_applicable" | "not_run")
    }

    pub fn required_failed(&self) -> bool {
        self.required && self.counts() && self.points < self.max_points
    }
}

/// The total, the percentage after any cap or fail, and the grade.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub points: f64,
    pub max_points: f64,
    /// Before a cap or fail.
    pub raw_percent: f64,
    pub percent: f64,
    pub grade: String,
    /// Required items that failed, and what that did (`cap` or `fail`).
    pub required_failed: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<RequiredFailure>,
}

pub struct Inputs<'a> {
    pub report: &'a Report,
    pub stack: Option<&'a str>,
    pub own: &'a OwnWork,
    pub tests: Option<&'a TestRun>,
    pub rubric: &'a Rubric,
}

pub fn score_items(inputs: &Inputs<'_>) -> Vec<ItemGrade> {
    inputs
        .rubric
        .items
        .iter()
        .map(|item| score_item(item, inputs))
        .collect()
}

fn score_item(item: &Item, inputs: &Inputs<'_>) -> ItemGrade {
    let mut grade = ItemGrade {
        id: item.id.clone(),
        title: item.title.clone(),
        kind: item.kind,
        status: "fail",
        points: 0.0,
        max_points: item.points,
        required: item.required,
        evidence: Vec::new(),
        fix: Vec::new(),
    };
    if let Some(stack) = inputs
        .stack
        .filter(|s| item.not_applicable.iter().any(|n| n == s))
    {
        grade.status = "not_applicable";
        grade.evidence.push(format!(
            "the rubric marks this item not applicable to {stack}"
        ));
        return grade;
    }
    let share = match item.kind {
        ItemKind::Check => check_share(item, inputs.report, &mut grade),
        ItemKind::OwnWork => Some(own_work_share(inputs, &mut grade)),
        ItemKind::TestsPassing => tests_share(inputs.tests, &mut grade),
        ItemKind::ApiContract => contract_share(
            inputs.tests.and_then(|t| t.contract.as_ref()),
            inputs.tests.is_some(),
            &mut grade,
        ),
    };
    match share {
        None => {}
        Some(share) => {
            let share = share.clamp(0.0, 1.0);
            grade.points = round2(item.points * share);
            grade.status = if share >= 1.0 {
                "pass"
            } else if share <= 0.0 {
                "fail"
            } else {
                "partial"
            };
        }
    }
    grade
}

fn selects(selector: Selector, rule: &RuleResult) -> bool {
    match selector {
        Selector::Area(area) => rule.area == area,
        Selector::Rule(id) => rule.id == id,
    }
}

/// The share of the selected rules that passed, of those judged.
fn check_share(item: &Item, report: &Report, grade: &mut ItemGrade) -> Option<f64> {
    let selector = item.selector?;
    let rules: Vec<&RuleResult> = report
        .rules
        .iter()
        .filter(|r| selects(selector, r))
        .collect();
    let (mut passed, mut judged) = (0usize, 0usize);
    for rule in &rules {
        match rule.status {
            Status::Pass => {
                passed += 1;
                judged += 1;
                grade
                    .evidence
                    .push(format!("{}: pass: {}", rule.id, rule.message));
            }
            Status::Fail => {
                judged += 1;
                grade
                    .evidence
                    .push(format!("{}: fail: {}", rule.id, rule.message));
                if let Some(fix) = rule.fix {
                    grade.fix.push(format!("{}: {fix}", rule.id));
                }
            }
            Status::Skip | Status::NotApplicable => {
                let why = match &rule.ignored {
                    Some(_) => rule
                        .message
                        .replace("ignored by --ignore", "ignored by the rubric"),
                    None => rule.message.clone(),
                };
                grade
                    .evidence
                    .push(format!("{}: {}: {why}", rule.id, rule.status.id()));
            }
        }
    }
    if judged == 0 {
        grade.status = "not_applicable";
        if rules.is_empty() {
            grade.evidence.push("no check rule is selected".into());
        }
        return None;
    }
    Some(passed as f64 / judged as f64)
}

/// The mean of the three own-work criteria, each met in proportion (5 of 10 commits: half).
fn own_work_share(inputs: &Inputs<'_>, grade: &mut ItemGrade) -> f64 {
    let own = inputs.own;
    let c = &inputs.rubric.own_work;
    let part = |have: f64, want: f64| {
        if want <= 0.0 {
            1.0
        } else {
            (have / want).min(1.0)
        }
    };
    let parts = [
        (
            part(own.student_commits as f64, f64::from(c.min_commits)),
            format!(
                "{} of {} commits by the student (full credit at {})",
                own.student_commits, own.commits, c.min_commits
            ),
        ),
        (
            part(own.active_days as f64, f64::from(c.min_active_days)),
            format!(
                "{} active days (full credit at {})",
                own.active_days, c.min_active_days
            ),
        ),
        (
            part(own.lines_changed() as f64, c.min_lines as f64),
            format!(
                "{} lines changed in {} files outside template-owned content (full credit at {})",
                own.lines_changed(),
                own.files_changed,
                c.min_lines
            ),
        ),
    ];
    let mut sum = 0.0;
    for (share, evidence) in parts {
        sum += share;
        grade.evidence.push(evidence);
    }
    if own.placeholder_messages > 0 {
        grade.evidence.push(format!(
            "{} placeholder commit messages",
            own.placeholder_messages
        ));
    }
    if own.student_commits < c.min_commits as usize {
        grade
            .fix
            .push("commit your work in small steps, each with a message that says why".into());
    }
    if own.placeholder_messages > 0 {
        grade.fix.push(
            "write commit subjects that say what changed and why, not \"Update README.md\"".into(),
        );
    }
    sum / 3.0
}

fn tests_share(tests: Option<&TestRun>, grade: &mut ItemGrade) -> Option<f64> {
    let Some(tests) = tests else {
        grade.status = "not_run";
        grade
            .evidence
            .push("the project's tests were not run (pass --run-tests)".into());
        return None;
    };
    if let Some(error) = &tests.error {
        grade.evidence.push(error.clone());
        return Some(0.0);
    }
    for step in [&tests.setup, &tests.test] {
        grade.evidence.push(format!(
            "`{}`: {}{}",
            step.command,
            match step.status {
                StepStatus::Passed => "passed".to_string(),
                StepStatus::Failed => format!(
                    "failed (exit {})",
                    step.exit_code.map_or("?".into(), |c| c.to_string())
                ),
                StepStatus::TimedOut => format!("timed out after {} s", step.timeout_seconds),
                StepStatus::NotRun => "not run".to_string(),
            },
            step.detail
                .as_ref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ));
    }
    if tests.setup.status != StepStatus::Passed {
        grade
            .fix
            .push("make the setup command work from a fresh clone".into());
        return Some(0.0);
    }
    let share = match (tests.test.status, tests.passed, tests.failed) {
        (StepStatus::TimedOut | StepStatus::NotRun, _, _) => 0.0,
        (_, Some(p), Some(f)) if p + f > 0 => {
            grade.evidence.push(format!("{p} passed, {f} failed"));
            p as f64 / (p + f) as f64
        }
        (StepStatus::Passed, _, _) => 1.0,
        _ => 0.0,
    };
    if share < 1.0 {
        grade
            .fix
            .push("run the tests locally and fix the failing or hanging ones".into());
    }
    Some(share)
}

fn contract_share(contract: Option<&ContractRun>, ran: bool, grade: &mut ItemGrade) -> Option<f64> {
    let Some(contract) = contract else {
        grade.status = "not_run";
        grade.evidence.push(if ran {
            "the server was not started (setup failed or no run command)".into()
        } else {
            "the API contract was not probed (pass --run-tests)".into()
        });
        return if ran { Some(0.0) } else { None };
    };
    if let Some(detail) = &contract.detail {
        grade.evidence.push(detail.clone());
    }
    for p in &contract.probes {
        grade.evidence.push(format!(
            "{}: {}: {}",
            p.name,
            if p.passed { "pass" } else { "fail" },
            p.detail
        ));
    }
    if contract.passed() < contract.probes.len() {
        grade.fix.push("start the server with `make run` and compare its answers with the API table of the README".into());
    }
    Some(contract.passed() as f64 / contract.probes.len().max(1) as f64)
}

pub fn total(items: &[ItemGrade], rubric: &Rubric) -> Total {
    let counted = items.iter().filter(|i| i.counts());
    let (points, max): (f64, f64) =
        counted.fold((0.0, 0.0), |(p, m), i| (p + i.points, m + i.max_points));
    let raw = if max > 0.0 {
        round2(points * 100.0 / max)
    } else {
        100.0
    };
    let failed: Vec<&ItemGrade> = items.iter().filter(|i| i.required_failed()).collect();
    let consequence = if failed.is_empty() {
        None
    } else if failed.iter().any(|i| {
        rubric
            .items
            .iter()
            .find(|r| r.id == i.id)
            .is_some_and(|r| r.on_failure == RequiredFailure::Fail)
    }) {
        Some(RequiredFailure::Fail)
    } else {
        Some(RequiredFailure::Cap)
    };
    let (percent, grade) = match consequence {
        Some(RequiredFailure::Fail) => (0.0, rubric.scale.fail_grade.clone()),
        Some(RequiredFailure::Cap) => {
            let p = raw.min(rubric.scale.cap);
            (p, rubric.scale.letter(p))
        }
        None => (raw, rubric.scale.letter(raw)),
    };
    Total {
        points: round2(points),
        max_points: round2(max),
        raw_percent: raw,
        percent,
        grade,
        required_failed: failed.iter().map(|i| i.id.clone()).collect(),
        consequence,
    }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
