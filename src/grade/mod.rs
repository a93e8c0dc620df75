//! `folio grade`: a cohort's repositories into a gradebook, under a rubric students cannot weaken.
//!
//! For each repository, in parallel: [`history`] picks the graded commit (the last before the
//! deadline) and measures the student's own work since the pristine render; the check rules run
//! on that commit's tree (never the work tree) under the rubric's [`policy`]; with
//! `--run-tests`, [`runner`] runs the stack's setup and test commands in a temporary clone and
//! [`contract`] probes the running server; [`score`] turns it all into points and a grade. A
//! repository that cannot be graded is a row with the reason, never an abort. [`output`] writes
//! `gradebook.csv`, `items.csv`, `grades.json` and the feedback files, in roster order.

pub mod cohort;
pub mod contract;
pub mod history;
pub mod output;
pub mod policy;
pub mod rubric;
pub mod runner;
pub mod score;
pub mod time;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::answers::AnswersFile;
use crate::check::project::Project;
use crate::check::repo::Snapshot;
use crate::check::report::Report;
use crate::grade::cohort::Entry;
use crate::grade::contract::ContractRun;
use crate::grade::history::{Analysis, Anomaly, CommitRef, OwnWork, RenderBase};
use crate::grade::policy::IgnoreRecord;
use crate::grade::rubric::Rubric;
use crate::grade::runner::{StepResult, StepStatus};
use crate::grade::score::{Inputs, ItemGrade, Total};

/// The version of `grades.json`'s shape (docs/grades.schema.json).
pub const SCHEMA_VERSION: u32 = 1;

/// What grading needs besides the repositories.
pub struct Options<'a> {
    pub rubric: &'a Rubric,
    pub deadline: Option<i64>,
    pub run_tests: bool,
    /// Where `--run-tests` logs go (`OUT/logs`).
    pub logs: PathBuf,
}

/// `--run-tests` for one repository.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    pub setup: StepResult,
    pub test: StepResult,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractRun>,
    /// Why nothing could run (no clone, no commands for the stack).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One student's row of the gradebook.
#[derive(Debug, Clone, Serialize)]
pub struct StudentGrade {
    pub student: String,
    pub repo: String,
    /// `graded`, or `error` with the reason in `error`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub stack: Option<String>,
    pub graded_commit: Option<String>,
    pub head_commit: Option<String>,
    pub render: Option<RenderBase>,
    pub total: Option<Total>,
    pub check_score: Option<u8>,
    pub items: Vec<ItemGrade>,
    pub own_work: Option<OwnWork>,
    pub late_commits: Vec<CommitRef>,
    pub anomalies: Vec<Anomaly>,
    pub ignores: Vec<IgnoreRecord>,
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestRun>,
}

impl StudentGrade {
    fn broken(student: String, repo: String, error: String) -> Self {
        StudentGrade {
            student,
            repo,
            status: "error",
            error: Some(error),
            stack: None,
            graded_commit: None,
            head_commit: None,
            render: None,
            total: None,
            check_score: None,
            items: Vec::new(),
            own_work: None,
            late_commits: Vec::new(),
            anomalies: Vec::new(),
            ignores: Vec::new(),
            notes: Vec::new(),
            tests: None,
        }
    }
}

/// Grades one entry; every failure becomes the row's `error`.
pub fn grade_one(entry: &Entry, options: &Options<'_>) -> StudentGrade {
    let fallback_name = entry.student.clone().unwrap_or_else(|| {
        entry
            .repo
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| entry.shown.clone(), |n| n.to_string_lossy().into_owned())
    });
    if let Some(problem) = &entry.problem {
        return StudentGrade::broken(fallback_name, entry.shown.clone(), problem.clone());
    }
    let Some(dir) = &entry.repo else {
        return StudentGrade::broken(fallback_name, entry.shown.clone(), "no repository".into());
    };
    // A bug met on one odd repository must not cost the rest of the cohort their grades.
    let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        grade_repo(dir, entry, &fallback_name, options)
    }));
    match graded {
        Ok(Ok(grade)) => grade,
        Ok(Err(error)) => StudentGrade::broken(fallback_name, entry.shown.clone(), error),
        Err(_) => StudentGrade::broken(
            fallback_name,
            entry.shown.clone(),
            "folio failed on this repository (a bug: please report it)".into(),
        ),
    }
}

