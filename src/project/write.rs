//! Writing a rendered [`Tree`] to disk, atomically; the only code that touches the target folder.
//!
//! The tree is written into a hidden staging folder beside the target (same file system, so the
//! final step is a rename), sealed there by the caller (`project::generate` makes it a git
//! repository), and only then renamed into place. A failure at any step drops the staging folder
//! and leaves the target as it was. With `--force` into an existing folder the staging folder is
//! sealed first too (so a git failure leaves the target untouched) and then merged in by
//! [`super::merge`]: planned against what is there, refused on any conflict, user files that are
//! replaced moved into a backup folder, rolled back on any error. The `.env` secret is written
//! here too, beside the tree, never into it.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::error::{Error, Result};
use crate::project::failpoint;
use crate::project::merge::{self, Merged, Plan};
use crate::tree::Tree;

/// The file holding the development secrets; written beside the tree, never committed.
pub const ENV_FILE: &str = ".env";
const ENV_EXAMPLE_FILE: &str = ".env.example";
const SECRET_KEY: &str = "JWT_SECRET=";

/// Whether `target` is a folder that already holds something (a rerun of `folio batch` skips it).
pub fn holds_files(target: &Path) -> bool {
    fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_some())
}

/// Whether `target` may be written, before any work is done.
pub fn check_target(target: &Path, force: bool) -> Result<()> {
    match fs::symlink_metadata(target) {
        Err(_) => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::ForceConflicts {
            target: target.to_path_buf(),
            conflicts: vec![". is a symbolic link (folio never writes through one)".into()],
        }),
        Ok(meta) if !meta.is_dir() => Err(Error::TargetIsFile {
            path: target.to_path_buf(),
        }),
        Ok(_) if force || is_empty_dir(target)? => Ok(()),
        Ok(_) => Err(Error::TargetNotEmpty {
            path: target.to_path_buf(),
        }),
    }
}

/// The `--force` merge `tree` would make into `target`, or `None` when the target is missing or
/// empty (a plain rename then). Conflicts are an error listing them all; `--dry-run` shows the rest.
pub fn plan_merge(tree: &Tree, target: &Path, force: bool) -> Result<Option<Plan>> {
    check_target(target, force)?;
    if !target.exists() || is_empty_dir(target)? {
        return Ok(None);
    }
    let env = tree
        .get(ENV_EXAMPLE_FILE)
        .map(|_| (PathBuf::from(ENV_FILE), Some(&[][..])));
    let plan = merge::plan(
        target,
        tree.iter()
            .map(|(p, f)| (PathBuf::from(p), Some(f.contents.as_slice())))
            .chain(env),
    );
    plan.refuse_conflicts(target)?;
    Ok(Some(plan))
}

/// A tree written into its staging folder, not yet visible at the target.
#[derive(Debug)]
pub struct Staged {
    stage: TempDir,
    target: PathBuf,
    merge: bool,
    /// Stale staging folders of an earlier, killed run that were removed.
    pub cleaned: Vec<PathBuf>,
}

/// Writes `tree` and a fresh `.env` into a staging folder beside `target`; see the module comment.
pub fn stage(tree: &Tree, target: &Path, force: bool) -> Result<Staged> {
    // Refuse a conflicting merge before any work; `publish` plans again from the staged files.
    plan_merge(tree, target, force)?;
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io("create the folder", parent, e))?;
    let merge = target.exists() && !is_empty_dir(target)?;
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let cleaned = remove_stale_stages(parent);
    let stage = tempfile::Builder::new()
        .prefix(&format!(".{file_name}.folio-"))
        .tempdir_in(parent)
        .map_err(|e| Error::io("create a staging folder in", parent, e))?;
    write_tree(tree, stage.path())?;
    write_env_file(tree, stage.path())?;
    Ok(Staged {
        stage,
        target: target.to_path_buf(),
        merge,
        cleaned,
    })
}

impl Staged {
    /// Whether the target already holds files, so publishing merges into it (`--force`).
    pub fn merges_into_existing(&self) -> bool {
        self.merge
    }

