//! What `folio new` generated for a project that tracks a `.folio.toml`: the template's file
//! list, rendered again from the recorded answers, for the provenance rule.
//!
//! The answers go through the same resolver as `folio new` ([`crate::settings`]), so a key the
//! file leaves out gets the default `new` would have used. Rendering costs a few milliseconds,
//! so [`crate::check::project::Project::load`] runs it alongside the content scan.

use crate::answers::{AnswersFile, ProjectName};
use crate::error::Error;
use crate::settings::{self, Given, Prompts};
use crate::template::registry::registry;
use crate::template::render;

/// The paths of the template's files for these answers, or why they cannot be known.
pub fn template_paths(file: &AnswersFile) -> Result<Vec<String>, String> {
    let stack_id = file.stack.as_deref().ok_or(".folio.toml names no stack")?;
    let registry = registry().map_err(|_| "folio's embedded templates could not be loaded")?;
    let name = file
        .name
        .as_deref()
        .and_then(|n| ProjectName::parse(n).ok())
        .ok_or(".folio.toml lacks a valid project name, so the template cannot be rendered")?;
    let resolved = settings::resolve(registry, name, Given::from(file), Prompts::Never).map_err(
        |e| match e {
            Error::UnknownStack { .. } => {
                format!("this folio does not know the stack `{stack_id}`")
            }
            other => format!("the template could not be rendered: {other}"),
        },
    )?;
    let tree = render::render(registry, resolved.stack, &resolved.answers)
        .map_err(|e| format!("the template could not be rendered: {e}"))?;
    Ok(tree.paths().map(str::to_string).collect())
}
