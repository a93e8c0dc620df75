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
