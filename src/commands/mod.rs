//! One file per subcommand; each exposes `run(args, &ctx) -> Result<ExitStatus>`.

pub mod batch;
pub mod check;
pub mod completions;
pub mod doctor;
pub mod grade;
pub mod list;
pub mod man;
pub mod new;
pub mod pack;
pub mod update;
