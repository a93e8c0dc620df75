//! `folio new NAME`: resolve the settings, then hand them to the one pipeline
//! ([`crate::project::generate`]) and say what happened.

use std::path::PathBuf;

use crate::answers::{Answers, AnswersFile, ProjectName, Vcs};
use crate::cli::NewArgs;
use crate::context::Context;
use crate::error::{ExitStatus, Result};
use crate::git;
use crate::project::generate::{self, GitOutcome, GitPolicy, Options};
use crate::project::write;
use crate::settings::{self, Given, Prompts};
use crate::template::registry::{Registry, Stack, registry};

/// Everything `new` needs, resolved from flags, the answers file, prompts and defaults.
pub struct NewSettings {
    pub registry: &'static Registry,
    pub stack: &'static Stack,
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
        let resolved = settings::resolve(registry, name, flags.or(Given::from(&file)), prompts)?;
        let parent = match &args.output {
            Some(dir) => ctx.cwd.join(dir),
            None => ctx.cwd.clone(),
        };
        Ok(NewSettings {
            registry,
            stack: resolved.stack,
            target: parent.join(resolved.answers.name.as_str()),
            answers: resolved.answers,
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
    let tree = generate::render(settings.registry, settings.stack, &settings.answers)?;

    if settings.dry_run {
        write::check_target(target, settings.force)?;
        ctx.printer.note(&format!(
            "Would create {shown} ({}, {}) with {} files ({} bytes); nothing was written:",
            settings.stack.manifest.id,
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
    let generated = generate::write(&tree, &settings.stack.manifest.id, target, &options)?;
    ctx.printer.status(
        "Created",
        &format!(
            "{} ({}, {}) in {shown}: {} files",
            settings.answers.name,
            settings.stack.manifest.id,
            settings.answers.db.id(),
            generated.files
        ),
    );
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
    let commands = &settings.stack.manifest.commands;
    ctx.printer.note(&format!(
        "\nNext steps:\n  cd {shown}\n  {}    # install dependencies\n  {}     # run the tests\n  {}      # start the API on http://localhost:8080 (docs in README.md)",
        commands.setup, commands.test, commands.run
    ));
    Ok(ExitStatus::Success)
}
