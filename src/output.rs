//! Writing a rendered [`Tree`] to disk, atomically.
//!
//! The tree is written into a hidden staging folder beside the target (same file system, so the
//! final step is a rename), made a git repository there, and only then renamed into place. A
//! failure at any step drops the staging folder and leaves the target as it was. With `--force`
//! into an existing folder the staged files are moved in one by one, replacing only the
//! template's own files: nothing else of the user's is touched.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::git;
use crate::tree::Tree;

/// The file holding the development secrets; written beside the tree, never committed.
pub const ENV_FILE: &str = ".env";
const ENV_EXAMPLE_FILE: &str = ".env.example";
const SECRET_KEY: &str = "JWT_SECRET=";

#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub force: bool,
    pub git: GitMode,
    pub commit_message: String,
    /// The first commit's author; git's configured identity when `None`.
    pub identity: Option<git::Identity>,
    /// The `origin` URL to record (never contacted).
    pub remote: Option<String>,
}

/// Whether to make the project a git repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitMode {
    Off,
    /// `folio new`: like `cargo new`, not inside an existing work tree.
    UnlessInsideWorkTree,
    /// `folio batch`: every student's folder is its own repository, wherever it is.
    Always,
}

/// What happened to version control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitOutcome {
    Committed(String),
    /// The target is inside this existing work tree, so no repository was made.
    InsideWorkTree(PathBuf),
    Disabled,
}

#[derive(Debug, Clone)]
pub struct Written {
    pub files: usize,
    pub git: GitOutcome,
}

/// Whether `target` may be written, before any work is done.
pub fn check_target(target: &Path, force: bool) -> Result<()> {
    match fs::metadata(target) {
        Err(_) => Ok(()),
        Ok(meta) if !meta.is_dir() => Err(Error::TargetIsFile {
            path: target.to_path_buf(),
        }),
        Ok(_) if force || is_empty_dir(target)? => Ok(()),
        Ok(_) => Err(Error::TargetNotEmpty {
            path: target.to_path_buf(),
        }),
    }
}

/// Writes `tree` (plus a fresh `.env`) to `target`, atomically; see the module comment.
pub fn write_project(tree: &Tree, target: &Path, options: &WriteOptions) -> Result<Written> {
    check_target(target, options.force)?;
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io("create the folder", parent, e))?;
    let merge_into_existing = target.exists() && !is_empty_dir(target)?;

    let git = match options.git {
        GitMode::Off => GitOutcome::Disabled,
        GitMode::UnlessInsideWorkTree => match git::enclosing_work_tree(target) {
            Some(work_tree) => GitOutcome::InsideWorkTree(work_tree),
            None => GitOutcome::Committed(String::new()),
        },
        GitMode::Always if merge_into_existing && target.join(".git").exists() => {
            GitOutcome::InsideWorkTree(target.to_path_buf())
        }
        GitMode::Always => GitOutcome::Committed(String::new()),
    };

    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let stage = tempfile::Builder::new()
        .prefix(&format!(".{file_name}.folio-"))
        .tempdir_in(parent)
        .map_err(|e| Error::io("create a staging folder in", parent, e))?;
    write_tree(tree, stage.path())?;
    write_env_file(tree, stage.path())?;

    let git = if merge_into_existing {
        move_files_into(stage.path(), target)?;
        commit_if_wanted(git, tree, target, options)?
    } else {
        let git = commit_if_wanted(git, tree, stage.path(), options)?;
        if target.exists() {
            fs::remove_dir(target).map_err(|e| Error::io("replace the empty folder", target, e))?;
        }
        let staged = stage.keep();
        if let Err(e) = fs::rename(&staged, target) {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::io("move the project into", target, e));
        }
        git
    };
    Ok(Written {
        files: tree.len(),
        git,
    })
}

fn commit_if_wanted(
    git: GitOutcome,
    tree: &Tree,
    dir: &Path,
    options: &WriteOptions,
) -> Result<GitOutcome> {
    match git {
        GitOutcome::Committed(_) => {
            let oid = git::init_and_commit(
                dir,
                tree,
                &options.commit_message,
                options.identity.as_ref(),
                options.remote.as_deref(),
            )?;
            Ok(GitOutcome::Committed(oid.to_string()))
        }
        other => Ok(other),
    }
}

/// Writes every file of `tree` under `root`, with the executable bit where the template asks.
pub fn write_tree(tree: &Tree, root: &Path) -> Result<()> {
    for (path, file) in tree.iter() {
        let dest = root.join(path);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create the folder", dir, e))?;
        }
        fs::write(&dest, &file.contents).map_err(|e| Error::io("write", &dest, e))?;
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
    fs::write(&dest, env).map_err(|e| Error::io("write", &dest, e))?;
    set_mode(&dest, 0o600)
}

/// Moves staged files into an existing folder. An existing `.env` is kept: it holds the user's
/// secrets, which the template does not own.
fn move_files_into(stage: &Path, target: &Path) -> Result<()> {
    for entry in walk(stage)? {
        let rel = entry.strip_prefix(stage).expect("walk stays under stage");
        let dest = target.join(rel);
        if rel == Path::new(ENV_FILE) && dest.exists() {
            continue;
        }
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create the folder", dir, e))?;
        }
        if dest.is_dir() {
            return Err(Error::TargetIsFile { path: dest });
        }
        fs::rename(&entry, &dest).map_err(|e| Error::io("move a file into", &dest, e))?;
    }
    Ok(())
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))? {
        let path = entry.map_err(|e| Error::io("read", dir, e))?.path();
        if path.is_dir() {
            files.extend(walk(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
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