fn grade_repo(
    dir: &Path,
    entry: &Entry,
    fallback_name: &str,
    options: &Options<'_>,
) -> Result<StudentGrade, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    // Only a repository whose top is this folder: a student folder that is not a repository
    // must not be graded as part of an enclosing one.
    let repo = git2::Repository::open(dir)
        .map_err(|_| format!("{} is not a git repository", entry.shown))?;
    if repo.is_bare() {
        return Err(format!(
            "{} is a bare repository; grade a clone of it",
            entry.shown
        ));
    }
    // The graded commit's `.folio.toml` names the student and stack and may hold a [check].
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|_| format!("{} has no commit to grade", entry.shown))?;
    let provenance_at = |commit: git2::Oid| -> Option<AnswersFile> {
        let bytes =
            crate::git::merge::file_at(&repo, commit, crate::answers::PROVENANCE_FILE).ok()??;
        toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()
    };
    let student = entry
        .student
        .clone()
        .or_else(|| provenance_at(head.id()).and_then(|p| p.student))
        .unwrap_or_else(|| fallback_name.to_string());
    let analysis: Analysis =
        history::analyse(&repo, &student, options.deadline, &options.rubric.own_work)?;
    let provenance = provenance_at(analysis.graded);
    let stack = provenance.as_ref().and_then(|p| p.stack.clone());
    let student_table = provenance.as_ref().and_then(|p| p.check.clone());
    let graded = policy::resolve(options.rubric, student_table.as_ref());
    let snapshot = Snapshot::at_commit(dir, analysis.graded).map_err(|e| e.to_string())?;
    let project = Project::load(snapshot, provenance);
    let report = Report::build(&project, &graded.policy, entry.shown.clone());
    let tests = options
        .run_tests
        .then(|| run_tests(dir, &analysis, stack.as_deref(), &student, options));
    let inputs = Inputs {
        report: &report,
        stack: stack.as_deref(),
        own: &analysis.own,
        tests: tests.as_ref(),
        rubric: options.rubric,
    };
    let items = score::score_items(&inputs);
    let total = score::total(&items, options.rubric);
    let mut notes = graded.notes;
    if !analysis.late.is_empty() {
        notes.push(format!(
            "{} commit(s) after the deadline are not graded",
            analysis.late.len()
        ));
    }
    Ok(StudentGrade {
        student,
        repo: entry.shown.clone(),
        status: "graded",
        error: None,
        stack,
        graded_commit: Some(analysis.graded.to_string()),
        head_commit: Some(analysis.head.to_string()),
        render: Some(analysis.render),
        total: Some(total),
        check_score: Some(report.score),
        items,
        own_work: Some(analysis.own),
        late_commits: analysis.late,
        anomalies: analysis.anomalies,
        ignores: graded.ignores,
        notes,
        tests,
    })
}

/// Setup, test and the contract probes in a temporary clone of the graded commit.
fn run_tests(
    dir: &Path,
    analysis: &Analysis,
    stack: Option<&str>,
    student: &str,
    options: &Options<'_>,
) -> TestRun {
    let plan = &options.rubric.tests;
    let manifest = stack.and_then(|s| {
        crate::template::registry::registry()
            .ok()?
            .find(s)
            .ok()
            .map(|st| st.manifest.commands.clone())
    });
    let command = |given: &Option<String>,
                   pick: fn(&crate::template::manifest::Commands) -> &String| {
        given
            .clone()
            .or_else(|| manifest.as_ref().map(|m| pick(m).clone()))
    };
    let setup = command(&plan.setup, |c| &c.setup);
    let test = command(&plan.test, |c| &c.test);
    let run = command(&plan.run, |c| &c.run);
    let failed = |error: String| TestRun {
        setup: StepResult::not_run(setup.as_deref().unwrap_or(""), &error),
        test: StepResult::not_run(test.as_deref().unwrap_or(""), &error),
        passed: None,
        failed: None,
        contract: None,
        error: Some(error),
    };
    let (Some(setup), Some(test)) = (setup.clone(), test.clone()) else {
        return failed("no setup and test commands: the repository names no stack folio knows, and the rubric's [tests] gives none".into());
    };
    let clone = match runner::clone_at(dir, &analysis.graded.to_string()) {
        Ok(clone) => clone,
        Err(e) => return failed(e),
    };
    let work = clone.path().join("repo");
    // Named after the repository's folder, which is unique in a cohort (two students may share
    // a name), falling back to the student's.
    let folder = dir
        .file_name()
        .map_or_else(|| student.to_string(), |n| n.to_string_lossy().into_owned());
    let slug = crate::template::helpers::slug(&folder);
    let log = |step: &str| options.logs.join(format!("{slug}-{step}.log"));
    let setup_result = runner::run_step(&setup, &work, &[], plan.setup_timeout, &log("setup"));
    let test_result = if setup_result.status == StepStatus::Passed {
        runner::run_step(&test, &work, &[], plan.test_timeout, &log("test"))
    } else {
        StepResult::not_run(&test, "setup did not pass")
    };
    let counts = test_result
        .log
        .as_ref()
        .and_then(|l| runner::test_counts(&runner::read_log(l)));
    let contract = match (&run, setup_result.status) {
        (Some(run), StepStatus::Passed) => Some(contract::check(
            run,
            &work,
            &log("server"),
            plan.server_start_timeout,
        )),
        _ => None,
    };
    TestRun {
        setup: setup_result,
        test: test_result,
        passed: counts.map(|c| c.0),
        failed: counts.map(|c| c.1),
        contract,
        error: None,
    }
}
