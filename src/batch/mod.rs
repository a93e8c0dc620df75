//! `folio batch`: from a roster to one repository per student.
//!
//! Two phases. `plan` turns each roster row into a job (repository name from the name pattern,
//! stack, database, target folder, origin URL) or a row error, sequentially, so duplicates and
//! bad rows are found before anything is written; each row's answers go through the same
//! resolver as `folio new` (`settings`). `execute` then runs the jobs in parallel through the
//! same pipeline as `folio new` (`project::generate`), so an interrupted batch leaves only
//! complete repositories, and a rerun skips them.

pub mod report;
pub mod roster;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use handlebars::Handlebars;
use rayon::prelude::*;
use serde_json::json;

use crate::answers::{Answers, Ci, Db, Jobs, License, ProjectName};
use crate::error::{Error, Result};
use crate::git::Identity;
use crate::pack::{self, Pack, render::Prepared, vars::Values};
use crate::project::generate::{self, GitOutcome, GitPolicy, Options};
use crate::project::write;
use crate::settings::{self, Given, Prompts};
use crate::template::helpers;
use crate::template::registry::{Registry, Stack};
use report::{RowResult, Status};
use roster::RosterRow;

/// Everything a batch needs, resolved from the flags.
pub struct BatchSettings {
    pub rows: Vec<RosterRow>,
    pub out: PathBuf,
    pub name_pattern: String,
    pub remote_pattern: Option<String>,
    pub stack: Option<String>,
    pub db: Option<Db>,
    pub ci: Ci,
    pub jobs: Option<Jobs>,
    pub license: License,
    pub identity: Option<Identity>,
    pub year: u16,
    pub fail_fast: bool,
    pub force: bool,
    /// A template pack every repository is generated from, with its variables' answers.
    pub pack: Option<BatchPack>,
}

/// A template pack for the whole batch (loaded once; it lives as long as the process).
pub struct BatchPack {
    pub pack: &'static Pack,
    pub prepared: &'static Prepared<'static>,
    pub values: Values,
}

/// One repository to generate.
pub struct Job {
    pub row: RosterRow,
    pub stack: &'static Stack,
    pub answers: Answers,
    pub target: PathBuf,
    pub remote: Option<String>,
}

/// A row, planned: a job, or the reason it cannot be one.
pub enum Planned {
    Job(Box<Job>),
    Invalid(Box<RowResult>),
}

const NAME_PATTERN: &str = "name";
const REMOTE_PATTERN: &str = "remote";

/// Compiles the patterns once; a syntax error stops the whole batch before any row is read.
pub fn pattern_engine(settings: &BatchSettings) -> Result<Handlebars<'static>> {
    let mut hb = helpers::base_engine();
    let patterns = [
        ("--name-pattern", NAME_PATTERN, Some(&settings.name_pattern)),
        (
            "--remote-pattern",
            REMOTE_PATTERN,
            settings.remote_pattern.as_ref(),
        ),
    ];
    for (option, key, pattern) in patterns {
        if let Some(pattern) = pattern {
            let refused = |message: String| Error::InvalidPattern {
                option,
                pattern: crate::answers::one_line(pattern, 120),
                message: crate::answers::one_line(&message, crate::answers::ERROR_ECHO_MAX),
            };
            check_pattern_size(pattern).map_err(refused)?;
            hb.register_template_string(key, pattern)
                .map_err(|e| refused(e.to_string()))?;
        }
    }
    Ok(hb)
}

/// The longest pattern and the deepest nesting of blocks and sub-expressions a pattern may have:
/// the Handlebars parser recurses per level, so a hostile pattern must not reach it unbounded.
const PATTERN_MAX_CHARS: usize = 1024;
const PATTERN_MAX_DEPTH: usize = 16;

fn check_pattern_size(pattern: &str) -> std::result::Result<(), String> {
    if pattern.chars().count() > PATTERN_MAX_CHARS {
        return Err(format!(
            "it is longer than {PATTERN_MAX_CHARS} characters, the most folio accepts"
        ));
    }
    let (mut blocks, mut parens, mut deepest) = (0usize, 0usize, 0usize);
    let bytes = pattern.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        match (b, next) {
            (b'{', Some(b'#' | b'^')) => blocks += 1,
            (b'{', Some(b'/')) => blocks = blocks.saturating_sub(1),
            (b'(', _) => parens += 1,
            (b')', _) => parens = parens.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(blocks + parens);
    }
    if deepest > PATTERN_MAX_DEPTH {
        return Err(format!(
            "it nests blocks or sub-expressions {deepest} deep, more than the {PATTERN_MAX_DEPTH} folio accepts"
        ));
    }
    Ok(())
}

