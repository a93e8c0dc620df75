//! The git half of `folio update`: find the pristine render, commit a new one, merge it.
//!
//! Every generated repository's first commit holds exactly folio's files and carries the trailer
//! `Folio-Render: STACK VERSION`. An update commits the new render as a second pristine commit
//! whose parent is that base, so git's own three-way merge (base = old render, ours = the user's
//! branch, theirs = the new render) decides every file: untouched files take the template's
//! change, the user's edits survive, overlapping edits become ordinary conflicts with markers in
//! the file, entries in the index and `MERGE_HEAD`, so `git status`, any IDE, `git mergetool`,
//! `git merge --abort` and `git commit` all work as after `git merge`. The merge commit makes the
//! new render reachable from the branch, so the next update finds it as its base.
//!
//! Two outcomes git would leave as conflicts are settled the way a user expects of a template
//! update: a file the user deleted stays deleted, and a file the user changed but the template
//! removed is kept. Both are reported.
//!
//! A plan (`--dry-run`, `--check`) is computed without writing anything: new objects go to an
//! in-memory object store that is dropped with the repository handle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{
    Commit, Index, IndexEntry, IndexTime, MergeOptions, Oid, Repository, RepositoryState,
    Signature, StatusOptions,
};

use crate::error::{Error, Result};
use crate::tree::Tree;

/// The trailer that marks a commit whose tree is exactly one of folio's renders.
pub const RENDER_TRAILER: &str = "Folio-Render";

/// A commit holding a pristine render, and what rendered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderBase {
    pub commit: Oid,
    /// The template (stack id or pack id) the trailer names.
    pub template: String,
    /// The folio (or pack) version the trailer names.
    pub version: String,
}

/// Why a repository cannot be updated now; the command turns each into an error with its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Bare,
    Unborn,
    Detached,
    InProgress(&'static str),
    Dirty(Vec<String>),
}

/// What an update does to one file, as `--dry-run` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The template did not change it.
    Unchanged,
    /// The template changed it; the user's copy takes the change (merged if both edited it).
    Updated,
    /// Both changed the same lines: a git conflict.
    Conflict,
    /// New in this render.
    Added,
    /// The template removed it and the user had not changed it.
    Removed,
    /// The user deleted it; it stays deleted.
    KeptDeleted,
    /// The template removed it but the user changed it; the user's copy stays.
    KeptChanged,
}

impl Change {
    /// The words `--dry-run` prints.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Unchanged => "unchanged",
            Change::Updated => "updated",
            Change::Conflict => "conflict",
            Change::Added => "added",
            Change::Removed => "removed",
            Change::KeptDeleted => "kept (you deleted it)",
            Change::KeptChanged => "kept (you changed it; the template removed it)",
        }
    }
}

/// One file of a plan. `from` is set when the template renamed the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileChange {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub change: Change,
}

/// What `merge_render` left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The merge commit was made.
    Merged { commit: Oid },
    /// The work tree holds a merge in progress with these conflicted paths.
    Conflicts { paths: Vec<String> },
}

/// Opens the repository whose work tree is exactly `dir`.
pub fn open(dir: &Path) -> Result<Repository> {
    Repository::open(dir).map_err(|e| Error::git("opening the repository", e))
}

/// Refuses what a merge must not start on: a bare or empty repository, a detached HEAD, an
/// operation in progress, or uncommitted changes to tracked files (untracked files are fine,
/// as with `git merge`, unless the merge would overwrite one: then git2 refuses).
pub fn readiness(repo: &Repository) -> Result<std::result::Result<(), Refusal>> {
    if repo.is_bare() {
        return Ok(Err(Refusal::Bare));
    }
    match repo.state() {
        RepositoryState::Clean => {}
        RepositoryState::Merge => return Ok(Err(Refusal::InProgress("a merge"))),
        RepositoryState::Revert | RepositoryState::RevertSequence => {
            return Ok(Err(Refusal::InProgress("a revert")));
        }
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => {
            return Ok(Err(Refusal::InProgress("a cherry-pick")));
        }
        RepositoryState::Bisect => return Ok(Err(Refusal::InProgress("a bisect"))),
        _ => return Ok(Err(Refusal::InProgress("a rebase"))),
    }
    if repo.head_detached().unwrap_or(false) {
        return Ok(Err(Refusal::Detached));
    }
    if repo.head().is_err() {
        return Ok(Err(Refusal::Unborn));
    }
    let mut options = StatusOptions::new();
    options
        .include_untracked(false)
        .include_ignored(false)
        .exclude_submodules(true);
    let statuses = repo
        .statuses(Some(&mut options))
        .map_err(|e| Error::git("reading the work tree's status", e))?;
    let dirty: Vec<String> = statuses
        .iter()
        .filter(|s| !s.status().is_empty())
        .filter_map(|s| s.path().ok().map(str::to_string))
        .collect();
    if dirty.is_empty() {
        Ok(Ok(()))
    } else {
        Ok(Err(Refusal::Dirty(dirty)))
    }
}

