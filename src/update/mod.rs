//! `folio update` for one repository: plan, check or apply a merge of this folio's render.
//!
//! The steps are the same for every mode: refuse what cannot be merged, read the answers from
//! the `.folio.toml` that HEAD tracks (never a symlink's target, never the work tree's copy),
//! apply `--set`, find the base (the newest `Folio-Render` commit, or `--base REV`), render, and
//! commit that render on top of the base. `--check` compares the render with the base, `--dry-run`
//! merges in memory and lists every file's fate, and a real update merges into the branch with
//! git's own machinery (see [`crate::git::merge`]). `--check` and `--dry-run` keep every new
//! object in memory, so the repository is byte-identical afterwards.
//!
//! What renders the project is handed in as a [`Renderer`], so this module knows neither the
//! embedded stacks nor template packs.

pub mod cohort;
pub mod env_keys;
pub mod sets;

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use serde::Serialize;

use crate::answers::{AnswersFile, PROVENANCE_FILE};
use crate::error::{Error, Result};
use crate::git::merge::{self, Change, FileChange, MergeOutcome, Refusal, RenderBase};
use crate::tree::Tree;
use sets::Assignment;

/// What the renderer produced for a repository's answers.
pub struct Rendered {
    /// The id the `Folio-Render` trailer records (a stack id, or a pack id).
    pub template: String,
    /// The version the trailer records (folio's, or the pack's).
    pub version: String,
    pub tree: Tree,
    /// Paths whose update policy is `once`: written by `new`, never touched by an update.
    pub once: Vec<String>,
}

/// Renders a project from its (updated) answers.
pub type Renderer<'a> = dyn Fn(&AnswersFile) -> Result<Rendered> + Sync + 'a;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Merge into the current branch.
    Apply,
    /// Print the plan; touch nothing.
    DryRun,
    /// Exit 1 when an update is available; touch nothing.
    Check,
}

/// One repository's update, as asked for.
pub struct Request<'a> {
    pub dir: PathBuf,
    pub sets: &'a [Assignment],
    pub base: Option<&'a str>,
    pub mode: Mode,
}

/// What happened (or would happen) to one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    /// The render equals the base: nothing to merge.
    UpToDate { version: String },
    /// `--check`: the repository was rendered by a newer folio than this one; not a failure.
    Newer { version: String, this: String },
    /// `--check`: an update is available.
    Available { from: String, to: String },
    /// `--dry-run`: the plan.
    Planned {
        from: String,
        to: String,
        files: Vec<FileChange>,
        env_missing: Vec<String>,
    },
    /// The merge commit was made.
    Updated {
        from: String,
        to: String,
        commit: String,
        files: Vec<FileChange>,
        env_missing: Vec<String>,
    },
    /// The merge stopped with conflicts for the user to resolve.
    Conflicts {
        from: String,
        to: String,
        conflicts: Vec<String>,
        files: Vec<FileChange>,
        env_missing: Vec<String>,
    },
}

impl Outcome {
    /// The exit code this outcome asks for: 1 when the user has something to do.
    pub fn needs_attention(&self) -> bool {
        matches!(self, Outcome::Available { .. } | Outcome::Conflicts { .. })
    }
}

