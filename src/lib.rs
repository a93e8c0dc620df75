//! folio generates starter back-end projects for a portfolio from embedded templates.
//!
//! The flow of every command: `cli` parses, `answers` resolves flags, files and prompts into typed
//! settings, `template` renders a stack into an in-memory tree, `output` writes it atomically and
//! `git` makes it a repository. `commands` holds one file per subcommand.

pub mod answers;
pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
pub mod context;
pub mod error;
pub mod git;
pub mod name;
pub mod output;
pub mod template;
pub mod update;

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::error::{ExitStatus, Result};

/// folio's version, recorded in every generated project.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    let ctx = Context::from_env(cli.color)?;
    match cli.command {
        Command::New(args) => commands::new::run(args, &ctx),
        Command::Batch(args) => commands::batch::run(args, &ctx),
        Command::List(args) => commands::list::run(args, &ctx),
        Command::Check(args) => commands::check::run(args, &ctx),
        Command::Update(args) => commands::update::run(args, &ctx),
        Command::Completions(args) => commands::completions::run(args, &ctx),
    }
}
