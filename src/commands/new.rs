//! `folio new NAME`: resolve the settings, then hand them to the one pipeline
//! ([`crate::project::generate`]) and say what happened.

use std::path::{Path, PathBuf};

use crate::answers::{Answers, AnswersFile, ProjectName, Vcs};
use crate::cli::{ListFormat, NewArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::git;
use crate::pack::{self, Pack, render::Prepared, vars::Values};
use crate::project::generate::{self, GitOutcome, GitPolicy, Options};
use crate::project::{merge, write};
use crate::settings::{self, Given, Prompts, prompt};
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
    /// Questions were asked: the equivalent non-interactive command is printed afterwards.
    pub asked: bool,
    /// The author came from --author, the answers file or a prompt, not from git's config.
    pub author_given: bool,
    pub format: ListFormat,
    /// `--template` and `--var` as given, for the equivalent command.
    pub template_spec: Option<String>,
    pub vars: Vec<String>,
}

impl NewSettings {
    pub fn resolve(args: NewArgs, ctx: &Context) -> Result<Self> {
        let prompts = if ctx.interactive && !args.yes {
            Prompts::Ask
        } else {
            Prompts::Never
        };
        let mut file = match &args.answers {
            Some(path) => AnswersFile::read(&ctx.cwd.join(path))?,
            None => AnswersFile::default(),
        };
        // The answers file may name the project too (a replay of its own `.folio.toml`).
        let name = match args.name.as_ref().or(file.name.as_ref()) {
            Some(text) => ProjectName::parse(text)?,
            None if prompts == Prompts::Ask => prompt::name()?,
            None => {
                return Err(Error::MissingAnswer {
                    what: "the project name",
                    flag: "it as the first argument, e.g. `folio new todo-api`",
                });
            }
        };
        forget_other_projects_identity(&mut file, &name);
        let parent = match &args.output {
            Some(dir) => ctx.cwd.join(dir),
            None => ctx.cwd.clone(),
        };
        // Before any question: an answer given to a command that cannot succeed is wasted.
        check_target(&parent, &parent.join(name.as_str()), args.force)?;
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
        let author_given =
            flags.author.is_some() || file.author.is_some() || prompts == Prompts::Ask;
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
        Ok(NewSettings {
            registry,
            stack,
            pack,
            target: parent.join(answers.name.as_str()),
            answers,
            vcs: args.vcs.unwrap_or(Vcs::Git),
            dry_run: args.dry_run,
            force: args.force,
            asked: prompts == Prompts::Ask,
            author_given,
            format: args.format,
            template_spec: args.template.clone(),
            vars: args.var.clone(),
        })
    }
}