/// The `Folio-Render` trailer of a commit message, as (template, version).
pub fn render_trailer(message: &str) -> Option<(String, String)> {
    let trailers = git2::message_trailers_strs(message).ok()?;
    let value = trailers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case(RENDER_TRAILER))
        .map(|(_, value)| value)
        .next_back()?;
    let mut words = value.split_whitespace();
    let template = words.next()?.to_string();
    let version = words.next()?.to_string();
    Some((template, version))
}

/// The newest commit reachable from HEAD that carries a `Folio-Render` trailer.
pub fn find_render_base(repo: &Repository) -> Result<Option<RenderBase>> {
    let head = head_commit(repo)?;
    let mut walk = repo
        .revwalk()
        .map_err(|e| Error::git("walking the history", e))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
        .map_err(|e| Error::git("walking the history", e))?;
    walk.push(head.id())
        .map_err(|e| Error::git("walking the history", e))?;
    for id in walk {
        let id = id.map_err(|e| Error::git("walking the history", e))?;
        let commit = repo
            .find_commit(id)
            .map_err(|e| Error::git("reading a commit", e))?;
        if let Some((template, version)) = commit.message().ok().and_then(render_trailer) {
            return Ok(Some(RenderBase {
                commit: id,
                template,
                version,
            }));
        }
    }
    Ok(None)
}

/// The base the user named with `--base REV`; it need not carry a trailer (a squashed history).
pub fn named_base(repo: &Repository, rev: &str) -> Result<Option<Oid>> {
    let Ok(object) = repo.revparse_single(rev) else {
        return Ok(None);
    };
    Ok(object.peel_to_commit().ok().map(|c| c.id()))
}

/// The commit HEAD points at.
pub fn head_commit(repo: &Repository) -> Result<Commit<'_>> {
    repo.head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| Error::git("reading HEAD", e))
}

/// The bytes of `path` in `commit`'s tree, if it is a regular file there (never a link's target).
pub fn file_at(repo: &Repository, commit: Oid, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| Error::git("reading a commit's tree", e))?;
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Ok(None);
    };
    if entry.filemode() != 0o100644 && entry.filemode() != 0o100755 {
        return Ok(None);
    }
    let blob = repo
        .find_blob(entry.id())
        .map_err(|e| Error::git("reading a file from history", e))?;
    Ok(Some(blob.content().to_vec()))
}

/// Puts an in-memory object store in front of `repo`'s, so that nothing computed with this
/// handle reaches the disk. Use a handle of its own and drop it afterwards.
pub fn keep_objects_in_memory(repo: &Repository) -> Result<()> {
    let odb = repo
        .odb()
        .map_err(|e| Error::git("opening the object database", e))?;
    // The highest priority backend receives the writes; lookups still find the real objects.
    odb.add_new_mempack_backend(1000)
        .map_err(|e| Error::git("opening an in-memory object store", e))?;
    Ok(())
}

/// Writes `tree` as a commit whose parent is `parent`, with the render trailer. No ref moves:
/// the commit becomes reachable through the merge.
pub fn commit_render(
    repo: &Repository,
    tree: &Tree,
    parent: Oid,
    template: &str,
    version: &str,
) -> Result<Oid> {
    let tree_id = write_tree(repo, tree)?;
    let git_tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("reading the new render's tree", e))?;
    let parent = repo
        .find_commit(parent)
        .map_err(|e| Error::git("reading the base commit", e))?;
    let signature = identity(repo)?;
    let message = render_commit_message(template, version);
    repo.commit(
        None,
        &signature,
        &signature,
        &message,
        &git_tree,
        &[&parent],
    )
    .map_err(|e| Error::git("committing the new render", e))
}

