//! The `folio` binary: parse, run, print the error, exit. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = folio::cli::Cli::parse();
    match folio::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) if folio::project::interrupt::interrupted() => {
            match err {
                folio::error::Error::Interrupted => folio::printer::print_error(&err),
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
