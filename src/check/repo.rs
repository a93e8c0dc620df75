//! The repository as `folio check` sees it: the files git tracks, and a little of the history.
//!
//! The file list comes from the git index (what `git ls-files` prints), never from walking the
//! folder, so ignored directories such as `node_modules` or `target` are not even opened and a
//! 20,000-file repository is listed in milliseconds. Contents are read from the work tree (what
//! the user sees and CI builds), falling back to the indexed blob for a file missing on disk.
//! This is read-only git access for `check`; writing git lives in `crate::git`.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::error::{Error, Result};

/// Commits looked at for the history rules; enough to judge habits, cheap on any repository.
const HISTORY_DEPTH: usize = 50;
/// Files larger than this are listed but not read by the rules.
pub const MAX_READ_BYTES: u64 = 1 << 20;

/// One tracked file, its path relative to the checked folder (`/`-separated).
#[derive(Debug, Clone)]
pub struct TrackedFile {
    pub path: String,
    pub size: u64,
    id: Oid,
}

/// One commit's summary.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub short_id: String,
    pub message: String,
    pub merge: bool,
}

impl CommitInfo {
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }
}

#[derive(Debug, Clone, Default)]
pub struct History {
    /// Newest first, at most [`HISTORY_DEPTH`].
    pub commits: Vec<CommitInfo>,
    /// A shallow clone (CI's default checkout) hides older commits.
    pub shallow: bool,
}

/// The tracked files under the checked folder, plus history; see the module comment.
pub struct Snapshot {
    /// The checked folder on disk.
    pub root: PathBuf,
    /// The checked folder relative to the work tree, `""` or ending in `/`; evidence paths are
    /// reported relative to the work tree so that CI annotations land on the right file.
    pub prefix: String,
    /// Sorted by path.
    pub files: Vec<TrackedFile>,
    pub history: History,
}

impl Snapshot {
    /// Opens the repository containing `dir` and lists what it tracks under `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        let unreadable = |source| Error::CheckPathUnreadable {
            path: dir.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(dir).map_err(unreadable)?;
        if !meta.is_dir() {
            return Err(Error::NotARepository {
                path: dir.to_path_buf(),
            });
        }
        let root = dir.canonicalize().map_err(unreadable)?;
        let repo = Repository::discover(&root).map_err(|_| Error::NotARepository {
            path: dir.to_path_buf(),
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| Error::NotARepository {
                path: dir.to_path_buf(),
            })?
            .canonicalize()
            .map_err(unreadable)?;
        let prefix = match root.strip_prefix(&workdir) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => String::new(),
        };
        let files = tracked_files(&repo, &prefix)?;
        let history = history(&repo);
        Ok(Snapshot {
            root,
            prefix,
            files,
            history,
        })
    }

    /// Whether `path` (relative to the checked folder) is tracked.
    pub fn has(&self, path: &str) -> bool {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }

    /// The text of a tracked file, or `None` when it is too large, binary or unreadable.
    pub fn read(&self, path: &str) -> Option<String> {
        let index = self
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()?;
        let file = &self.files[index];
        if file.size > MAX_READ_BYTES {
            return None;
        }
        let bytes = match std::fs::read(self.root.join(&file.path)) {
            Ok(bytes) => bytes,
            // Tracked but deleted in the work tree: what the index holds. Rare, so the
            // repository is opened only here, which also keeps a Snapshot shareable by threads.
            Err(_) => Repository::discover(&self.root)
                .ok()?
                .find_blob(file.id)
                .ok()?
                .content()
                .to_vec(),
        };
        text(bytes)
    }
}

/// Bytes as text, unless they look binary (a NUL in the first 8 KiB, as git decides).
pub fn text(bytes: Vec<u8>) -> Option<String> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return None;
    }
    Some(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn tracked_files(repo: &Repository, prefix: &str) -> Result<Vec<TrackedFile>> {
    let index = repo
        .index()
        .map_err(|e| Error::git("reading the index", e))?;
    // Submodules are gitlinks (mode 160000): their content belongs to another repository.
    const GITLINK: u32 = 0o160000;
    let mut files: Vec<TrackedFile> = index
        .iter()
        .filter(|entry| entry.mode & 0o170000 != GITLINK)
        .filter_map(|entry| {
            let path = String::from_utf8_lossy(&entry.path);
            let rel = path.strip_prefix(prefix)?;
            Some(TrackedFile {
                path: rel.to_string(),
                size: u64::from(entry.file_size),
                id: entry.id,
            })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

fn history(repo: &Repository) -> History {
    let shallow = repo.is_shallow();
    let mut commits = Vec::new();
    let Ok(mut walk) = repo.revwalk() else {
        return History { commits, shallow };
    };
    if walk.push_head().is_err() {
        return History { commits, shallow };
    }
    for oid in walk.flatten().take(HISTORY_DEPTH) {
        let Ok(commit) = repo.find_commit(oid) else {
            continue;
        };
        let id = oid.to_string();
        commits.push(CommitInfo {
            short_id: id[..7].to_string(),
            message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
            merge: commit.parent_count() > 1,
        });
    }
    History { commits, shallow }
}