/// The message of a pristine-render commit made by `folio update`.
pub fn render_commit_message(template: &str, version: &str) -> String {
    format!(
        "folio render: {template} {version}\n\nThe files folio {version} renders for this project, \
         unchanged; `folio update` merges this commit.\n\n{RENDER_TRAILER}: {template} {version}\n"
    )
}

/// The git tree of `tree`, written to the object store (blobs first).
pub fn write_tree(repo: &Repository, tree: &Tree) -> Result<Oid> {
    let mut index = Index::new().map_err(|e| Error::git("making an index", e))?;
    for (path, file) in tree.iter() {
        let id = repo
            .blob(&file.contents)
            .map_err(|e| Error::git("writing a file of the new render", e))?;
        index
            .add(&entry(
                path,
                id,
                if file.executable { 0o100755 } else { 0o100644 },
            ))
            .map_err(|e| Error::git("indexing the new render", e))?;
    }
    index
        .write_tree_to(repo)
        .map_err(|e| Error::git("writing the new render's tree", e))
}

fn entry(path: &str, id: Oid, mode: u32) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: path.len().min(0xFFF) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

fn merge_options() -> MergeOptions {
    let mut options = MergeOptions::new();
    options.find_renames(true).rename_threshold(50);
    options
}

/// Every file's fate if `theirs` (a new render on top of `base`) were merged into HEAD.
/// Computed in memory: the work tree, index and refs are not touched.
pub fn plan(repo: &Repository, base: Oid, theirs: Oid) -> Result<Vec<FileChange>> {
    let head = head_commit(repo)?;
    let trees = |id: Oid| {
        repo.find_commit(id)
            .and_then(|c| c.tree())
            .map_err(|e| Error::git("reading a tree", e))
    };
    let (base_tree, theirs_tree) = (trees(base)?, trees(theirs)?);
    let ours_tree = head
        .tree()
        .map_err(|e| Error::git("reading HEAD's tree", e))?;
    let merged = repo
        .merge_trees(&base_tree, &ours_tree, &theirs_tree, Some(&merge_options()))
        .map_err(|e| Error::git("merging in memory", e))?;
    let conflicts = conflicts_of(&merged)?;

    let template_side = changes(repo, &base_tree, &theirs_tree)?;
    let user_side = changes(repo, &base_tree, &ours_tree)?;
    let mut plan = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, delta) in &template_side.by_new_path {
        seen.insert(path.clone());
        if let Some(from) = &delta.from {
            seen.insert(from.clone());
        }
        let user = delta
            .from
            .as_ref()
            .and_then(|f| user_side.by_old_path.get(f))
            .or_else(|| user_side.by_old_path.get(path));
        let change = match (delta.kind, user) {
            (_, _)
                if conflicts
                    .iter()
                    .any(|c| c.touches(path, delta.from.as_deref())) =>
            {
                classify_conflict(
                    conflicts
                        .iter()
                        .find(|c| c.touches(path, delta.from.as_deref())),
                )
            }
            (DeltaKind::Added, _) => Change::Added,
            (DeltaKind::Deleted, None) => Change::Removed,
            (DeltaKind::Deleted, Some(u)) if u.kind == DeltaKind::Deleted => Change::Removed,
            (DeltaKind::Deleted, Some(_)) => Change::KeptChanged,
            (_, Some(u)) if u.kind == DeltaKind::Deleted => Change::KeptDeleted,
            _ => Change::Updated,
        };
        plan.push(FileChange {
            path: path.clone(),
            from: delta.from.clone(),
            change,
        });
    }
    // Files of the base the template left alone.
    let mut unchanged = Vec::new();
    base_tree
        .walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                if !seen.contains(&path) {
                    unchanged.push(path);
                }
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(|e| Error::git("reading the base tree", e))?;
    plan.extend(unchanged.into_iter().map(|path| FileChange {
        path,
        from: None,
        change: Change::Unchanged,
    }));
    plan.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(plan)
}

fn classify_conflict(conflict: Option<&Conflict>) -> Change {
    match conflict {
        Some(c) if c.ours.is_none() && c.ancestor.is_some() => Change::KeptDeleted,
        Some(c) if c.theirs.is_none() && c.ancestor.is_some() => Change::KeptChanged,
        _ => Change::Conflict,
    }
}