/// Updates (or plans, or checks) one repository.
pub fn update(request: &Request<'_>, render: &Renderer<'_>) -> Result<Outcome> {
    let dir = &request.dir;
    let repo = open_work_tree(dir)?;
    if request.mode == Mode::Apply {
        if let Err(refusal) = merge::readiness(&repo)? {
            return Err(refused(dir, refusal));
        }
    } else if let Err(refusal @ (Refusal::Bare | Refusal::Unborn)) = merge::readiness(&repo)? {
        return Err(refused(dir, refusal));
    }

    let head = merge::head_commit(&repo)?.id();
    let mut answers = read_answers(&repo, head, dir)?;
    for assignment in request.sets {
        assignment.apply(&mut answers)?;
    }
    let base = find_base(&repo, dir, request.base)?;
    let mut rendered = render(&answers)?;
    keep_once_files(&repo, base.commit, &mut rendered)?;
    let from = base.version.clone();
    let to = rendered.version.clone();

    // Everything but a real update keeps new objects in memory: the repository stays as it was.
    let handle = if request.mode == Mode::Apply {
        repo
    } else {
        let handle = merge::open(&repo_root(&repo, dir)?)?;
        merge::keep_objects_in_memory(&handle)?;
        handle
    };
    let render_tree = merge::write_tree(&handle, &rendered.tree)?;
    let base_tree = tree_of(&handle, base.commit)?;
    let template_changed = render_tree != base_tree;

    match request.mode {
        Mode::Check => Ok(if !template_changed {
            Outcome::UpToDate { version: from }
        } else if same_template(&base, &rendered) && is_newer(&from, &to) {
            Outcome::Newer {
                version: from,
                this: to,
            }
        } else {
            Outcome::Available { from, to }
        }),
        _ if !template_changed => Ok(Outcome::UpToDate { version: from }),
        Mode::DryRun | Mode::Apply => {
            let render = merge::commit_render(
                &handle,
                &rendered.tree,
                base.commit,
                &rendered.template,
                &to,
            )?;
            let files = merge::plan(&handle, base.commit, render)?;
            let env_missing = env_keys::missing(dir, &rendered.tree);
            if request.mode == Mode::DryRun {
                return Ok(Outcome::Planned {
                    from,
                    to,
                    files,
                    env_missing,
                });
            }
            let message = merge_message(&base, &rendered, request.sets);
            match merge::merge_render(&handle, render, &message)? {
                MergeOutcome::Merged { commit } => Ok(Outcome::Updated {
                    from,
                    to,
                    commit: commit.to_string(),
                    files,
                    env_missing,
                }),
                MergeOutcome::Conflicts { paths } => Ok(Outcome::Conflicts {
                    from,
                    to,
                    conflicts: paths,
                    files,
                    env_missing,
                }),
            }
        }
    }
}

/// The repository whose work tree is `dir` (a folder inside one is not enough: an update
/// concerns the project's root, where `.folio.toml` lives).
fn open_work_tree(dir: &Path) -> Result<Repository> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io("open", dir, e))?;
    if !meta.is_dir() {
        return Err(Error::UpdateRefused {
            path: dir.to_path_buf(),
            reason: "it is not a folder".into(),
            fix: "give folio update the folder of a generated project.".into(),
        });
    }
    let repo = Repository::open(dir).map_err(|_| Error::UpdateRefused {
        path: dir.to_path_buf(),
        reason: "it is not the top folder of a git repository".into(),
        fix: "run folio update in the project's top folder (where .folio.toml is), or pass that folder.".into(),
    })?;
    Ok(repo)
}

fn repo_root(repo: &Repository, dir: &Path) -> Result<PathBuf> {
    repo.workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| refused(dir, Refusal::Bare))
}

/// The answers recorded in the `.folio.toml` HEAD tracks.
fn read_answers(repo: &Repository, head: Oid, dir: &Path) -> Result<AnswersFile> {
    let Some(bytes) = merge::file_at(repo, head, PROVENANCE_FILE)? else {
        return Err(Error::UpdateRefused {
            path: dir.to_path_buf(),
            reason: format!("its last commit tracks no {PROVENANCE_FILE}"),
            fix: format!(
                "folio update needs the {PROVENANCE_FILE} folio new wrote; restore it from history (`git log --all -- {PROVENANCE_FILE}`) and commit it."
            ),
        });
    };
    let text = String::from_utf8(bytes).map_err(|_| Error::AnswersInvalid {
        path: dir.join(PROVENANCE_FILE),
        message: "it is not UTF-8 text".into(),
    })?;
    AnswersFile::parse(&text, &dir.join(PROVENANCE_FILE))
}

fn find_base(repo: &Repository, dir: &Path, named: Option<&str>) -> Result<RenderBase> {
    if let Some(rev) = named {
        let commit = merge::named_base(repo, rev)?.ok_or_else(|| Error::UpdateRefused {
            path: dir.to_path_buf(),
            reason: format!("--base `{rev}` names no commit"),
            fix: "pass --base a commit id or ref whose tree holds folio's render, e.g. the first commit (`git log --reverse --format=%h | head -1`).".into(),
        })?;
        let message = repo
            .find_commit(commit)
            .ok()
            .and_then(|c| c.message().ok().map(str::to_string))
            .unwrap_or_default();
        let (template, version) = merge::render_trailer(&message).unwrap_or_default();
        return Ok(RenderBase {
            commit,
            template,
            version: if version.is_empty() {
                "unknown".into()
            } else {
                version
            },
        });
    }
    merge::find_render_base(repo)?.ok_or_else(|| Error::UpdateRefused {
        path: dir.to_path_buf(),
        reason: format!(
            "no commit in its history carries a `{}` trailer (was the history squashed or rewritten?)",
            merge::RENDER_TRAILER
        ),
        fix: "pass --base REV naming the commit that holds folio's original render (often the first commit: `git log --reverse --format=%h | head -1`).".into(),
    })
}