pub fn run(args: NewArgs, ctx: &Context) -> Result<ExitStatus> {
    let settings = NewSettings::resolve(args, ctx)?;
    if settings.asked {
        ctx.printer.note(&format!(
            "Tip: the same project without questions:\n  {}\n",
            equivalent_command(&settings, ctx)
        ));
    }
    let target = &settings.target;
    let shown = target.strip_prefix(&ctx.cwd).unwrap_or(target).display();
    let tree = match &settings.pack {
        Some(from) => {
            pack::render::render(&from.pack, &from.prepared, &settings.answers, &from.values)?
        }
        None => generate::render(settings.registry, settings.stack, &settings.answers)?,
    };
    let manifest = match &settings.pack {
        Some(from) => from.prepared.stack().manifest.clone(),
        None => settings.stack.manifest.clone(),
    };
    let stack_id = manifest.id.clone();

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
        identity: commit_identity(&settings, ctx),
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
    if settings.format == ListFormat::Json {
        print_json(&settings, &stack_id, &generated, ctx)?;
    }
    ctx.printer.note(&format!(
        "\n{}",
        crate::printer::next_steps(&crate::printer::NextSteps {
            folder: &shown.to_string(),
            name: settings.answers.name.as_str(),
            manifest: &manifest,
            db: settings.answers.db,
            jobs: settings.answers.jobs,
            committed: matches!(generated.git, GitOutcome::Committed(_)),
        })
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

/// `--format json`: what a script needs to go on from here, on stdout.
fn print_json(
    settings: &NewSettings,
    stack_id: &str,
    generated: &generate::Generated,
    ctx: &Context,
) -> Result<()> {
    let answers = &settings.answers;
    let (commit, git) = match &generated.git {
        GitOutcome::Committed(oid) => (Some(oid.clone()), "committed"),
        GitOutcome::InsideWorkTree(_) => (None, "inside-work-tree"),
        GitOutcome::Disabled => (None, "disabled"),
    };
    let json = serde_json::json!({
        "path": settings.target,
        "name": answers.name.as_str(),
        "stack": stack_id,
        "template": settings.pack.as_ref().map(|p| serde_json::json!({
            "id": p.pack.manifest.id,
            "version": p.pack.manifest.version,
        })),
        "options": {
            "db": answers.db,
            "ci": answers.ci,
            "jobs": answers.jobs,
            "license": answers.license,
            "author": answers.author,
            "description": answers.description,
            "year": answers.year,
        },
        "files": generated.files,
        "git": git,
        "commit": commit,
        "branch": commit.as_ref().map(|_| git::INITIAL_BRANCH),
    });
    let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Template {
        template: "new --format json".into(),
        message: e.to_string(),
    })?;
    ctx.printer.out(&text)
}

/// An answers file copied from another project (`--answers other/.folio.toml`) must not carry
/// that project into this one: its name inside the description, or its student.
fn forget_other_projects_identity(file: &mut AnswersFile, name: &ProjectName) {
    let Some(old) = file.name.clone().filter(|old| old != name.as_str()) else {
        return;
    };
    if let Some(description) = &file.description {
        let default_of_old = ProjectName::parse(&old)
            .map(|old| crate::answers::default_description(&old))
            .ok();
        file.description = if default_of_old.as_deref() == Some(description.as_str()) {
            None
        } else {
            Some(replace_word(description, &old, name.as_str()))
        };
    }
    // The neutral author folio writes without a git identity names the project too.
    if file.author.as_deref() == Some(format!("The {old} authors").as_str()) {
        file.author = None;
    }
    file.student = None;
}

/// `text` with every whole-word `old` replaced by `new` (`demo-go` but not `demo-gopher`).
fn replace_word(text: &str, old: &str, new: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

/// Refuses, before any question, a target that cannot be written: an `--output` that is a file
/// (or lies under one), or an existing non-empty project folder without --force.
fn check_target(parent: &Path, target: &Path, force: bool) -> Result<()> {
    if let Some(file) = parent
        .ancestors()
        .find(|p| p.exists())
        .filter(|p| !p.is_dir())
    {
        return Err(Error::TargetIsFile {
            path: file.to_path_buf(),
        });
    }
    // The write's own check (a symbolic link, a file, a non-empty folder), made early.
    write::check_target(target, force)
}

/// Who the first commit is by: an author given with an address; else git's identity when it is
/// complete; else the author given as a flag, in the answers file or at the prompt, so a
/// portfolio is never silently credited to a placeholder; else the placeholder, with a warning
/// that says how to set the identity.
fn commit_identity(settings: &NewSettings, ctx: &Context) -> Option<git::Identity> {
    if settings.vcs == Vcs::None {
        return None;
    }
    let configured = crate::commands::doctor::GitIdentity::configured();
    // An author given with an address ("Ada Lovelace <ada@example.org>") is who the commit is by.
    let with_address = settings.author_given && settings.answers.author.contains('<');
    if configured.is_complete() && !with_address {
        return None;
    }
    let advice = configured.advice().unwrap_or_default();
    if !settings.author_given {
        ctx.printer.warn(&format!(
            "{advice}. LICENSE and README name `{}` for now.",
            settings.answers.author
        ));
        return None;
    }
    let author = &settings.answers.author;
    let parsed = git::Identity::parse(author)?;
    let email = if author.contains('<') {
        parsed.email
    } else {
        match configured.email {
            Some(email) => email,
            None => {
                ctx.printer.warn(&format!(
                    "the first commit is by {author} <{}>, as git has no user.email; pass --author \"{author} <you@example.org>\" or run `git config --global user.email you@example.org`",
                    parsed.email
                ));
                parsed.email
            }
        }
    };
    Some(git::Identity {
        name: parsed.name,
        email,
    })
}

/// `folio new NAME --stack S ... --yes`: what the questions amounted to, to repeat without them.
fn equivalent_command(settings: &NewSettings, ctx: &Context) -> String {
    let answers = &settings.answers;
    let mut words = vec![
        "folio".to_string(),
        "new".into(),
        answers.name.as_str().to_string(),
    ];
    let mut flag = |name: &str, value: &str| {
        words.push(name.to_string());
        words.push(shell_quote(value));
    };
    match &settings.template_spec {
        Some(spec) => {
            flag("--template", spec);
            for var in &settings.vars {
                flag("--var", var);
            }
        }
        None => flag("--stack", &settings.stack.manifest.id),
    }
    flag("--db", answers.db.id());
    flag("--ci", answers.ci.id());
    flag("--jobs", answers.jobs.id());
    flag("--license", answers.license.id());
    flag("--author", &answers.author);
    flag("--description", &answers.description);
    let parent = settings.target.parent().unwrap_or(&settings.target);
    if parent != ctx.cwd {
        flag("--output", &parent.display().to_string());
    }
    words.push("--yes".into());
    words.join(" ")
}

/// `text` as one shell word: bare when it is plain, else in single quotes.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
