//! `folio man`: the manual page (roff) generated from the same clap definitions as `--help`, so
//! the two never disagree. `folio man > ~/.local/share/man/man1/folio.1` installs it for `man folio`.

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};

pub fn run(_args: ManArgs, ctx: &Context) -> Result<ExitStatus> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Error::io("render the manual page to", "memory", e))?;
    ctx.printer.out(String::from_utf8_lossy(&page).trim_end())?;
    Ok(ExitStatus::Success)
}