/// `--jobs` is clamped to this many threads per core.
const MAX_JOBS_PER_CORE: usize = 4;

/// How many rows to generate at once. Generation is disk- and CPU-bound: more threads than rows,
/// or than a few per core, only add load, so a hostile `--jobs 100000` starts a handful.
pub fn job_threads(requested: Option<usize>, rows: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    requested
        .filter(|n| *n > 0)
        .unwrap_or(cores)
        .min(MAX_JOBS_PER_CORE * cores)
        .min(rows.max(1))
}

/// Turns every row into a job or a row error. Targets are checked for duplicates here.
pub fn plan(
    settings: &BatchSettings,
    registry: &'static Registry,
    patterns: &Handlebars<'static>,
) -> Result<Vec<Planned>> {
    let mut seen: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut planned = Vec::with_capacity(settings.rows.len());
    for row in &settings.rows {
        let item = match plan_row(settings, registry, patterns, row) {
            Ok(job) => match seen.get(&job.target) {
                Some(first) => Planned::Invalid(Box::new(RowResult::invalid(
                    row,
                    Some(job.answers.name.to_string()),
                    format!(
                        "it would write {}, like the row at {first}; make the names unique (e.g. add a column to --name-pattern)",
                        job.target.display()
                    ),
                ))),
                None => {
                    seen.insert(job.target.clone(), row.location.clone());
                    Planned::Job(Box::new(job))
                }
            },
            Err((name, message)) => {
                Planned::Invalid(Box::new(RowResult::invalid(row, name, message)))
            }
        };
        if settings.fail_fast {
            if let Planned::Invalid(result) = &item {
                return Err(Error::RowInvalid {
                    location: result.location.clone(),
                    message: result.error.clone().unwrap_or_default(),
                });
            }
        }
        planned.push(item);
    }
    Ok(planned)
}

/// One row; the error carries the repository name when it got that far. The row's own columns
/// win over the batch's flags, and both go through the same resolver as `folio new`.
fn plan_row(
    settings: &BatchSettings,
    registry: &'static Registry,
    patterns: &Handlebars<'static>,
    row: &RosterRow,
) -> std::result::Result<Job, (Option<String>, String)> {
    let student = row
        .fields
        .get("name")
        .cloned()
        .ok_or((None, "it has no name".to_string()))?;
    if student.starts_with('#') {
        return Err((
            None,
            "its name starts with `#`, so it may be a commented-out row; delete the line to drop the student, or remove the `#` to generate the repository".into(),
        ));
    }
    let student = settings::check_student(&student).map_err(|e| (None, e.to_string()))?;
    let mut context = json!(row.fields);
    context["row"] = json!(row.number);
    let repo = patterns
        .render(NAME_PATTERN, &context)
        .map_err(|e| (None, pattern_error(&e, &settings.name_pattern, row)))?;
    let name = ProjectName::parse(&repo).map_err(|e| (Some(repo.clone()), e.to_string()))?;
    let db = match row.fields.get("db") {
        Some(text) => Some(Db::parse(text).ok_or_else(|| {
            (
                Some(repo.clone()),
                format!("its db `{text}` is not sqlite or postgres"),
            )
        })?),
        None => None,
    };
    let from_row = Given {
        stack: row.fields.get("stack").cloned(),
        db,
        // The student is the author of their copy; the instructor is the commit's author.
        author: Some(student.clone()),
        student: Some(student),
        ..Given::default()
    };
    let from_flags = Given {
        stack: match &settings.pack {
            Some(p) => Some(p.prepared.stack().manifest.id.clone()),
            None => settings.stack.clone(),
        },
        db: settings.db,
        ci: Some(settings.ci),
        jobs: settings.jobs,
        license: Some(settings.license),
        year: Some(settings.year),
        ..Given::default()
    };
    let mut given = from_row.or(from_flags);
    let resolve_in = match &settings.pack {
        Some(p) => {
            given.stack = Some(p.prepared.stack().manifest.id.clone());
            match p.prepared.base {
                Some(_) => registry,
                None => &p.prepared.own,
            }
        }
        None => registry,
    };
    let resolved = settings::resolve(resolve_in, name, given, Prompts::Never)
        .map_err(|e| (Some(repo.clone()), error_with_hint(&e)))?;
    let remote = match &settings.remote_pattern {
        Some(pattern) => Some(
            patterns
                .render(REMOTE_PATTERN, &context)
                .map_err(|e| (Some(repo.clone()), pattern_error(&e, pattern, row)))?,
        ),
        None => None,
    };
    Ok(Job {
        row: row.clone(),
        stack: resolved.stack,
        target: settings.out.join(resolved.answers.name.as_str()),
        answers: resolved.answers,
        remote,
    })
}

