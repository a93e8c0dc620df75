//! `folio completions SHELL`: print a completion script generated from the clap definitions.
//!
//! `--stack` takes free text (aliases and languages select stacks, and a typo gets a
//! did-you-mean), so its parser lists no values. For the script only, the stack names are given
//! to clap as possible values, so `--stack <TAB>` offers stacks instead of file names; parsing
//! the real command line is not affected.

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Command, CommandFactory};

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::error::{ExitStatus, Result};
use crate::template::registry::registry;

pub fn run(args: CompletionsArgs, ctx: &Context) -> Result<ExitStatus> {
    let mut command = with_stack_values(Cli::command())?;
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "folio", &mut script);
    let text = String::from_utf8_lossy(&script);
    ctx.printer.out(text.trim_end())?;
    Ok(ExitStatus::Success)
}

/// `command` with every `--stack` option completing the embedded stacks' ids and languages.
fn with_stack_values(command: Command) -> Result<Command> {
    let registry = registry()?;
    let mut values: Vec<PossibleValue> = Vec::new();
    for stack in &registry.stacks {
        let m = &stack.manifest;
        values.push(PossibleValue::new(m.id.clone()).help(m.summary.clone()));
        if m.default_for_language {
            values.push(
                PossibleValue::new(m.language.clone())
                    .help(format!("the default {} stack", m.language)),
            );
        }
    }
    let parser = PossibleValuesParser::new(values);
    let with = |sub: Command| {
        if sub.get_arguments().any(|a| a.get_id() == "stack") {
            sub.mut_arg("stack", |a| a.value_parser(parser.clone()))
        } else {
            sub
        }
    };
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    Ok(names
        .iter()
        .fold(command, |cmd, name| cmd.mut_subcommand(name, with)))
}