/// Merges `theirs` into the current branch in the work tree, as `git merge` would. Without a
/// conflict the merge commit is made; with one, the merge is left in progress for the user.
pub fn merge_render(repo: &Repository, theirs: Oid, message: &str) -> Result<MergeOutcome> {
    let head = head_commit(repo)?;
    let annotated = repo
        .find_annotated_commit(theirs)
        .map_err(|e| Error::git("reading the new render", e))?;
    let mut checkout = CheckoutBuilder::new();
    checkout
        .safe()
        .allow_conflicts(true)
        .conflict_style_merge(true)
        .our_label("yours")
        .their_label("template")
        .ancestor_label("previous template");
    repo.merge(
        &[&annotated],
        Some(&mut merge_options()),
        Some(&mut checkout),
    )
    .map_err(|e| Error::git("merging the new render", e))?;
    // git2 writes a generic MERGE_MSG; ours names both versions, for `git commit` too.
    std::fs::write(repo.path().join("MERGE_MSG"), message)
        .map_err(|e| Error::io("write", repo.path().join("MERGE_MSG"), e))?;

    let mut index = repo
        .index()
        .map_err(|e| Error::git("opening the index", e))?;
    settle_template_conflicts(repo, &mut index)?;
    let remaining = conflicts_of(&index)?;
    if !remaining.is_empty() {
        let mut paths: Vec<String> = remaining.iter().map(Conflict::path).collect();
        paths.sort();
        paths.dedup();
        return Ok(MergeOutcome::Conflicts { paths });
    }
    let tree_id = index
        .write_tree()
        .map_err(|e| Error::git("writing the merged tree", e))?;
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("reading the merged tree", e))?;
    let render = repo
        .find_commit(theirs)
        .map_err(|e| Error::git("reading the new render", e))?;
    let signature = identity(repo)?;
    let commit = repo
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &[&head, &render],
        )
        .map_err(|e| Error::git("committing the merge", e))?;
    repo.cleanup_state()
        .map_err(|e| Error::git("finishing the merge", e))?;
    Ok(MergeOutcome::Merged { commit })
}

/// Settles delete/modify conflicts the way a template update should: the user's deletion
/// stands, and a file the user changed stays although the template dropped it.
fn settle_template_conflicts(repo: &Repository, index: &mut Index) -> Result<()> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::Git {
            action: "merging",
            message: "the repository has no work tree".into(),
        })?
        .to_path_buf();
    let mut changed = false;
    for conflict in conflicts_of(index)? {
        match (&conflict.ancestor, &conflict.ours, &conflict.theirs) {
            // You deleted it, the template changed it: it stays deleted.
            (Some(_), None, Some(theirs)) => {
                index
                    .conflict_remove(Path::new(&theirs.path))
                    .map_err(|e| Error::git("settling a conflict", e))?;
                let file = workdir.join(&theirs.path);
                match std::fs::remove_file(&file) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io("remove", file, e)),
                }
                changed = true;
            }
            // The template removed it, you changed it: yours stays.
            (Some(_), Some(ours), None) => {
                index
                    .conflict_remove(Path::new(&ours.path))
                    .map_err(|e| Error::git("settling a conflict", e))?;
                index
                    .add(&entry(&ours.path, ours.id, ours.mode))
                    .map_err(|e| Error::git("settling a conflict", e))?;
                let blob = repo
                    .find_blob(ours.id)
                    .map_err(|e| Error::git("reading your copy", e))?;
                let file = workdir.join(&ours.path);
                std::fs::write(&file, blob.content()).map_err(|e| Error::io("write", &file, e))?;
                changed = true;
            }
            _ => {}
        }
    }
    if changed {
        index
            .write()
            .map_err(|e| Error::git("writing the index", e))?;
    }
    Ok(())
}

/// One side of a conflict entry.
#[derive(Debug, Clone)]
struct Side {
    path: String,
    id: Oid,
    mode: u32,
}

#[derive(Debug, Clone)]
struct Conflict {
    ancestor: Option<Side>,
    ours: Option<Side>,
    theirs: Option<Side>,
}

impl Conflict {
    fn path(&self) -> String {
        [&self.ours, &self.theirs, &self.ancestor]
            .into_iter()
            .flatten()
            .next()
            .map(|s| s.path.clone())
            .unwrap_or_default()
    }

    fn touches(&self, path: &str, from: Option<&str>) -> bool {
        [&self.ancestor, &self.ours, &self.theirs]
            .into_iter()
            .flatten()
            .any(|s| s.path == path || Some(s.path.as_str()) == from)
    }
}

