//! `folio completions SHELL`: print a completion script generated from the clap definitions.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::error::{ExitStatus, Result};

pub fn run(args: CompletionsArgs, _ctx: &Context) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "folio", &mut script);
    let text = String::from_utf8_lossy(&script);
    _ctx.printer.out(text.trim_end())?;
    Ok(ExitStatus::Success)
}
