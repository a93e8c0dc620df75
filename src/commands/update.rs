//! `folio update [DIR...]`: merge this folio's templates into generated repositories.

use std::path::PathBuf;

use crate::answers::{self, AnswersFile, ProjectName};
use crate::cli::{UpdateArgs, UpdateFormat};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::git::merge::Change;
use crate::pack;
use crate::settings::{self, Given, Prompts};
use crate::template::registry::{Registry, registry};
use crate::template::render;
use crate::update::cohort::{self, RepoResult, RepoStatus};
use crate::update::{self, Mode, Outcome, Rendered};

pub fn run(args: UpdateArgs, ctx: &Context) -> Result<ExitStatus> {
    let mode = match (args.dry_run, args.check) {
        (_, true) => Mode::Check,
        (true, _) => Mode::DryRun,
        _ => Mode::Apply,
    };
    let paths: Vec<PathBuf> = if args.dirs.is_empty() {
        vec![ctx.cwd.clone()]
    } else {
        args.dirs.iter().map(|d| ctx.cwd.join(d)).collect()
    };
    let repos = cohort::expand(&paths)?;
    let registry = registry()?;
    let cwd = ctx.cwd.clone();
    let template = args.template.clone();
    let render = |file: &AnswersFile| match (&file.pack, &template) {
        (None, None) => render_embedded(registry, file),
        (record, given) => {
            let spec = given
                .clone()
                .or_else(|| record.as_ref().map(|r| r.source.clone()))
                .unwrap_or_default();
            render_pack(registry, file, &spec, &cwd)
        }
    };
    let single = repos.len() == 1;
    let jobs = args.jobs.unwrap_or_else(default_jobs).clamp(1, 64);

    if single {
        let request = update::Request {
            dir: repos[0].clone(),
            sets: &args.set,
            base: args.base.as_deref(),
            mode,
        };
        let outcome = update::update(&request, &render)?;
        match args.format {
            UpdateFormat::Json => ctx.printer.out(&to_json(&outcome)?)?,
            UpdateFormat::Text => print_outcome(ctx, &outcome),
        }
        return Ok(exit_for(outcome.needs_attention()));
    }

    let text = args.format == UpdateFormat::Text;
    let print_row = |row: &RepoResult| {
        if text {
            ctx.printer.note(&row_line(row, ctx));
        }
    };
    let rows = cohort::update_all(
        &repos,
        &args.set,
        args.base.as_deref(),
        mode,
        jobs,
        &render,
        &print_row,
    );
    let attention = rows.iter().any(|r| match &r.result {
        RepoStatus::Done(outcome) => outcome.needs_attention(),
        RepoStatus::Refused { .. } => true,
    });
    let report = serde_json::json!({
        "folio_version": crate::VERSION,
        "mode": match mode { Mode::Apply => "apply", Mode::DryRun => "dry-run", Mode::Check => "check" },
        "repositories": rows,
    });
    let json = serde_json::to_string_pretty(&report).map_err(|e| Error::Template {
        template: "update report".into(),
        message: e.to_string(),
    })?;
    match args.format {
        UpdateFormat::Json => ctx.printer.out(&json)?,
        UpdateFormat::Text => {
            let refused = rows
                .iter()
                .filter(|r| matches!(r.result, RepoStatus::Refused { .. }))
                .count();
            ctx.printer.note(&format!(
                "{} repositories: {} need attention, {refused} refused.",
                rows.len(),
                rows.iter()
                    .filter(|r| matches!(&r.result, RepoStatus::Done(o) if o.needs_attention()))
                    .count()
            ));
        }
    }
    if let Some(folder) = paths
        .iter()
        .find(|p| p.join(crate::batch::report::REPORT_FILE).is_file())
        && mode == Mode::Apply
    {
        let file = folder.join("update-report.json");
        std::fs::write(&file, format!("{json}\n")).map_err(|e| Error::io("write", &file, e))?;
        if text {
            ctx.printer.note(&format!("Report: {}", file.display()));
        }
    }
    Ok(exit_for(attention))
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn exit_for(attention: bool) -> ExitStatus {
    if attention {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Success
    }
}

fn to_json(outcome: &Outcome) -> Result<String> {
    serde_json::to_string_pretty(outcome).map_err(|e| Error::Template {
        template: "update report".into(),
        message: e.to_string(),
    })
}

/// Renders an embedded stack from recorded answers, resolved and validated as `folio new`
/// resolves them (never a prompt: the answers are all recorded).
fn render_embedded(registry: &Registry, file: &AnswersFile) -> Result<Rendered> {
    let name = ProjectName::parse(file.name.as_deref().ok_or_else(|| Error::AnswersInvalid {
        path: answers::PROVENANCE_FILE.into(),
        message: "it records no project name (add `name = \"...\"`)".into(),
    })?)?;
    if file.stack.is_none() {
        return Err(Error::AnswersInvalid {
            path: answers::PROVENANCE_FILE.into(),
            message: "it names no stack (add e.g. `stack = \"python-fastapi\"`)".into(),
        });
    }
    let resolved = settings::resolve(registry, name, recorded(file), Prompts::Never)?;
    let tree = render::render(registry, resolved.stack, &resolved.answers)?;
    Ok(Rendered {
        template: resolved.stack.manifest.id.clone(),
        version: crate::VERSION.to_string(),
        tree,
        once: resolved.stack.manifest.once_paths(),
    })
}

/// Renders a project of a template pack from its recorded answers and variables.
fn render_pack(
    registry: &'static Registry,
    file: &AnswersFile,
    spec: &str,
    cwd: &std::path::Path,
) -> Result<Rendered> {
    let pack = pack::load(spec, cwd).map_err(|e| match e {
        Error::PackRefused { reason, .. } if reason.contains("cannot be read") => {
            Error::UpdateRefused {
                path: cwd.to_path_buf(),
                reason: format!("its template pack `{spec}` cannot be found from here"),
                fix: "pass --template PACK naming the pack's folder or git URL.".into(),
            }
        }
        other => other,
    })?;
    if let Some(record) = &file.pack
        && record.id != pack.manifest.id
    {
        return Err(Error::InvalidOption {
            option: "--template",
            reason: format!(
                "names the pack `{}`, but the project was made from `{}`",
                pack.manifest.id, record.id
            ),
        });
    }
    let prepared = pack::render::prepare(&pack, registry)?;
    let name = ProjectName::parse(file.name.as_deref().ok_or_else(|| Error::AnswersInvalid {
        path: answers::PROVENANCE_FILE.into(),
        message: "it records no project name (add `name = \"...\"`)".into(),
    })?)?;
    let mut given = recorded(file);
    given.stack = Some(prepared.stack().manifest.id.clone());
    let answers = match prepared.base {
        Some(_) => settings::resolve(registry, name, given, Prompts::Never)?.answers,
        None => settings::resolve(&prepared.own, name, given, Prompts::Never)?.answers,
    };
    let values = pack::vars::resolve(&pack.manifest.variables, &[], file.vars.as_ref(), false)?;
    let tree = pack::render::render(&pack, &prepared, &answers, &values)?;
    Ok(Rendered {
        template: pack.manifest.id.clone(),
        version: pack.manifest.version.clone(),
        tree,
        once: prepared.stack().manifest.once_paths(),
    })
}

fn print_outcome(ctx: &Context, outcome: &Outcome) {
    match outcome {
        Outcome::UpToDate { version } => ctx.printer.status(
            "Up to date",
            &format!("the repository already has folio's {version} render for these answers"),
        ),
        Outcome::Newer { version, this } => ctx.printer.status(
            "Up to date",
            &format!("rendered by folio {version}, newer than this folio ({this}); nothing to do"),
        ),
        Outcome::Available { from, to } => ctx.printer.warn(&format!(
            "an update is available: from the {from} render to folio {to}; run `folio update --dry-run` to see it, `folio update` to merge it"
        )),
        Outcome::Planned {
            from,
            to,
            files,
            env_missing,
        } => {
            ctx.printer.note(&format!(
                "Update from {from} to {to} (nothing was written):"
            ));
            for file in files {
                let from = file
                    .from
                    .as_ref()
                    .map(|f| format!(" (renamed from {f})"))
                    .unwrap_or_default();
                let _ = ctx
                    .printer
                    .out(&format!("{:<14} {}{from}", file.change.describe(), file.path));
            }
            print_env(ctx, env_missing);
        }
        Outcome::Updated {
            from,
            to,
            commit,
            files,
            env_missing,
        } => {
            print_notable(ctx, files);
            ctx.printer.status(
                "Updated",
                &format!(
                    "from {from} to {to}: merge commit {} ({})",
                    &commit[..12.min(commit.len())],
                    summary(files)
                ),
            );
            print_env(ctx, env_missing);
        }
        Outcome::Conflicts {
            from,
            to,
            conflicts,
            files,
            env_missing,
        } => {
            print_notable(ctx, files);
            ctx.printer.warn(&format!(
                "the update from {from} to {to} stopped with {} conflicted file(s):",
                conflicts.len()
            ));
            for path in conflicts {
                ctx.printer.note(&format!("  {path}"));
            }
            ctx.printer.note(
                "Next: edit each file (look for <<<<<<< markers; `git status` lists them), `git add` it, then `git commit` to finish the update; `git merge --abort` undoes the whole update.",
            );
            print_env(ctx, env_missing);
        }
    }
}

fn print_notable(ctx: &Context, files: &[crate::git::merge::FileChange]) {
    for file in files {
        if matches!(file.change, Change::KeptDeleted | Change::KeptChanged) {
            ctx.printer
                .note(&format!("  {}: {}", file.path, file.change.describe()));
        }
    }
}

fn summary(files: &[crate::git::merge::FileChange]) -> String {
    update::counts(files)
        .into_iter()
        .filter(|(c, _)| *c != Change::Unchanged)
        .map(|(c, n)| format!("{n} {}", c.describe()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_env(ctx: &Context, missing: &[String]) {
    if !missing.is_empty() {
        ctx.printer.warn(&format!(
            "your .env lacks settings the new .env.example has: {} (copy them from .env.example; folio never touches .env)",
            missing.join(", ")
        ));
    }
}

fn row_line(row: &RepoResult, ctx: &Context) -> String {
    let shown = row
        .path
        .strip_prefix(&ctx.cwd)
        .unwrap_or(&row.path)
        .display();
    match &row.result {
        RepoStatus::Done(Outcome::UpToDate { .. } | Outcome::Newer { .. }) => {
            format!("{shown}: up to date")
        }
        RepoStatus::Done(Outcome::Available { from, to }) => {
            format!("{shown}: update available ({from} -> {to})")
        }
        RepoStatus::Done(Outcome::Planned { files, .. }) => {
            format!("{shown}: would update ({})", summary(files))
        }
        RepoStatus::Done(Outcome::Updated { files, .. }) => {
            format!("{shown}: updated ({})", summary(files))
        }
        RepoStatus::Done(Outcome::Conflicts { conflicts, .. }) => {
            format!("{shown}: conflicts in {}", conflicts.join(", "))
        }
        RepoStatus::Refused { error, .. } => format!("{shown}: refused: {error}"),
    }
}

/// The answers `.folio.toml` records. A project made before `--jobs` existed records no `jobs`
/// and has no worker, so it stays without one (`--set jobs=webhooks` adds the feature) rather
/// than an update growing it silently.
fn recorded(file: &AnswersFile) -> Given {
    let mut given = Given::from(file);
    given.jobs.get_or_insert(crate::answers::Jobs::None);
    given
}
