//! The `folio` binary: parse, run, print the error, exit. Everything else lives in the library.
//!
//! Two things clap does not do the way a newcomer needs: `folio` alone prints the help and
//! exits 0 (a usage error still exits 2), and a mistyped subcommand gets a did-you-mean even for
//! a transposition such as `nwe`, which clap's similarity threshold misses.

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};

use folio::cli::Cli;
use folio::error::Error;

/// Esc or Ctrl-C at a question: the shells' code for SIGINT.
const CANCELLED_EXIT_CODE: u8 = 130;

fn main() -> ExitCode {
    if std::env::args_os().len() == 1 {
        let _ = Cli::command().print_long_help();
        return ExitCode::SUCCESS;
    }
    let cli = Cli::try_parse().unwrap_or_else(|err| with_subcommand_suggestion(err).exit());
    match folio::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err @ Error::Cancelled) => {
            folio::project::interrupt::restore_cursor();
            folio::printer::print_error(&err);
            ExitCode::from(CANCELLED_EXIT_CODE)
        }
        Err(err) if folio::project::interrupt::interrupted() => {
            match err {
                Error::Interrupted => folio::printer::print_error(&err),
                _ => eprintln!(
                    "folio: interrupted: the staging folder was removed and a --force merge rolled back, so nothing was left half-written."
                ),
            }
            ExitCode::from(folio::project::interrupt::exit_code())
        }
        Err(err) => {
            folio::printer::print_error(&err);
            ExitCode::from(folio::error::ERROR_EXIT_CODE)
        }
    }
}

/// An unknown subcommand without clap's suggestion gets the closest by edit distance (a swap of
/// two letters counts as one edit), when it is close enough to be a typo.
fn with_subcommand_suggestion(mut err: clap::Error) -> clap::Error {
    if err.kind() != ErrorKind::InvalidSubcommand
        || err.get(ContextKind::SuggestedSubcommand).is_some()
    {
        return err;
    }
    let Some(ContextValue::String(typed)) = err.get(ContextKind::InvalidSubcommand).cloned() else {
        return err;
    };
    let command = Cli::command();
    let best = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .map(|name| (strsim::damerau_levenshtein(&typed, &name), name))
        .filter(|(distance, name)| *distance <= 2 && *distance < name.len())
        .min();
    if let Some((_, name)) = best {
        err.insert(
            ContextKind::SuggestedSubcommand,
            ContextValue::Strings(vec![name]),
        );
    }
    err
}
