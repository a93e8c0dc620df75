//! `folio grade`: resolve the inputs (cohort or paths, rubric, deadline, output folder), grade
//! every repository in parallel, write the gradebook and print the summary.
//!
//! Exit status: 0 when every repository was graded (whatever the grades), 1 when some could not
//! be graded (their rows say why), 2 when grading could not start (a bad rubric or deadline).

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::GradeArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::grade::cohort::{self, Entry};
use crate::grade::output::{self, Gradebook};
use crate::grade::rubric::Rubric;
use crate::grade::{Options, grade_one, time};

pub struct GradeSettings {
    pub entries: Vec<Entry>,
    pub rubric: Rubric,
    pub deadline: Option<i64>,
    pub run_tests: bool,
    pub out: PathBuf,
    pub jobs: Option<usize>,
}

impl GradeSettings {
    pub fn resolve(args: GradeArgs, ctx: &Context) -> Result<Self> {
        let entries = match (&args.cohort, args.repos.is_empty()) {
            (Some(dir), _) => cohort::from_cohort(&ctx.cwd.join(dir))?,
            (None, false) => cohort::from_paths(&args.repos, &ctx.cwd),
            (None, true) => {
                return Err(Error::GradeRefused {
                    reason: "nothing to grade".into(),
                    fix: "pass --cohort DIR (a `folio batch` output folder) or the repositories' paths".into(),
                });
            }
        };
        let rubric = match &args.rubric {
            Some(path) => Rubric::read(&ctx.cwd.join(path))?,
            None => Rubric::default_rubric(),
        };
        let deadline = match &args.deadline {
            None => None,
            Some(text) => Some(time::parse_rfc3339(text).ok_or_else(|| Error::GradeRefused {
                reason: format!("--deadline `{text}` is not an RFC 3339 time"),
                fix: "write it with a date, a time and a zone, e.g. 2026-12-01T23:59:00Z or 2026-12-01T23:59:00+01:00".into(),
            })?),
        };
        if args.jobs == Some(0) {
            return Err(Error::GradeRefused {
                reason: "--jobs 0 would grade nothing".into(),
                fix: "pass --jobs 1 or more, or leave it out for the number of CPUs".into(),
            });
        }
        Ok(GradeSettings {
            entries,
            rubric,
            deadline,
            run_tests: args.run_tests,
            out: ctx
                .cwd
                .join(args.out.unwrap_or_else(|| PathBuf::from("grades"))),
            jobs: args.jobs,
        })
    }
}

pub fn run(args: GradeArgs, ctx: &Context) -> Result<ExitStatus> {
    let settings = GradeSettings::resolve(args, ctx)?;
    let logs = settings.out.join("logs");
    if settings.run_tests {
        std::fs::create_dir_all(&logs).map_err(|e| Error::io("create", &logs, e))?;
        ctx.printer.warn(
            "--run-tests executes every student's code (setup, tests and server) on this machine",
        );
    }
    std::fs::create_dir_all(&settings.out).map_err(|e| Error::io("create", &settings.out, e))?;
    let options = Options {
        rubric: &settings.rubric,
        deadline: settings.deadline,
        run_tests: settings.run_tests,
        logs,
    };
    let bar = progress_bar(settings.entries.len() as u64);
    let grade_all = || {
        settings
            .entries
            .par_iter()
            .map(|entry| {
                let grade = grade_one(entry, &options);
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                grade
            })
            .collect::<Vec<_>>()
    };
    // `collect` on an indexed parallel iterator keeps roster order.
    let students = match settings.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::GradeRefused {
                reason: format!("cannot start {n} threads: {e}"),
                fix: "pass a smaller --jobs".into(),
            })?
            .install(grade_all),
        None => grade_all(),
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let book = Gradebook {
        schema_version: crate::grade::SCHEMA_VERSION,
        folio_version: crate::VERSION,
        generated_at: time::format_utc(time::now()),
        rubric: settings
            .rubric
            .path
            .as_ref()
            .map(|p| p.display().to_string()),
        deadline: settings.deadline.map(time::format_utc),
        ran_tests: settings.run_tests,
        students: &students,
    };
    output::write_all(&settings.out, &book, &settings.rubric)?;
    ctx.printer.out(&output::summary(&students))?;
    ctx.printer.status(
        "Wrote",
        &format!(
            "gradebook.csv, items.csv, grades.json and {} feedback files to {}",
            students.len(),
            settings.out.display()
        ),
    );
    Ok(if students.iter().any(|s| s.status != "graded") {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Success
    })
}

/// A progress bar when a person is watching stderr; nothing otherwise.
fn progress_bar(len: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} repositories graded")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}
