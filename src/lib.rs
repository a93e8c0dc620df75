//! folio generates starter back-end projects for a portfolio from embedded templates.
//!
//! The flow of every command: `cli` parses; `settings` resolves flags, answers files, prompts
//! (`settings/prompt.rs`) and defaults into the typed values of `answers`; `template` renders a
//! stack into a [`tree::Tree`] in memory; `project/generate.rs` is the one pipeline that writes it
//! (`project/write.rs`: staging, `--force`, `.env`, the atomic rename) and has `git` commit it.
//! `commands` holds one file per subcommand, `printer` every line shown, `check` the audit.

pub mod answers;
pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
pub mod context;
pub mod doctor;
pub mod error;
pub mod git;
pub mod grade;
pub mod pack;
pub mod printer;
pub mod project;
pub mod settings;
pub mod template;
pub mod tree;
pub mod update;
pub mod version;

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::error::{ExitStatus, Result};

pub use version::VERSION;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    git::set_global_options();
    project::interrupt::install();
    let ctx = Context::from_env(cli.color)?;
    match cli.command {
        Command::New(args) => commands::new::run(args, &ctx),
        Command::Batch(args) => commands::batch::run(args, &ctx),
        Command::List(args) => commands::list::run(args, &ctx),
        Command::Check(args) => commands::check::run(args, &ctx),
        Command::Update(args) => commands::update::run(args, &ctx),
        Command::Pack(args) => commands::pack::run(args, &ctx),
        Command::Grade(args) => commands::grade::run(args, &ctx),
        Command::Doctor(args) => commands::doctor::run(args, &ctx),
        Command::Completions(args) => commands::completions::run(args, &ctx),
        Command::Man(args) => commands::man::run(args, &ctx),
    }
}
