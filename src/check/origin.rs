//! What `folio new` generated for a project that tracks a `.folio.toml`: the template's file
//! list, rendered again from the recorded answers, for the provenance rule.
//!
//! Rendering costs a fixed tens of milliseconds, so [`crate::check::project::Project::load`] runs
//! it alongside the content scan rather than after it.

use crate::answers::{Answers, AnswersFile, Ci, Db, License};
use crate::name::ProjectName;
use crate::template::registry::registry;
use crate::template::render;

/// The paths of the template's files for these answers, or why they cannot be known.
pub fn template_paths(file: &AnswersFile) -> Result<Vec<String>, String> {
    let stack_id = file.stack.as_deref().ok_or(".folio.toml names no stack")?;
    let registry = registry().map_err(|_| "folio's embedded templates could not be loaded")?;
    let stack = registry
        .stacks
        .iter()
        .find(|s| s.manifest.id == stack_id)
        .ok_or_else(|| format!("this folio does not know the stack `{stack_id}`"))?;
    let answers = answers(file)
        .ok_or(".folio.toml lacks a valid project name, so the template cannot be rendered")?;
    let tree = render::render(registry, stack, &answers)
        .map_err(|e| format!("the template could not be rendered: {e}"))?;
    Ok(tree.paths().map(str::to_string).collect())
}

/// The answers the project was generated with, as far as `.folio.toml` records them.
fn answers(file: &AnswersFile) -> Option<Answers> {
    let name = ProjectName::parse(file.name.as_deref()?).ok()?;
    Some(Answers {
        db: file.db.unwrap_or(Db::Sqlite),
        ci: file.ci.unwrap_or(Ci::Github),
        author: file.author.clone().unwrap_or_default(),
        description: file.description.clone().unwrap_or_default(),
        license: file.license.unwrap_or(License::Mit),
        year: file.year.unwrap_or_else(crate::answers::current_year),
        student: file.student.clone().unwrap_or_default(),
        name,
    })
}
