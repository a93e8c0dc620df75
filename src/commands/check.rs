//! `folio check [DIR]`: audit a repository against the portfolio checklist.
//!
//! Resolve, then act: the flags and the `[check]` table of `.folio.toml` become one
//! [`Policy`], the repository becomes a [`Snapshot`] of what git tracks; then the rules run, the
//! report is printed in the chosen format, and the verdict becomes the exit status
//! (0 passed, 1 the check failed; errors such as "not a repository" exit 2 through `main`).

use std::path::PathBuf;

use crate::answers::{AnswersFile, PROVENANCE_FILE};
use crate::check::format::{self, Format};
use crate::check::policy::Policy;
use crate::check::project::Project;
use crate::check::repo::Snapshot;
use crate::check::report::Report;
use crate::cli::CheckArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};

pub struct CheckSettings {
    pub snapshot: Snapshot,
    pub policy: Policy,
    pub provenance: Option<AnswersFile>,
    pub format: Format,
    /// The folder as the user named it, for the report.
    pub shown: String,
}

impl CheckSettings {
    pub fn resolve(args: CheckArgs, ctx: &Context) -> Result<Self> {
        let given = args.path.unwrap_or_else(|| PathBuf::from("."));
        let snapshot = Snapshot::open(&ctx.cwd.join(&given))?;
        let config_path = snapshot.root.join(PROVENANCE_FILE);
        let provenance = read_folio_toml(&config_path)?;
        let table = provenance.as_ref().and_then(|p| p.check.as_ref());
        let policy = Policy::resolve(
            table.map(|t| (config_path.as_path(), t)),
            args.min_score,
            &args.require,
            &args.ignore,
        )?;
        Ok(CheckSettings {
            snapshot,
            policy,
            provenance,
            format: args.format,
            shown: given.display().to_string(),
        })
    }
}

pub fn run(args: CheckArgs, ctx: &Context) -> Result<ExitStatus> {
    let settings = CheckSettings::resolve(args, ctx)?;
    let project = Project::load(settings.snapshot, settings.provenance);
    let report = Report::build(&project, &settings.policy, settings.shown);
    ctx.printer.out(&format::render(&report, settings.format))?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}

/// `.folio.toml` from the work tree, if present. A broken one is a configuration error (exit 2)
/// rather than a silently ignored policy.
fn read_folio_toml(path: &std::path::Path) -> Result<Option<AnswersFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| Error::CheckConfigInvalid {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', " "),
        })
}
