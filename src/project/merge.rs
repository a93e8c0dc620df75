//! The `--force` merge of a staged project into a folder that already holds the user's files.
//!
//! It runs in two phases so that nothing is lost. [`plan`] looks at every path the project brings
//! against what is on disk before anything moves: a symbolic link anywhere on the way, a file where
//! the template has a folder, a folder (or a device, a socket) where it has a file are conflicts,
//! and any conflict refuses the whole merge with the list. [`apply`] then moves the staged files
//! in; a user file the template replaces is first moved into a backup folder inside the target
//! (`.folio-backup-<unix time>/files/`, the folder git-ignored from inside), never deleted. Every step is journaled, and any failure undoes
//! the journal in reverse, so the target ends either as it was or complete. The user's `.env`
//! holds their secrets and is kept; a byte-identical file is left alone.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::project::failpoint;

/// The folder that holds the development secrets, never replaced by a merge.
const ENV_FILE: &str = ".env";
/// Prefix of the backup folder inside the target.
pub const BACKUP_PREFIX: &str = ".folio-backup-";
/// The sub-folder of the backup folder that holds the replaced files, at their own paths.
pub const BACKUP_FILES: &str = "files";

/// What the merge does with one path the project brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing is there yet.
    Create,
    /// A different user file is there: it goes into the backup folder first.
    Replace,
    /// The same bytes are there already.
    Unchanged,
    /// The user's own `.env`.
    Keep,
}

/// The merge, decided before anything moves.
#[derive(Debug, Default)]
pub struct Plan {
    pub steps: Vec<(PathBuf, Action)>,
    /// Each conflicting path (relative to the target) with why it blocks the merge.
    pub conflicts: BTreeMap<PathBuf, &'static str>,
}

impl Plan {
    /// The user files the merge would move into the backup folder.
    pub fn replaced(&self) -> impl Iterator<Item = &Path> {
        self.steps
            .iter()
            .filter(|(_, a)| *a == Action::Replace)
            .map(|(p, _)| p.as_path())
    }

    /// `Err` with every conflict listed when the merge must not start.
    pub fn refuse_conflicts(&self, target: &Path) -> Result<()> {
        if self.conflicts.is_empty() {
            return Ok(());
        }
        Err(Error::ForceConflicts {
            target: target.to_path_buf(),
            conflicts: self
                .conflicts
                .iter()
                .map(|(p, why)| format!("{} {why}", shown(p)))
                .collect(),
        })
    }
}

fn shown(rel: &Path) -> String {
    if rel.as_os_str().is_empty() {
        ".".into()
    } else {
        crate::answers::one_line(&rel.display().to_string(), 200)
    }
}

/// Plans the merge of `entries` (paths relative to the target, with the bytes each will hold when
/// known; `None` for a folder moved whole, such as `.git`) into `target`.
pub fn plan<'a>(
    target: &Path,
    entries: impl IntoIterator<Item = (PathBuf, Option<&'a [u8]>)>,
) -> Plan {
    let mut plan = Plan::default();
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            plan.conflicts.insert(
                PathBuf::new(),
                "is a symbolic link (folio never writes through one)",
            );
            return plan;
        }
        _ => {}
    }
    for (rel, contents) in entries {
        if let Some(action) = plan_one(target, &rel, contents, &mut plan.conflicts) {
            plan.steps.push((rel, action));
        }
    }
    plan
}

fn plan_one(
    target: &Path,
    rel: &Path,
    contents: Option<&[u8]>,
    conflicts: &mut BTreeMap<PathBuf, &'static str>,
) -> Option<Action> {
    let parts: Vec<Component> = rel.components().collect();
    let mut prefix = PathBuf::new();
    for part in &parts[..parts.len().saturating_sub(1)] {
        prefix.push(part);
        match fs::symlink_metadata(target.join(&prefix)) {
            Err(_) => return Some(Action::Create),
            Ok(meta) if meta.file_type().is_symlink() => {
                conflicts.insert(
                    prefix,
                    "is a symbolic link where the template has a folder (folio never writes through one)",
                );
                return None;
            }
            Ok(meta) if !meta.is_dir() => {
                conflicts.insert(prefix, "is a file where the template has a folder");
                return None;
            }
            Ok(_) => {}
        }
    }
    let meta = match fs::symlink_metadata(target.join(rel)) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some(Action::Create),
        Err(_) => {
            conflicts.insert(rel.to_path_buf(), "cannot be read");
            return None;
        }
        Ok(meta) => meta,
    };
    let why = if meta.file_type().is_symlink() {
        "is a symbolic link (folio never writes through one)"
    } else if contents.is_none() {
        "already exists"
    } else if meta.is_dir() {
        "is a folder where the template has a file"
    } else if !meta.is_file() {
        "is not a regular file"
    } else if rel == Path::new(ENV_FILE) {
        return Some(Action::Keep);
    } else {
        let same = contents.is_some_and(|c| fs::read(target.join(rel)).is_ok_and(|old| old == c));
        return Some(if same {
            Action::Unchanged
        } else {
            Action::Replace
        });
    };
    conflicts.insert(rel.to_path_buf(), why);
    None
}

/// What a merge did, for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Where the replaced user files are (`.folio-backup-<time>/files/` inside the target), when
    /// any was replaced.
    pub backup: Option<PathBuf>,
    /// The user files now in the backup folder, relative to the target.
    pub backed_up: Vec<PathBuf>,
}

/// One undoable step of [`apply`].
enum Done {
    MadeDir(PathBuf),
    WroteFile(PathBuf),
    Moved { from: PathBuf, to: PathBuf },
}

