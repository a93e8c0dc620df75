//! The one generation pipeline: render -> stage -> commit -> publish.
//!
//! `folio new` and every row of `folio batch` come through [`generate`] (and `folio update` will),
//! so they share the render, the atomic write and the git policy. This module owns the decision
//! whether a project becomes a repository ([`GitPolicy`]) and the first commit's message; the
//! folder work is [`super::write`]'s and the git objects are [`crate::git`]'s. The registry is a
//! parameter, so the same pipeline renders the embedded templates or a folder loaded from disk.

use std::path::{Path, PathBuf};

use crate::answers::Answers;
use crate::error::{Error, Result};
use crate::git::{self, Identity};
use crate::project::failpoint;
use crate::project::merge::Merged;
use crate::project::write;
use crate::template::registry::{Registry, Stack};
use crate::template::render;
use crate::tree::Tree;
use crate::version::VERSION;

/// Whether to make the project a git repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitPolicy {
    Off,
    /// `folio new`: like `cargo new`, not inside an existing work tree.
    UnlessInsideWorkTree,
    /// `folio batch`: every student's folder is its own repository, wherever it is; one that is
    /// a repository already (a `--force` rerun) is left as it is.
    Always,
}

/// How to write a project, beyond what it contains.
#[derive(Debug, Clone)]
pub struct Options {
    pub force: bool,
    pub git: GitPolicy,
    /// The first commit's author; git's configured identity when `None`.
    pub identity: Option<Identity>,
    /// The `origin` URL to record (never contacted).
    pub remote: Option<String>,
}

/// What happened to version control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitOutcome {
    /// A new repository whose first commit has this id.
    Committed(String),
    /// The target is inside this existing work tree, so no repository was made.
    InsideWorkTree(PathBuf),
    Disabled,
}

/// A project written to its target.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: usize,
    pub git: GitOutcome,
    /// What a `--force` merge did with the user's files (empty for a fresh target).
    pub merged: Merged,
    /// Stale staging folders of an earlier, killed run that were removed first.
    pub cleaned: Vec<PathBuf>,
}

/// Renders `stack` with `answers`: the Tree `--dry-run` lists and [`write`] writes.
pub fn render(registry: &Registry, stack: &Stack, answers: &Answers) -> Result<Tree> {
    render::render(registry, stack, answers)
}

/// Renders and writes a project to `target`; see the module comment.
pub fn generate(
    registry: &Registry,
    stack: &Stack,
    answers: &Answers,
    target: &Path,
    options: &Options,
) -> Result<Generated> {
    let tree = render(registry, stack, answers)?;
    write(&tree, &stack.manifest.id, target, options)
}

/// Writes an already rendered `tree` of `stack_id` to `target`: stage, commit, publish.
pub fn write(tree: &Tree, stack_id: &str, target: &Path, options: &Options) -> Result<Generated> {
    write_as(tree, stack_id, VERSION, target, options)
}

/// [`write`] for a render that is not this folio's own stack (a template pack): the first
/// commit's trailer records `template` at `version`, which `folio update` compares with.
pub fn write_as(
    tree: &Tree,
    template: &str,
    version: &str,
    target: &Path,
    options: &Options,
) -> Result<Generated> {
    let staged = write::stage(tree, target, options.force)?;
    let plan = decide(options.git, target, staged.merges_into_existing());
    let cleaned = staged.cleaned.clone();
    let (git, merged) = staged.publish(|dir| match plan {
        Some(skipped) => Ok(skipped),
        None => {
            // Git set-up runs in the staging folder, so its failure leaves the target as it was.
            failpoint::check().map_err(|e| Error::io("create the git repository in", dir, e))?;
            let oid = git::init_and_commit(
                dir,
                tree,
                &render_commit_message(template, version),
                options.identity.as_ref(),
                options.remote.as_deref(),
            )?;
            Ok(GitOutcome::Committed(oid.to_string()))
        }
    })?;
    Ok(Generated {
        files: tree.len(),
        git,
        merged,
        cleaned,
    })
}

/// `None` when a repository is to be made, else the outcome that says why not.
fn decide(policy: GitPolicy, target: &Path, merges_into_existing: bool) -> Option<GitOutcome> {
    match policy {
        GitPolicy::Off => Some(GitOutcome::Disabled),
        GitPolicy::UnlessInsideWorkTree => {
            git::enclosing_work_tree(target).map(GitOutcome::InsideWorkTree)
        }
        GitPolicy::Always if merges_into_existing && target.join(".git").exists() => {
            Some(GitOutcome::InsideWorkTree(target.to_path_buf()))
        }
        GitPolicy::Always => None,
    }
}

/// The first commit's message. Its trailer marks the pristine render `folio update` merges from.
pub fn initial_commit_message(stack: &str) -> String {
    render_commit_message(stack, VERSION)
}

fn render_commit_message(template: &str, version: &str) -> String {
    if version == VERSION {
        format!(
            "Initial commit from folio\n\nGenerated by folio {VERSION} from the {template} template.\n\nFolio-Render: {template} {VERSION}\n"
        )
    } else {
        format!(
            "Initial commit from folio\n\nGenerated by folio {VERSION} from the {template} {version} template pack.\n\nFolio-Render: {template} {version}\n"
        )
    }
}