fn tree_of(repo: &Repository, commit: Oid) -> Result<Oid> {
    repo.find_commit(commit)
        .map(|c| c.tree_id())
        .map_err(|e| Error::git("reading the base commit", e))
}

/// `once` files are the learner's after `new`: the render carries the base's copy, so the merge
/// sees no template change for them (and no file appears that the base did not have).
fn keep_once_files(repo: &Repository, base: Oid, rendered: &mut Rendered) -> Result<()> {
    for path in &rendered.once {
        match merge::file_at(repo, base, path)? {
            Some(bytes) => {
                let executable = rendered.tree.get(path).is_some_and(|f| f.executable);
                rendered.tree.insert(path.clone(), bytes, executable);
            }
            None => {
                rendered.tree.remove(path);
            }
        }
    }
    Ok(())
}

fn same_template(base: &RenderBase, rendered: &Rendered) -> bool {
    base.template == rendered.template
}

/// Whether version `a` is newer than `b`, comparing dot-separated numbers (pre-release tags
/// after `-` sort before the release, as in semver).
pub fn is_newer(a: &str, b: &str) -> bool {
    fn parts(v: &str) -> (Vec<u64>, bool) {
        let (core, pre) = match v.split_once('-') {
            Some((core, _)) => (core, true),
            None => (v, false),
        };
        (
            core.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
            pre,
        )
    }
    let ((a_core, a_pre), (b_core, b_pre)) = (parts(a), parts(b));
    match a_core.cmp(&b_core) {
        std::cmp::Ordering::Equal => b_pre && !a_pre,
        order => order.is_gt(),
    }
}

fn merge_message(base: &RenderBase, rendered: &Rendered, sets: &[Assignment]) -> String {
    let mut message = format!(
        "Update to folio's {} {} templates (from {})\n",
        rendered.template, rendered.version, base.version
    );
    if !sets.is_empty() {
        let changes: Vec<String> = sets.iter().map(Assignment::to_string).collect();
        message.push_str(&format!("\nChanged answers: {}.\n", changes.join(", ")));
    }
    message
}

fn refused(dir: &Path, refusal: Refusal) -> Error {
    let (reason, fix): (String, String) = match refusal {
        Refusal::Bare => (
            "it is a bare repository".into(),
            "clone it (`git clone`) and update the clone.".into(),
        ),
        Refusal::Unborn => (
            "it has no commit yet".into(),
            "folio update merges into a branch with history: commit first.".into(),
        ),
        Refusal::Detached => (
            "HEAD is detached".into(),
            "check out the branch to update, e.g. `git switch main`.".into(),
        ),
        Refusal::InProgress(what) => (
            format!("{what} is in progress"),
            "finish it (`git commit`) or abandon it (e.g. `git merge --abort`, `git rebase --abort`) first.".into(),
        ),
        Refusal::Dirty(paths) => (
            format!(
                "it has uncommitted changes ({})",
                shorten_list(&paths, 5)
            ),
            "commit or stash them first (`git stash`), so the update is a merge you can undo.".into(),
        ),
    };
    Error::UpdateRefused {
        path: dir.to_path_buf(),
        reason,
        fix,
    }
}

fn shorten_list(items: &[String], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).map(String::as_str).collect();
    match items.len().saturating_sub(max) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Files of a plan that a person should look at, for the summary line.
pub fn counts(files: &[FileChange]) -> Vec<(Change, usize)> {
    let order = [
        Change::Updated,
        Change::Added,
        Change::Removed,
        Change::Conflict,
        Change::KeptDeleted,
        Change::KeptChanged,
        Change::Unchanged,
    ];
    order
        .into_iter()
        .map(|c| (c, files.iter().filter(|f| f.change == c).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_newer;

    #[test]
    fn versions_compare_numerically() {
        assert!(is_newer("0.10.0", "0.9.1"));
        assert!(!is_newer("0.1.0", "0.1.0"));
        assert!(is_newer("1.0.0", "1.0.0-rc.1"));
        assert!(!is_newer("1.0.0-rc.1", "1.0.0"));
        assert!(!is_newer("0.1.0", "0.2.0"));
    }
}
