//! `folio batch ROSTER`: resolve the flags, plan every row, generate in parallel, report.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use crate::answers::{self, Ci, License};
use crate::batch::report::{self, RowResult, Status, Summary};
use crate::batch::{self, BatchSettings, Job, Planned, roster};
use crate::cli::BatchArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::git::Identity;
use crate::template::registry::registry;

pub fn run(args: BatchArgs, ctx: &Context) -> Result<ExitStatus> {
    let roster_path = ctx.cwd.join(&args.roster);
    let identity = match &args.author {
        Some(text) => Some(Identity::parse(text).ok_or(Error::InvalidOption {
            option: "--author",
            reason: format!("`{text}` is not of the form \"Name <email>\""),
        })?),
        None => None,
    };
    let builtin = registry()?;
    let pack = match &args.template {
        Some(spec) => {
            // One pack per run, used by every row on every thread: it lives for the process.
            let pack: &'static crate::pack::Pack =
                Box::leak(Box::new(crate::pack::load(spec, &ctx.cwd)?));
            let prepared: &'static crate::pack::render::Prepared<'static> =
                Box::leak(Box::new(crate::pack::render::prepare(pack, builtin)?));
            let values =
                crate::pack::vars::resolve(&pack.manifest.variables, &args.var, None, false)?;
            Some(batch::BatchPack {
                pack,
                prepared,
                values,
            })
        }
        None => None,
    };
    let settings = BatchSettings {
        rows: roster::read(&roster_path)?,
        out: args
            .out
            .as_ref()
            .map(|o| ctx.cwd.join(o))
            .unwrap_or_else(|| ctx.cwd.clone()),
        name_pattern: args.name_pattern,
        remote_pattern: args.remote_pattern,
        stack: args.stack,
        db: args.db,
        ci: args.ci.unwrap_or(Ci::Github),
        jobs: args.background_jobs,
        license: args.license.unwrap_or(License::Mit),
        identity,
        year: answers::current_year(),
        fail_fast: args.fail_fast,
        force: args.force,
        pack,
    };
    let registry = registry()?;
    if let Some(stack) = &settings.stack {
        registry.find(stack)?;
    }
    let patterns = batch::pattern_engine(&settings)?;
    let planned = batch::plan(&settings, registry, &patterns)?;

    let mut results: Vec<RowResult> = Vec::with_capacity(planned.len());
    let mut jobs: Vec<&Job> = Vec::new();
    for item in &planned {
        match item {
            Planned::Invalid(result) => {
                ctx.printer.warn(&result.line());
                results.push((**result).clone());
            }
            Planned::Job(job) => jobs.push(job),
        }
    }

    if args.dry_run {
        for job in &jobs {
            let result = RowResult::from_job(job, Status::Planned, None, None);
            ctx.printer.out(&format!(
                "{}  {}  {}",
                result.location,
                job.target.display(),
                job.stack.manifest.id
            ))?;
            results.push(result);
        }
        summarize(ctx, &Summary::of(&results));
        return finish(&Summary::of(&results), results.len(), None);
    }

    // A signal now lets running rows fail and clean up, and the report is still written.
    let _deferred = crate::project::interrupt::defer();
    let threads = batch::job_threads(args.jobs, jobs.len());
    let progress = progress_bar(jobs.len() as u64);
    let printer = Mutex::new(());
    let on_done = |result: &RowResult| {
        let _guard = printer.lock();
        match &progress {
            Some(bar) => {
                if result.status.is_problem() {
                    bar.println(result.line());
                }
                bar.inc(1);
            }
            None if result.status.is_problem() => ctx.printer.warn(&result.line()),
            None => ctx.printer.note(&result.line()),
        }
    };
    let started = std::time::Instant::now();
    results.extend(batch::execute(
        registry, &jobs, &settings, threads, &on_done,
    ));
    let elapsed = started.elapsed();
    results.sort_by_key(|r| r.row);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
        // The bar showed only problems as they came: end with what was made, in roster order.
        for result in results.iter().filter(|r| !r.status.is_problem()) {
            ctx.printer.note(&result.line());
        }
    }
    let made = results
        .iter()
        .filter(|r| matches!(r.status, Status::Created | Status::Overwritten))
        .count();
    if made > 0 {
        ctx.printer.note(&rate(made, elapsed));
    }
    let report = report::write(&settings.out, &roster_path, &results)?;
    let summary = Summary::of(&results);
    summarize(ctx, &summary);
    ctx.printer.note(&format!("Report: {}", report.display()));
    if crate::project::interrupt::interrupted() {
        return Err(Error::Interrupted);
    }
    finish(&summary, results.len(), Some(report))
}

/// "12 repositories in 1.4 s (8.6 per second)": whole numbers from 10 on, one decimal below.
fn rate(made: usize, elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f64().max(0.001);
    let per_sec = made as f64 / secs;
    let per_sec = if per_sec >= 10.0 {
        format!("{per_sec:.0}")
    } else {
        format!("{per_sec:.1}")
    };
    let noun = if made == 1 {
        "repository"
    } else {
        "repositories"
    };
    format!("{made} {noun} in {secs:.1} s ({per_sec} per second)")
}

fn summarize(ctx: &Context, s: &Summary) {
    ctx.printer.status(
        "Finished",
        &format!(
            "{} created, {} overwritten, {} skipped, {} planned, {} invalid, {} failed, {} not started",
            s.created, s.overwritten, s.skipped, s.planned, s.invalid, s.failed, s.not_started
        ),
    );
}

fn finish(
    summary: &Summary,
    total: usize,
    report: Option<std::path::PathBuf>,
) -> Result<ExitStatus> {
    if summary.problems() == 0 {
        return Ok(ExitStatus::Success);
    }
    Err(Error::BatchIncomplete {
        failed: summary.problems(),
        total,
        report: report.unwrap_or_else(|| "the output above".into()),
    })
}

/// A progress bar when a person is watching stderr; plain lines otherwise.
fn progress_bar(len: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} repositories ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}
