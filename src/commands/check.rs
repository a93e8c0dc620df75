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
        if snapshot.is_empty_repository() {
            return Err(Error::CheckPathUnreadable {
                path: given,
                source: std::io::Error::other(
                    "the repository tracks no files yet; commit the project (`git add -A && git commit`) and check again",
                ),
            });
        }
        let config_path = snapshot.root.join(PROVENANCE_FILE);
        let provenance = read_folio_toml(&snapshot, &config_path)?;
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
    let format = args.format;
    let settings = match CheckSettings::resolve(args, ctx) {
        Ok(settings) => settings,
        // A script reading --format json gets a JSON object on stdout even when the check could
        // not run; the message and hint also go to stderr through main, with exit 2.
        Err(e) if format == Format::Json => {
            let object = serde_json::json!({
                "error": e.to_string(),
                "hint": e.hint(),
                "exit_code": crate::error::ERROR_EXIT_CODE,
            });
            ctx.printer
                .out(&serde_json::to_string_pretty(&object).expect("serializes"))?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let project = Project::load(settings.snapshot, settings.provenance);
    let report = Report::build(&project, &settings.policy, settings.shown);
    ctx.printer.out(&format::render(&report, settings.format))?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}

/// `.folio.toml`, when git tracks it as a regular file: an untracked one is not the
/// repository's policy, and a symlinked one is never followed. It is read through the snapshot,
/// which caps the size. A broken one is a configuration error (exit 2) rather than a silently
/// ignored policy.
fn read_folio_toml(snapshot: &Snapshot, path: &std::path::Path) -> Result<Option<AnswersFile>> {
    let tracked = snapshot
        .files
        .iter()
        .find(|f| f.path == PROVENANCE_FILE && !f.symlink);
    let Some(text) = tracked.and_then(|f| snapshot.read_file(f)) else {
        return Ok(None);
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| Error::CheckConfigInvalid {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', " "),
        })
}
