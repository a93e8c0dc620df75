//! `folio new NAME`: resolve the answers, render the stack in memory, write it atomically, commit.

use std::path::PathBuf;

use crate::answers::{self, Answers, AnswersFile, Ci, Db, License, Vcs};
use crate::cli::NewArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::git;
use crate::name::ProjectName;
use crate::output::{self, GitMode, GitOutcome, WriteOptions};
use crate::template::registry::{Registry, Stack, registry};
use crate::template::render;

/// Everything `new` needs, resolved from flags, the answers file, prompts and defaults.
pub struct NewSettings {
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
        let ask = ctx.interactive && !args.yes;

        let stack = match args.stack.as_deref().or(file.stack.as_deref()) {
            Some(given) => registry.find(given)?,
            None if ask => prompt_stack(registry)?,
            None => registry.default_stack()?,
        };
        name.check_keywords(&stack.manifest.id, &stack.manifest.keywords)?;

        let db = match args.db.or(file.db) {
            Some(db) => db,
            None if ask && stack.manifest.databases.len() > 1 => prompt_db(stack)?,
            None => Db::default_for(stack),
        };
        if !stack.manifest.databases.iter().any(|d| d == db.id()) {
            return Err(Error::UnsupportedDatabase {
                stack: stack.manifest.id.clone(),
                db: db.id().into(),
                supported: stack.manifest.databases.clone(),
            });
        }
        let description = match args.description.as_deref().or(file.description.as_deref()) {
            Some(text) => answers::check_description(text)?,
            None if ask => answers::check_description(&prompt_text(
                "Describe the project in one line",
                &answers::default_description(&name),
            )?)?,
            None => answers::default_description(&name),
        };
        let author = match args.author.as_deref().or(file.author.as_deref()) {
            Some(text) => answers::check_author(text)?,
            None => answers::default_author(&name),
        };
        let student = match file.student.as_deref() {
            Some(text) => answers::check_text("student", text, 200)?,
            None => String::new(),
        };
        let answers = Answers {
            db,
            ci: args.ci.or(file.ci).unwrap_or(Ci::Github),
            license: args.license.or(file.license).unwrap_or(License::Mit),
            year: file.year.unwrap_or_else(answers::current_year),
            author,
            description,
            student,
            name,
        };
        let parent = match &args.output {
            Some(dir) => ctx.cwd.join(dir),
            None => ctx.cwd.clone(),
        };
        Ok(NewSettings {
            stack,
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
    let registry = registry()?;
    let tree = render::render(registry, settings.stack, &settings.answers)?;
    let target = &settings.target;
    let shown = target.strip_prefix(&ctx.cwd).unwrap_or(target).display();

    if settings.dry_run {
        output::check_target(target, settings.force)?;
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

    let options = WriteOptions {
        force: settings.force,
        git: match settings.vcs {
            Vcs::Git => GitMode::UnlessInsideWorkTree,
            Vcs::None => GitMode::Off,
        },
        commit_message: git::initial_commit_message(&settings.stack.manifest.id),
        identity: None,
        remote: None,
    };
    let written = output::write_project(&tree, target, &options)?;
    ctx.printer.status(
        "Created",
        &format!(
            "{} ({}, {}) in {shown}: {} files",
            settings.answers.name,
            settings.stack.manifest.id,
            settings.answers.db.id(),
            written.files
        ),
    );
    match &written.git {
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

fn prompt_stack(registry: &'static Registry) -> Result<&'static Stack> {
    let items: Vec<String> = registry
        .stacks
        .iter()
        // One short line each: summaries are long enough to wrap and garble the menu.
        .map(|s| format!("{:<20} {}", s.manifest.id, s.manifest.language))
        .collect();
    let default_id = &registry.default_stack()?.manifest.id;
    let default = registry
        .stacks
        .iter()
        .position(|s| s.manifest.id == *default_id)
        .unwrap_or(0);
    let chosen = dialoguer::Select::new()
        .with_prompt("Which stack?")
        .items(&items)
        .default(default)
        .interact()
        .map_err(|e| Error::Prompt(e.to_string()))?;
    Ok(&registry.stacks[chosen])
}

fn prompt_db(stack: &Stack) -> Result<Db> {
    let chosen = dialoguer::Select::new()
        .with_prompt("Which database?")
        .items(&stack.manifest.databases)
        .default(0)
        .interact()
        .map_err(|e| Error::Prompt(e.to_string()))?;
    Ok(Db::parse(&stack.manifest.databases[chosen]).unwrap_or(Db::Sqlite))
}

fn prompt_text(prompt: &str, default: &str) -> Result<String> {
    dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .default(default.to_string())
        .interact_text()
        .map_err(|e| Error::Prompt(e.to_string()))
}
