//! What every command is handed: the printer, the working directory, and whether a person is
//! there to answer prompts. The printer itself (colour, stdout and stderr) is in
//! [`crate::printer`].

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::ColorChoice;
use crate::error::{Error, Result};
use crate::printer::{Printer, apply_color_choice};

pub struct Context {
    pub printer: Printer,
    pub cwd: PathBuf,
    /// A person can answer prompts: stdin and stderr are terminals.
    pub interactive: bool,
}

impl Context {
    pub fn from_env(color: ColorChoice) -> Result<Self> {
        apply_color_choice(color);
        let cwd =
            std::env::current_dir().map_err(|e| Error::io("read the current folder", ".", e))?;
        Ok(Context {
            printer: Printer,
            cwd,
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        })
    }
}
