//! `folio new NAME`: resolve the settings, then hand them to the one pipeline
//! ([`crate::project::generate`]) and say what happened.

use std::path::PathBuf;

use crate::answers::{Answers, AnswersFile, ProjectName, Vcs};
use crate::cli::NewArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::git;
use crate::pack::{self, Pack, render::Prepared, vars::Values};
use crate::project::generate::{self, GitOutcome, GitPolicy, Options};
use crate::project::{merge, write};
use crate::settings::{self, Given, Prompts};
use crate::template::registry::{Registry, Stack, registry};

/// A template pack, loaded and prepared, with the answers to its variables.
pub struct FromPack {
    pub pack: Pack,
    pub prepared: Prepared<'static>,
    pub values: Values,
}

/// Everything `new` needs, resolved from flags, the answers file, prompts and defaults.
pub struct NewSettings {
    pub registry: &'static Registry,
    pub stack: &'static Stack,
    pub pack: Option<FromPack>,
    pub answers: Answers,
    pub target: PathBuf,
    pub vcs: Vcs,
    pub dry_run: bool,
    pub force: bool,
}

impl NewSettings {
    pub fn resolve(args: NewArgs, ctx: &Context) -> Result<Self> {
        let file = match &args.answers {
            Some(path) => AnswersFile::read(&ctx.cwd.join(path))?,
            None => AnswersFile::default(),
        };
        let name = ProjectName::parse(&args.name)?;
        let registry = registry()?;
        let flags = Given {
            stack: args.stack,
            db: args.db,
            ci: args.ci,
            jobs: args.jobs,
            license: args.license,
            author: args.author,
            description: args.description,
            // Only an answers file records these: a project's year, a batch repository's student.
            year: None,
            student: None,
        };
        let prompts = if ctx.interactive && !args.yes {
            Prompts::Ask
        } else {
            Prompts::Never
        };
        let mut given = flags.or(Given::from(&file));
        let pack = match &args.template {
            Some(spec) => {
                let pack = pack::load(spec, &ctx.cwd)?;
                let prepared = pack::render::prepare(&pack, registry)?;
                let stack_id = prepared.stack().manifest.id.clone();
                if let Some(asked) = given.stack.as_deref().filter(|s| {
                    registry
                        .find(s)
                        .map(|found| found.manifest.id != stack_id)
                        .unwrap_or(true)
                }) {
                    return Err(Error::InvalidOption {
                        option: "--stack",
                        reason: format!(
                            "asks for `{asked}`, but the pack {} is made for `{stack_id}`; leave --stack out",
                            pack.manifest.id
                        ),
                    });
                }
                given.stack = Some(stack_id);
                Some((pack, prepared))
            }
            None => None,
        };
        let resolved = match &pack {
            Some((_, prepared)) if prepared.base.is_none() => {
                settings::resolve(&prepared.own, name, given, prompts).map(|r| (r.answers, None))?
            }
            _ => {
                let r = settings::resolve(registry, name, given, prompts)?;
                (r.answers, Some(r.stack))
            }
        };
        let (answers, builtin_stack) = resolved;
        let pack = match pack {
            Some((pack, prepared)) => {
                let values = pack::vars::resolve(
                    &pack.manifest.variables,
                    &args.var,
                    file.vars.as_ref(),
                    prompts == Prompts::Ask,
                )?;
                Some(FromPack {
                    pack,
                    prepared,
                    values,
                })
            }
            None => None,
        };
        let stack = match builtin_stack {
            Some(stack) => stack,
            // A complete stack of a pack: its manifest governs, through the pack's registry;
            // the built-in default stands in where a &'static stack is needed for display.
            None => registry.default_stack()?,
        };
        let parent = match &args.output {
            Some(dir) => ctx.cwd.join(dir),
            None => ctx.cwd.clone(),
        };
        Ok(NewSettings {
            registry,
            stack,
            pack,
            target: parent.join(answers.name.as_str()),
            answers,
            vcs: args.vcs.unwrap_or(Vcs::Git),
            dry_run: args.dry_run,
            force: args.force,
        })
    }
}