fn conflicts_of(index: &Index) -> Result<Vec<Conflict>> {
    if !index.has_conflicts() {
        return Ok(Vec::new());
    }
    let side = |e: Option<IndexEntry>| {
        e.map(|e| Side {
            path: String::from_utf8_lossy(&e.path).into_owned(),
            id: e.id,
            mode: e.mode,
        })
    };
    index
        .conflicts()
        .map_err(|e| Error::git("reading the conflicts", e))?
        .map(|c| {
            let c = c.map_err(|e| Error::git("reading a conflict", e))?;
            Ok(Conflict {
                ancestor: side(c.ancestor),
                ours: side(c.our),
                theirs: side(c.their),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeltaKind {
    Added,
    Deleted,
    Modified,
    Renamed,
}

#[derive(Debug, Clone)]
struct Delta {
    kind: DeltaKind,
    from: Option<String>,
}

/// The changes from one tree to another, with rename detection, by old and by new path.
struct Changes {
    by_new_path: BTreeMap<String, Delta>,
    by_old_path: BTreeMap<String, Delta>,
}

fn changes(repo: &Repository, from: &git2::Tree<'_>, to: &git2::Tree<'_>) -> Result<Changes> {
    let mut diff = repo
        .diff_tree_to_tree(Some(from), Some(to), None)
        .map_err(|e| Error::git("comparing trees", e))?;
    let mut find = git2::DiffFindOptions::new();
    find.renames(true).rename_threshold(50);
    diff.find_similar(Some(&mut find))
        .map_err(|e| Error::git("finding renames", e))?;
    let mut by_new_path = BTreeMap::new();
    let mut by_old_path = BTreeMap::new();
    for delta in diff.deltas() {
        let old = delta
            .old_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
        let new = delta
            .new_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
        let kind = match delta.status() {
            git2::Delta::Added => DeltaKind::Added,
            git2::Delta::Deleted => DeltaKind::Deleted,
            git2::Delta::Renamed => DeltaKind::Renamed,
            _ => DeltaKind::Modified,
        };
        let (Some(old), Some(new)) = (old, new) else {
            continue;
        };
        let from = (kind == DeltaKind::Renamed).then(|| old.clone());
        let record = Delta { kind, from };
        if kind != DeltaKind::Added {
            by_old_path.insert(old, record.clone());
        }
        by_new_path.insert(new, record);
    }
    Ok(Changes {
        by_new_path,
        by_old_path,
    })
}

fn identity(repo: &Repository) -> Result<Signature<'static>> {
    super::configured_identity(repo)
}

#[cfg(test)]
mod tests {
    //! The merge engine over scripted histories: version N of a "template" is committed as the
    //! first commit, the user commits on top, version N+1 is merged.

    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut tree = Tree::new();
        for (path, text) in files {
            tree.insert(*path, text.as_bytes().to_vec(), false);
        }
        tree
    }

    /// A repository whose first commit is `v1`, rendered by "demo 1".
    fn generated(v1: &Tree) -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        crate::project::write::write_tree(v1, dir.path()).unwrap();
        let message = "Initial commit\n\nFolio-Render: demo 1\n";
        crate::git::init_and_commit(dir.path(), v1, message, None, None).unwrap();
        let repo = Repository::open(dir.path()).unwrap();
        (dir, repo)
    }

    /// Commits the work tree as it is (`git add -A && git commit`).
    fn commit_all(repo: &Repository, message: &str) {
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let head = head_commit(repo).unwrap();
        let sig = Signature::now("Student", "s@example.org").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&head])
            .unwrap();
    }

    fn update(repo: &Repository, v2: &Tree) -> (Vec<FileChange>, MergeOutcome) {
        let base = find_render_base(repo).unwrap().unwrap();
        let render = commit_render(repo, v2, base.commit, "demo", "2").unwrap();
        let plan = plan(repo, base.commit, render).unwrap();
        let outcome = merge_render(repo, render, "Update to demo 2").unwrap();
        (plan, outcome)
    }

    fn read(dir: &tempfile::TempDir, path: &str) -> Option<String> {
        std::fs::read_to_string(dir.path().join(path)).ok()
    }

    fn change_of(plan: &[FileChange], path: &str) -> Change {
        plan.iter().find(|c| c.path == path).unwrap().change
    }

    #[test]
    fn trailers_are_read_from_the_message_end() {
        assert_eq!(
            render_trailer("x\n\nbody\n\nFolio-Render: python-fastapi 0.1.0\n"),
            Some(("python-fastapi".into(), "0.1.0".into()))
        );
        assert_eq!(render_trailer("Folio-Render: in the subject only"), None);
        assert_eq!(render_trailer("x\n\nSigned-off-by: a <b@c>\n"), None);
    }

    #[test]
    fn non_overlapping_edits_merge_cleanly() {
        let v1 = tree(&[("app.py", "a\nb\nc\n"), ("README.md", "# Demo\n\nintro\n")]);
        let (dir, repo) = generated(&v1);
        std::fs::write(
            dir.path().join("README.md"),
            "# Demo\n\nintro\n\nMy notes.\n",
        )
        .unwrap();
        commit_all(&repo, "Describe my work");
        let v2 = tree(&[("app.py", "a\nB\nc\n"), ("README.md", "# Demo\n\nintro\n")]);
        let (plan, outcome) = update(&repo, &v2);
        assert!(
            matches!(outcome, MergeOutcome::Merged { .. }),
            "{outcome:?}"
        );
        assert_eq!(read(&dir, "app.py").unwrap(), "a\nB\nc\n");
        assert!(read(&dir, "README.md").unwrap().contains("My notes."));
        assert_eq!(change_of(&plan, "app.py"), Change::Updated);
        assert_eq!(change_of(&plan, "README.md"), Change::Unchanged);
        assert_eq!(repo.state(), RepositoryState::Clean);
        let head = head_commit(&repo).unwrap();
        assert_eq!(head.parent_count(), 2);
        // The next update's base is the render just merged.
        let base = find_render_base(&repo).unwrap().unwrap();
        assert_eq!(
            (base.template.as_str(), base.version.as_str()),
            ("demo", "2")
        );
        assert_eq!(base.commit, head.parent_id(1).unwrap());
    }

    #[test]
    fn overlapping_edits_are_a_real_conflict_that_abort_undoes() {
        let v1 = tree(&[("app.py", "a\nb\nc\n")]);
        let (dir, repo) = generated(&v1);
        std::fs::write(dir.path().join("app.py"), "a\nmine\nc\n").unwrap();
        commit_all(&repo, "My change");
        let before = head_commit(&repo).unwrap().id();
        let (plan, outcome) = update(&repo, &tree(&[("app.py", "a\ntheirs\nc\n")]));
        assert_eq!(
            outcome,
            MergeOutcome::Conflicts {
                paths: vec!["app.py".into()]
            }
        );
        assert_eq!(change_of(&plan, "app.py"), Change::Conflict);
        let text = read(&dir, "app.py").unwrap();
        assert!(
            text.contains("<<<<<<< yours") && text.contains(">>>>>>> template"),
            "{text}"
        );
        assert_eq!(repo.state(), RepositoryState::Merge);
        assert!(repo.index().unwrap().has_conflicts());
        // `git merge --abort`: reset hard to HEAD and clear the merge state.
        let head = repo.find_object(before, None).unwrap();
        repo.reset(&head, git2::ResetType::Hard, None).unwrap();
        repo.cleanup_state().unwrap();
        assert_eq!(read(&dir, "app.py").unwrap(), "a\nmine\nc\n");
        assert_eq!(head_commit(&repo).unwrap().id(), before);
    }

    #[test]
    fn a_file_the_user_deleted_stays_deleted() {
        let v1 = tree(&[("notes.md", "one\n"), ("app.py", "x\n")]);
        let (dir, repo) = generated(&v1);
        std::fs::remove_file(dir.path().join("notes.md")).unwrap();
        commit_all(&repo, "Drop the notes");
        let (plan, outcome) = update(&repo, &tree(&[("notes.md", "two\n"), ("app.py", "x\n")]));
        assert!(
            matches!(outcome, MergeOutcome::Merged { .. }),
            "{outcome:?}"
        );
        assert_eq!(read(&dir, "notes.md"), None);
        assert_eq!(change_of(&plan, "notes.md"), Change::KeptDeleted);
    }

    #[test]
    fn a_file_the_template_removed_goes_unless_the_user_changed_it() {
        let v1 = tree(&[("old.txt", "old\n"), ("mine.txt", "t\n"), ("app.py", "x\n")]);
        let (dir, repo) = generated(&v1);
        std::fs::write(dir.path().join("mine.txt"), "t\nand mine\n").unwrap();
        commit_all(&repo, "Extend mine.txt");
        let (plan, outcome) = update(&repo, &tree(&[("app.py", "x\n")]));
        assert!(
            matches!(outcome, MergeOutcome::Merged { .. }),
            "{outcome:?}"
        );
        assert_eq!(read(&dir, "old.txt"), None);
        assert_eq!(read(&dir, "mine.txt").unwrap(), "t\nand mine\n");
        assert_eq!(change_of(&plan, "old.txt"), Change::Removed);
        assert_eq!(change_of(&plan, "mine.txt"), Change::KeptChanged);
        let tracked = head_commit(&repo).unwrap().tree().unwrap();
        assert!(tracked.get_path(Path::new("mine.txt")).is_ok());
    }

    #[test]
    fn an_edit_follows_a_template_rename() {
        let body: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let v1 = tree(&[("src/old_name.py", &body)]);
        let (dir, repo) = generated(&v1);
        let edited = body.replace("line 3\n", "line 3 edited by me\n");
        std::fs::write(dir.path().join("src/old_name.py"), &edited).unwrap();
        commit_all(&repo, "Edit the module");
        let (plan, outcome) = update(&repo, &tree(&[("src/new_name.py", &body)]));
        assert!(
            matches!(outcome, MergeOutcome::Merged { .. }),
            "{outcome:?}"
        );
        assert_eq!(read(&dir, "src/old_name.py"), None);
        assert_eq!(read(&dir, "src/new_name.py").unwrap(), edited);
        let renamed = plan.iter().find(|c| c.path == "src/new_name.py").unwrap();
        assert_eq!(renamed.from.as_deref(), Some("src/old_name.py"));
    }

    #[test]
    fn an_executable_bit_the_template_sets_arrives() {
        let v1 = tree(&[("run.sh", "echo hi\n")]);
        let (dir, repo) = generated(&v1);
        let mut v2 = Tree::new();
        v2.insert("run.sh", b"echo hi\n".to_vec(), true);
        let (plan, outcome) = update(&repo, &v2);
        assert!(
            matches!(outcome, MergeOutcome::Merged { .. }),
            "{outcome:?}"
        );
        assert_eq!(change_of(&plan, "run.sh"), Change::Updated);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("run.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_ne!(mode & 0o111, 0);
        }
    }

    #[test]
    fn a_plan_in_memory_writes_no_object() {
        let v1 = tree(&[("app.py", "x\n")]);
        let (dir, repo) = generated(&v1);
        let count = || walk_files(&dir.path().join(".git/objects"));
        let before = count();
        let handle = Repository::open(dir.path()).unwrap();
        keep_objects_in_memory(&handle).unwrap();
        let base = find_render_base(&handle).unwrap().unwrap();
        let render = commit_render(
            &handle,
            &tree(&[("app.py", "y\n")]),
            base.commit,
            "demo",
            "2",
        )
        .unwrap();
        let plan = plan(&handle, base.commit, render).unwrap();
        assert_eq!(change_of(&plan, "app.py"), Change::Updated);
        drop(handle);
        assert_eq!(count(), before);
        assert!(repo.find_commit(render).is_err());
    }

    #[test]
    fn readiness_refuses_dirty_detached_and_in_progress() {
        let v1 = tree(&[("app.py", "x\n")]);
        let (dir, repo) = generated(&v1);
        assert_eq!(readiness(&repo).unwrap(), Ok(()));
        std::fs::write(dir.path().join("untracked.txt"), "fine\n").unwrap();
        assert_eq!(readiness(&repo).unwrap(), Ok(()));
        std::fs::write(dir.path().join("app.py"), "edited\n").unwrap();
        assert_eq!(
            readiness(&repo).unwrap(),
            Err(Refusal::Dirty(vec!["app.py".into()]))
        );
        std::fs::write(dir.path().join("app.py"), "x\n").unwrap();
        let head = head_commit(&repo).unwrap().id();
        repo.set_head_detached(head).unwrap();
        assert_eq!(readiness(&repo).unwrap(), Err(Refusal::Detached));
    }

    fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk_files(&path));
            } else {
                out.push(path);
            }
        }
        out.sort();
        out
    }
}
