//! Making a project on disk from a rendered [`crate::tree::Tree`].
//!
//! [`generate`] is the one pipeline `new` and `batch` call: render, stage, commit, publish; it
//! decides about git and writes the first commit's message. [`write`] is the only code that
//! touches the target folder: the staging folder beside it, the `--force` merge, the `.env`
//! secret and the final rename. It knows nothing of git.

pub mod failpoint;
pub mod generate;
pub mod interrupt;
pub mod merge;
pub mod write;