/// Explains a pattern that failed on one row: almost always a column this row leaves empty.
fn pattern_error(e: &handlebars::RenderError, pattern: &str, row: &RosterRow) -> String {
    use handlebars::RenderErrorReason::{MissingVariable, ParamNotFoundForName};
    let columns = row.fields.keys().cloned().collect::<Vec<_>>().join(", ");
    match e.reason() {
        MissingVariable(Some(var)) => {
            format!(
                "`{pattern}` uses `{var}`, and this row has no value for it (it has: {columns})"
            )
        }
        MissingVariable(None) | ParamNotFoundForName(..) => {
            format!("`{pattern}` uses a column this row has no value for (it has: {columns})")
        }
        _ => format!("`{pattern}` failed: {e}"),
    }
}

fn error_with_hint(e: &Error) -> String {
    match e.hint() {
        Some(hint) => format!("{e} {hint}"),
        None => e.to_string(),
    }
}

/// Generates every job, `jobs` at a time, calling `done` as each finishes.
pub fn execute(
    registry: &'static Registry,
    jobs: &[&Job],
    settings: &BatchSettings,
    threads: usize,
    done: &(dyn Fn(&RowResult) + Sync),
) -> Vec<RowResult> {
    let failed = AtomicBool::new(false);
    let run = || {
        jobs.par_iter()
            .map(|job| {
                let stop = crate::project::interrupt::interrupted()
                    || (settings.fail_fast && failed.load(Ordering::SeqCst));
                let result = if stop {
                    RowResult::from_job(job, Status::NotStarted, None, None)
                } else {
                    generate_one(registry, job, settings)
                };
                if result.status == Status::Failed {
                    failed.store(true, Ordering::SeqCst);
                }
                done(&result);
                result
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

fn generate_one(registry: &'static Registry, job: &Job, settings: &BatchSettings) -> RowResult {
    if write::holds_files(&job.target) && !settings.force {
        return RowResult::from_job(job, Status::Skipped, None, None);
    }
    let options = Options {
        force: settings.force,
        git: GitPolicy::Always,
        identity: settings.identity.clone(),
        remote: job.remote.clone(),
    };
    let generated = match &settings.pack {
        Some(p) => {
            pack::render::render(p.pack, p.prepared, &job.answers, &p.values).and_then(|tree| {
                generate::write_as(
                    &tree,
                    &p.pack.manifest.id,
                    &p.pack.manifest.version,
                    &job.target,
                    &options,
                )
            })
        }
        None => generate::generate(registry, job.stack, &job.answers, &job.target, &options),
    };
    match generated {
        Ok(generated) => {
            let (status, commit) = match generated.git {
                GitOutcome::Committed(oid) => (Status::Created, Some(oid)),
                _ => (Status::Overwritten, None),
            };
            let mut result = RowResult::from_job(job, status, commit, None);
            result.backup = generated.merged.backup;
            result
        }
        Err(e) => RowResult::from_job(job, Status::Failed, None, Some(error_with_hint(&e))),
    }
}

#[cfg(test)]
mod limits {
    use super::*;

    #[test]
    fn jobs_are_clamped_to_the_rows_and_the_cores() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert_eq!(job_threads(Some(100_000), 2), 2);
        assert_eq!(
            job_threads(Some(100_000), 1_000_000),
            MAX_JOBS_PER_CORE * cores
        );
        assert_eq!(job_threads(Some(1), 50), 1);
        assert_eq!(job_threads(None, 0), 1);
    }

    #[test]
    fn deeply_nested_patterns_are_refused_before_parsing() {
        let deep = format!("{}x{}", "{{#if a}}".repeat(5000), "{{/if}}".repeat(5000));
        assert!(check_pattern_size(&deep).unwrap_err().contains("longer"));
        let parens = format!(
            "{{{{slug {}name{}}}}}",
            "(lower ".repeat(40),
            ")".repeat(40)
        );
        assert!(check_pattern_size(&parens).unwrap_err().contains("nests"));
        assert!(check_pattern_size("{{#if cohort}}{{slug name}}-c{{cohort}}{{/if}}").is_ok());
    }
}
