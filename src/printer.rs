//! The printer: every line folio shows goes through here, so colour is decided in one place.
//!
//! anstream strips styles when the stream is not a terminal, when `NO_COLOR` is set, or with
//! `--color never`. Results go to stdout (so they can be piped); progress, warnings and errors go
//! to stderr. Only `main` prints errors, through [`print_error`].

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::cli::ColorChoice;
use crate::error::{Error, Result};

const GOOD: Style = AnsiColor::Green.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default().bold();

/// Sets anstream's global choice; `auto` honours `NO_COLOR`, `CLICOLOR_FORCE` and the terminal.
pub fn apply_color_choice(color: ColorChoice) {
    let choice = match color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Writes to stdout and stderr with optional styling. A closed pipe (`folio list | head`) is not
/// an error: the reader has what it wanted.
#[derive(Debug, Clone, Copy)]
pub struct Printer;

impl Printer {
    /// A result line on stdout.
    pub fn out(&self, text: &str) -> Result<()> {
        let mut out = anstream::stdout().lock();
        match writeln!(out, "{text}") {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(Error::io("write to", "stdout", e))
            }
            _ => Ok(()),
        }
    }

    /// Progress on stderr, cargo-style: a right-aligned green verb, then the message.
    pub fn status(&self, verb: &str, message: &str) {
        let _ = writeln!(anstream::stderr(), "{GOOD}{verb:>12}{GOOD:#} {message}");
    }

    pub fn warn(&self, message: &str) {
        let _ = writeln!(anstream::stderr(), "{WARN}warning{WARN:#}: {message}");
    }

    /// A plain line on stderr.
    pub fn note(&self, message: &str) {
        let _ = writeln!(anstream::stderr(), "{message}");
    }
}

/// Prints an error and its hint; only `main` calls it.
pub fn print_error(err: &Error) {
    let mut stderr = anstream::stderr();
    let _ = writeln!(stderr, "{BAD}error{BAD:#}: {err}");
    if let Some(hint) = err.hint() {
        let _ = writeln!(stderr, "{HINT}hint{HINT:#}: {hint}");
    }
}

/// What the next steps after `folio new` are tailored to.
pub struct NextSteps<'a> {
    /// The project folder as the user should `cd` to it.
    pub folder: &'a str,
    pub name: &'a str,
    pub manifest: &'a crate::template::manifest::Manifest,
    pub db: crate::answers::Db,
    pub jobs: crate::answers::Jobs,
    /// Whether folio made the first commit (else publishing starts with `git init`).
    pub committed: bool,
}

/// The "Next steps" block of `folio new`: the toolchain and whether it is on PATH, Docker first
/// for PostgreSQL, `make` with the stack's own commands beside it, and how to publish.
pub fn next_steps(steps: &NextSteps) -> String {
    use crate::answers::{Db, Jobs};
    let commands = &steps.manifest.commands;
    let native = commands.native.as_ref().map(|n| n.for_project(steps.name));
    let mut lines = vec!["Next steps:".to_string()];
    let needed: Vec<_> = steps.manifest.requires.needed_for(steps.db).collect();
    for tool in needed.iter().filter(|t| t.only_for.is_none()) {
        let wanted = match &tool.min {
            Some(min) => format!("{} {min}+", tool.name),
            None => tool.name.clone(),
        };
        lines.push(match crate::doctor::find_on_path(&tool.program) {
            Some(path) => format!(
                "  # needs {wanted}: `{}` found at {}",
                tool.program,
                path.display()
            ),
            None => format!(
                "  # needs {wanted}: `{}` is NOT on PATH; install: {}",
                tool.program, tool.install
            ),
        });
    }
    lines.push(format!("  cd {}", steps.folder));
    let step = |lines: &mut Vec<String>, command: &str, what: &str| {
        lines.push(format!("  {command:<24} # {what}"));
    };
    if steps.db == Db::Postgres {
        let docker = needed
            .iter()
            .find(|t| t.only_for == Some(Db::Postgres))
            .map(|t| t.program.as_str())
            .unwrap_or("docker");
        let found = match crate::doctor::find_on_path(docker) {
            Some(_) => "Docker is on PATH; its engine must be running",
            None => "Docker is NOT on PATH: install Docker Desktop or docker first",
        };
        step(
            &mut lines,
            "docker compose up -d db",
            &format!("first: start PostgreSQL, which the tests and the API use ({found})"),
        );
    }
    let with_native = |what: &str, native: Option<&str>| match native {
        Some(n) => format!("{what} (or: {n})"),
        None => what.to_string(),
    };
    step(
        &mut lines,
        &commands.setup,
        &with_native(
            "install dependencies",
            native.as_ref().map(|n| n.setup.as_str()),
        ),
    );
    step(
        &mut lines,
        &commands.test,
        &with_native("run the tests", native.as_ref().map(|n| n.test.as_str())),
    );
    step(
        &mut lines,
        &commands.run,
        &with_native(
            "start the API on http://localhost:8080",
            native.as_ref().map(|n| n.run.as_str()),
        ),
    );
    step(
        &mut lines,
        "folio check",
        "the portfolio checklist, as CI and reviewers see it",
    );
    if steps.jobs == Jobs::Webhooks {
        lines.push(
            "  Webhooks are on: a background worker delivers them; README.md says how to try it."
                .into(),
        );
    }
    lines.push(
        "  .env holds a random development JWT secret; it is git-ignored, never commit it.".into(),
    );
    lines.push(String::new());
    lines.push("Publish it (a portfolio is seen on GitHub):".into());
    if !steps.committed {
        lines.push("  git init -b main && git add -A && git commit -m \"Initial commit\"".into());
    }
    lines.push(format!(
        "  gh repo create {} --source . --private --push",
        steps.name
    ));
    lines.push(format!(
        "  or, with an empty repository made on github.com: git remote add origin git@github.com:YOU/{}.git && git push -u origin main",
        steps.name
    ));
    lines.join("\n")
}