/// Moves the planned entries from `stage` into `target`; see the module comment. On error the
/// target is as it was and the staged files are back in `stage`.
pub fn apply(plan: &Plan, stage: &Path, target: &Path) -> Result<Merged> {
    let mut journal = Vec::new();
    match apply_steps(plan, stage, target, &mut journal) {
        Ok(merged) => Ok(merged),
        Err(e) => match undo(journal) {
            Ok(()) => Err(e),
            Err(stuck) => Err(Error::Io {
                action: "undo a failed --force merge (some files could not be put back) in",
                path: target.to_path_buf(),
                source: io::Error::other(format!("{e}; then: {stuck}")),
            }),
        },
    }
}

fn apply_steps(
    plan: &Plan,
    stage: &Path,
    target: &Path,
    journal: &mut Vec<Done>,
) -> Result<Merged> {
    let mut merged = Merged::default();
    let replaced: Vec<&Path> = plan.replaced().collect();
    if !replaced.is_empty() {
        let backup = new_backup_dir(target, journal)?;
        let files = backup.join(BACKUP_FILES);
        for rel in replaced {
            let to = files.join(rel);
            make_dirs(files.as_path(), rel.parent(), journal)?;
            move_path(&target.join(rel), &to, journal)?;
            merged.backed_up.push(rel.to_path_buf());
        }
        merged.backup = Some(files);
    }
    for (rel, action) in &plan.steps {
        if matches!(action, Action::Create | Action::Replace) {
            make_dirs(target, rel.parent(), journal)?;
            move_path(&stage.join(rel), &target.join(rel), journal)?;
        }
    }
    Ok(merged)
}

fn new_backup_dir(target: &Path, journal: &mut Vec<Done>) -> Result<PathBuf> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for attempt in 0..100 {
        let name = match attempt {
            0 => format!("{BACKUP_PREFIX}{secs}"),
            n => format!("{BACKUP_PREFIX}{secs}-{n}"),
        };
        let dir = target.join(name);
        failpoint::check().map_err(|e| Error::io("create the backup folder", &dir, e))?;
        match fs::create_dir(&dir) {
            Ok(()) => {
                journal.push(Done::MadeDir(dir.clone()));
                ignore_backup(&dir, journal)?;
                return Ok(dir);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io("create the backup folder", &dir, e)),
        }
    }
    Err(Error::io(
        "create the backup folder",
        target,
        io::Error::other("too many backup folders from this second"),
    ))
}

/// Makes git ignore the backup folder from inside it (the project's own `.gitignore` is the
/// template's and stays untouched), so `git add .` never commits a user's replaced files, which
/// may hold secrets. The files go one level down, in `files/`, so a backed-up `.gitignore` of the
/// user's does not collide with this one.
fn ignore_backup(dir: &Path, journal: &mut Vec<Done>) -> Result<()> {
    let ignore = dir.join(".gitignore");
    failpoint::check().map_err(|e| Error::io("write", &ignore, e))?;
    fs::write(
        &ignore,
        "# Files of yours that `folio new --force` replaced, kept here (in files/) instead of\n\
         # deleted. Git ignores this whole folder; delete it once you have what you need.\n*\n",
    )
    .map_err(|e| Error::io("write", &ignore, e))?;
    journal.push(Done::WroteFile(ignore));
    let files = dir.join(BACKUP_FILES);
    failpoint::check().map_err(|e| Error::io("create the backup folder", &files, e))?;
    fs::create_dir(&files).map_err(|e| Error::io("create the backup folder", &files, e))?;
    journal.push(Done::MadeDir(files));
    Ok(())
}

/// Creates each missing folder of `rel` under `root`, one by one, so each can be undone.
fn make_dirs(root: &Path, rel: Option<&Path>, journal: &mut Vec<Done>) -> Result<()> {
    let Some(rel) = rel else { return Ok(()) };
    let mut dir = root.to_path_buf();
    for part in rel.components() {
        dir.push(part);
        if fs::symlink_metadata(&dir).is_ok() {
            continue;
        }
        failpoint::check().map_err(|e| Error::io("create the folder", &dir, e))?;
        fs::create_dir(&dir).map_err(|e| Error::io("create the folder", &dir, e))?;
        journal.push(Done::MadeDir(dir.clone()));
    }
    Ok(())
}

fn move_path(from: &Path, to: &Path, journal: &mut Vec<Done>) -> Result<()> {
    failpoint::check().map_err(|e| Error::io("move a file into", to, e))?;
    fs::rename(from, to).map_err(|e| Error::io("move a file into", to, e))?;
    journal.push(Done::Moved {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
    });
    Ok(())
}

/// Reverses the journal; the first step that cannot be undone is reported, the rest still tried.
fn undo(journal: Vec<Done>) -> std::result::Result<(), String> {
    let mut stuck = Vec::new();
    for done in journal.into_iter().rev() {
        let result = match &done {
            Done::Moved { from, to } => fs::rename(to, from),
            Done::MadeDir(dir) => fs::remove_dir(dir),
            Done::WroteFile(file) => fs::remove_file(file),
        };
        if let Err(e) = result {
            let path = match &done {
                Done::Moved { to, .. } => to,
                Done::MadeDir(dir) | Done::WroteFile(dir) => dir,
            };
            stuck.push(format!("{}: {e}", path.display()));
        }
    }
    if stuck.is_empty() {
        Ok(())
    } else {
        Err(stuck.join("; "))
    }
}