pub fn run(args: NewArgs, ctx: &Context) -> Result<ExitStatus> {
    let settings = NewSettings::resolve(args, ctx)?;
    let target = &settings.target;
    let shown = target.strip_prefix(&ctx.cwd).unwrap_or(target).display();
    let tree = match &settings.pack {
        Some(from) => {
            pack::render::render(&from.pack, &from.prepared, &settings.answers, &from.values)?
        }
        None => generate::render(settings.registry, settings.stack, &settings.answers)?,
    };
    let (stack_id, commands) = match &settings.pack {
        Some(from) => (
            from.prepared.stack().manifest.id.clone(),
            from.prepared.stack().manifest.commands.clone(),
        ),
        None => (
            settings.stack.manifest.id.clone(),
            settings.stack.manifest.commands.clone(),
        ),
    };

    if settings.dry_run {
        if let Some(plan) = write::plan_merge(&tree, target, settings.force)? {
            print_merge_plan(&plan, &shown.to_string(), ctx)?;
            return Ok(ExitStatus::Success);
        }
        ctx.printer.note(&format!(
            "Would create {shown} ({}, {}) with {} files ({} bytes); nothing was written:",
            stack_id,
            settings.answers.db.id(),
            tree.len(),
            tree.total_bytes()
        ));
        for path in tree.paths() {
            ctx.printer.out(path)?;
        }
        return Ok(ExitStatus::Success);
    }

    let options = Options {
        force: settings.force,
        git: match settings.vcs {
            Vcs::Git => GitPolicy::UnlessInsideWorkTree,
            Vcs::None => GitPolicy::Off,
        },
        identity: None,
        remote: None,
    };
    // A signal from here on unwinds through the write, which cleans up after itself.
    let _deferred = crate::project::interrupt::defer();
    let generated = match &settings.pack {
        Some(from) => generate::write_as(
            &tree,
            &from.pack.manifest.id,
            &from.pack.manifest.version,
            target,
            &options,
        )?,
        None => generate::write(&tree, &stack_id, target, &options)?,
    };
    ctx.printer.status(
        "Created",
        &format!(
            "{} ({}, {}) in {shown}: {} files",
            settings.answers.name,
            match &settings.pack {
                Some(from) => format!(
                    "{} {} on {stack_id}",
                    from.pack.manifest.id, from.pack.manifest.version
                ),
                None => stack_id.clone(),
            },
            settings.answers.db.id(),
            generated.files
        ),
    );
    for stale in &generated.cleaned {
        ctx.printer.note(&format!(
            "Removed {}, a staging folder left by an interrupted folio run.",
            stale.display()
        ));
    }
    if let Some(backup) = &generated.merged.backup {
        let rel = backup.strip_prefix(&ctx.cwd).unwrap_or(backup).display();
        ctx.printer.status(
            "Backed up",
            &format!(
                "{} file(s) of yours that the template replaced, into {rel}: {}",
                generated.merged.backed_up.len(),
                list_paths(&generated.merged.backed_up)
            ),
        );
    }
    match &generated.git {
        GitOutcome::Committed(oid) => ctx.printer.status(
            "Committed",
            &format!(
                "git repository on `{}`, first commit {}",
                git::INITIAL_BRANCH,
                &oid[..oid.len().min(12)]
            ),
        ),
        GitOutcome::InsideWorkTree(work_tree) => ctx.printer.note(&format!(
            "Skipped git init: {shown} is inside the git work tree at {}.",
            work_tree.display()
        )),
        GitOutcome::Disabled => {}
    }
    ctx.printer.note(&format!(
        "\nNext steps:\n  cd {shown}\n  {}    # install dependencies\n  {}     # run the tests\n  {}      # start the API on http://localhost:8080 (docs in README.md)",
        commands.setup, commands.test, commands.run
    ));
    Ok(ExitStatus::Success)
}

/// `--force --dry-run` into a folder with files: what each template path would do.
fn print_merge_plan(plan: &merge::Plan, shown: &str, ctx: &Context) -> Result<()> {
    let replaced = plan.replaced().count();
    ctx.printer.note(&format!(
        "Would merge {} paths into {shown}; {replaced} file(s) of yours would be moved into a .folio-backup-<time> folder inside it; nothing was written:",
        plan.steps.len()
    ));
    for (path, action) in &plan.steps {
        let what = match action {
            merge::Action::Create => "create ",
            merge::Action::Replace => "replace",
            merge::Action::Unchanged => "same   ",
            merge::Action::Keep => "keep   ",
        };
        ctx.printer.out(&format!(
            "{what} {}",
            crate::answers::one_line(&path.display().to_string(), 200)
        ))?;
    }
    Ok(())
}

fn list_paths(paths: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|p| crate::answers::one_line(&p.display().to_string(), 200))
        .collect();
    names.join(", ")
}