    /// Makes the files visible at the target. `seal` runs on the folder that holds them in their
    /// final form: the staging folder just before the rename, or the target itself after a merge
    /// (there is no rename then). When `seal` fails on a fresh target, nothing appears there.
    pub fn publish<T>(self, seal: impl FnOnce(&Path) -> Result<T>) -> Result<(T, Merged)> {
        let target = self.target;
        let sealed = seal(self.stage.path())?;
        if self.merge {
            let merged = merge_staged(self.stage.path(), &target)?;
            return Ok((sealed, merged));
        }
        if target.exists() {
            fs::remove_dir(&target)
                .map_err(|e| Error::io("replace the empty folder", &target, e))?;
        }
        let staged = self.stage.keep();
        if let Err(e) = failpoint::check().and_then(|()| fs::rename(&staged, &target)) {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::io("move the project into", &target, e));
        }
        Ok((sealed, Merged::default()))
    }
}

/// Writes every file of `tree` under `root`, with the executable bit where the template asks.
pub fn write_tree(tree: &Tree, root: &Path) -> Result<()> {
    for (path, file) in tree.iter() {
        let dest = root.join(path);
        if let Some(dir) = dest.parent() {
            failpoint::check()
                .and_then(|()| fs::create_dir_all(dir))
                .map_err(|e| Error::io("create the folder", dir, e))?;
        }
        failpoint::check()
            .and_then(|()| fs::write(&dest, &file.contents))
            .map_err(|e| Error::io("write", &dest, e))?;
        if file.executable {
            set_mode(&dest, 0o755)?;
        }
    }
    Ok(())
}

/// `.env` is `.env.example` with a fresh random `JWT_SECRET`, readable by the owner only.
fn write_env_file(tree: &Tree, root: &Path) -> Result<()> {
    let Some(example) = tree.get(ENV_EXAMPLE_FILE) else {
        return Ok(());
    };
    let secret = random_hex(32)?;
    let text = String::from_utf8_lossy(&example.contents);
    let mut env = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        if line.starts_with(SECRET_KEY) {
            env.push_str(SECRET_KEY);
            env.push_str(&secret);
        } else {
            env.push_str(line);
        }
        env.push('\n');
    }
    let dest = root.join(ENV_FILE);
    failpoint::check()
        .and_then(|()| fs::write(&dest, env))
        .map_err(|e| Error::io("write", &dest, e))?;
    set_mode(&dest, 0o600)
}

/// Plans the merge from what was really staged (the sealed `.git` moves as one folder) and
/// applies it. An existing `.env` is kept: it holds the user's secrets.
fn merge_staged(stage: &Path, target: &Path) -> Result<Merged> {
    let mut entries = Vec::new();
    for path in walk(stage, true)? {
        let rel = path.strip_prefix(stage).expect("walk stays under stage");
        let contents = if path.is_dir() {
            None
        } else {
            Some(fs::read(&path).map_err(|e| Error::io("read", &path, e))?)
        };
        entries.push((rel.to_path_buf(), contents));
    }
    let plan = merge::plan(
        target,
        entries.iter().map(|(p, c)| (p.clone(), c.as_deref())),
    );
    plan.refuse_conflicts(target)?;
    merge::apply(&plan, stage, target)
}

/// Every file under `dir`; at the top, with `git_whole`, a `.git` folder counts as one entry.
fn walk(dir: &Path, git_whole: bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))? {
        let path = entry.map_err(|e| Error::io("read", dir, e))?.path();
        if git_whole && path.file_name().is_some_and(|n| n == ".git") {
            files.push(path);
        } else if path.is_dir() {
            files.extend(walk(&path, false)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

/// Removes the staging folders an earlier folio left in `parent` when it was killed: hidden,
/// named `.NAME.folio-XXXXXX` as [`stage`] names them, and older than this process, so a run
/// that is still going (it started later than the folder) is never robbed.
fn remove_stale_stages(parent: &Path) -> Vec<PathBuf> {
    let started = super::interrupt::started();
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !is_staging_name(&name) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let old = meta.modified().is_ok_and(|m| m < started);
        if meta.is_dir() && old && fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// `.NAME.folio-XXXXXX`: the name [`stage`] gives its folder (tempfile adds six characters).
fn is_staging_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    match rest.rsplit_once(".folio-") {
        Some((project, suffix)) => {
            !project.is_empty()
                && suffix.len() == 6
                && suffix.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

fn is_empty_dir(path: &Path) -> Result<bool> {
    Ok(fs::read_dir(path)
        .map_err(|e| Error::io("read", path, e))?
        .next()
        .is_none())
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| Error::Io {
        action: "read random bytes for",
        path: PathBuf::from(ENV_FILE),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io("set permissions on", path, e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}
