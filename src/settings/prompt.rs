//! The questions `folio new` asks in a terminal. Only the resolver in [`crate::settings`] calls
//! them, and only when a person is there (`Context::interactive`) and `--yes` was not given.

use crate::answers::{Db, Jobs};
use crate::error::{Error, Result};
use crate::template::registry::{Registry, Stack};

/// Which stack, the default one preselected.
pub fn stack(registry: &Registry) -> Result<&Stack> {
    let items: Vec<String> = registry
        .stacks
        .iter()
        // One short line each: summaries are long enough to wrap and garble the menu.
        .map(|s| format!("{:<20} {}", s.manifest.id, s.manifest.language))
        .collect();
    let default_id = &registry.default_stack()?.manifest.id;
    let default = registry
        .stacks
        .iter()
        .position(|s| s.manifest.id == *default_id)
        .unwrap_or(0);
    let chosen = dialoguer::Select::new()
        .with_prompt("Which stack?")
        .items(&items)
        .default(default)
        .interact()
        .map_err(|e| Error::Prompt(e.to_string()))?;
    Ok(&registry.stacks[chosen])
}

/// Which of the stack's databases, its default first.
pub fn db(stack: &Stack) -> Result<Db> {
    let items: Vec<&str> = stack.manifest.databases.iter().map(|d| d.id()).collect();
    let chosen = dialoguer::Select::new()
        .with_prompt("Which database?")
        .items(&items)
        .default(0)
        .interact()
        .map_err(|e| Error::Prompt(e.to_string()))?;
    Ok(stack.manifest.databases[chosen])
}

/// Which background-jobs feature, the stack's default first.
pub fn jobs(stack: &Stack) -> Result<Jobs> {
    let items: Vec<&str> = stack
        .manifest
        .jobs
        .iter()
        .map(|j| match j {
            Jobs::Webhooks => "webhooks  signed webhooks delivered by a background worker",
            Jobs::None => "none      no background jobs (a minimal starter)",
        })
        .collect();
    let chosen = dialoguer::Select::new()
        .with_prompt("Background jobs?")
        .items(&items)
        .default(0)
        .interact()
        .map_err(|e| Error::Prompt(e.to_string()))?;
    Ok(stack.manifest.jobs[chosen])
}

/// One line of free text, `default` when the person just presses Enter.
pub fn text(prompt: &str, default: &str) -> Result<String> {
    dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .default(default.to_string())
        .interact_text()
        .map_err(|e| Error::Prompt(e.to_string()))
}
