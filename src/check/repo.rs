//! The repository as `folio check` sees it: the files git tracks, and a little of the history.
//!
//! The file list comes from the git index (what `git ls-files` prints), never from walking the
//! folder, so ignored directories such as `node_modules` or `target` are not even opened and a
//! 20,000-file repository is listed in milliseconds. Contents are read from the work tree (what
//! the user sees and CI builds), falling back to the indexed blob for a file missing on disk or
//! whose path is not UTF-8.
//!
//! A repository is hostile input: a tracked symlink may point at `/dev/zero`, at a FIFO, or at a
//! secret outside the checkout. So nothing here follows a link: a symlink (index mode 120000) is
//! read as git stores it, the link text, and so is a regular entry whose work-tree file turned
//! out to be anything but a regular file. Every read is capped at [`MAX_READ_BYTES`], whatever
//! the index claims about the size. This is read-only git access for `check`; writing git lives
//! in `crate::git`.

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
    /// The path as text; a path that is not UTF-8 shows replacement characters here.
    pub path: String,
    pub size: u64,
    /// A symlink: its content is the link text, and it is never followed.
    pub symlink: bool,
    /// The path's bytes were not UTF-8, so the work tree cannot be opened by `path`.
    lossy: bool,
    id: Oid,
    /// The blob's bytes, read up front for a snapshot of a commit (so rules never reopen the
    /// repository per file).
    preloaded: Option<std::sync::Arc<[u8]>>,
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
    /// When a sub-folder is checked: the tracked files outside it, with paths relative to the
    /// work tree, so repository-wide files (LICENSE, CI, .gitignore) still count.
    pub outside: Vec<TrackedFile>,
    /// Submodules (gitlinks) under the checked folder: their content is another repository.
    pub submodules: Vec<String>,
    /// The work tree on disk.
    workdir: PathBuf,
    pub history: History,
    /// Listed from a commit's tree (`folio grade`): contents come from git's blobs only, never
    /// from the work tree, which may hold a later or uncommitted state.
    from_commit: bool,
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
            return Err(Error::CheckPathUnreadable {
                path: dir.to_path_buf(),
                source: std::io::Error::other(
                    "it is a file, and folio check audits a folder (a repository or a folder inside one)",
                ),
            });
        }
        let root = dir.canonicalize().map_err(unreadable)?;
        let repo = Repository::discover(&root).map_err(|_| Error::NotARepository {
            path: dir.to_path_buf(),
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| Error::CheckPathUnreadable {
                path: dir.to_path_buf(),
                source: std::io::Error::other(
                    "it is a bare repository, with no checked-out files; check a clone of it (`git clone DIR checkout && folio check checkout`)",
                ),
            })?
            .canonicalize()
            .map_err(unreadable)?;
        let prefix = match root.strip_prefix(&workdir) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => String::new(),
        };
        let listing = tracked_files(&repo, &prefix)?;
        let history = history(&repo);
        Ok(Snapshot {
            root,
            prefix,
            files: listing.inside,
            outside: listing.outside,
            submodules: listing.submodules,
            workdir,
            history,
            from_commit: false,
        })
    }

    /// The files of `commit`'s tree in the repository at `dir` (its work tree's root), read from
    /// git's objects only: what `folio grade` judges is the graded commit, whatever the work tree
    /// holds. History is walked from that commit.
    pub fn at_commit(dir: &Path, commit: Oid) -> Result<Self> {
        let repo = Repository::open(dir).map_err(|_| Error::NotARepository {
            path: dir.to_path_buf(),
        })?;
        let tree = repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| Error::git("reading the graded commit", e))?;
        let odb = repo
            .odb()
            .map_err(|e| Error::git("opening the object database", e))?;
        const GITLINK: i32 = 0o160000;
        const SYMLINK: i32 = 0o120000;
        let mut files = Vec::new();
        let mut submodules = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            let mode = entry.filemode();
            let (name, lossy) = match std::str::from_utf8(entry.name_bytes()) {
                Ok(name) => (name.to_string(), false),
                Err(_) => (
                    String::from_utf8_lossy(entry.name_bytes()).into_owned(),
                    true,
                ),
            };
            let path = format!("{parent}{name}");
            match entry.kind() {
                Some(git2::ObjectType::Blob) => {
                    let (size, preloaded) = match odb.read_header(entry.id()) {
                        Ok((size, _)) if size as u64 <= MAX_READ_BYTES => (
                            size as u64,
                            odb.read(entry.id())
                                .ok()
                                .map(|o| std::sync::Arc::from(o.data())),
                        ),
                        Ok((size, _)) => (size as u64, None),
                        Err(_) => (0, None),
                    };
                    files.push(TrackedFile {
                        path,
                        size,
                        symlink: mode == SYMLINK,
                        lossy,
                        id: entry.id(),
                        preloaded,
                    });
                }
                Some(git2::ObjectType::Commit) if mode == GITLINK => submodules.push(path),
                _ => {}
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(|e| Error::git("listing the graded commit", e))?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let workdir = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        let history = history_from(&repo, commit);
        Ok(Snapshot {
            root: workdir.clone(),
            prefix: String::new(),
            files,
            outside: Vec::new(),
            submodules,
            workdir,
            history,
            from_commit: true,
        })
    }

    /// Whether the repository tracks nothing at all (not merely nothing under a sub-folder).
    pub fn is_empty_repository(&self) -> bool {
        self.files.is_empty() && self.outside.is_empty() && self.submodules.is_empty()
    }

    /// A tracked file outside the checked folder (path relative to the work tree).
    pub fn outside_file(&self, path: &str) -> Option<&TrackedFile> {
        self.outside
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.outside[i])
    }

    /// The text of a tracked file outside the checked folder; see [`Snapshot::read`].
    pub fn read_outside(&self, path: &str) -> Option<String> {
        let file = self.outside_file(path)?;
        text(self.bytes(file, &self.workdir.join(&file.path))?)
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
        self.read_file(&self.files[index])
    }

    /// The text of one listed file; see [`Snapshot::read`].
    pub fn read_file(&self, file: &TrackedFile) -> Option<String> {
        text(self.bytes(file, &self.root.join(&file.path))?)
    }

    /// At most [`MAX_READ_BYTES`] of a tracked file: the work-tree copy when it is a regular file
    /// there, else git's stored blob (the link text for a symlink). Never follows a link.
    fn bytes(&self, file: &TrackedFile, on_disk: &Path) -> Option<Vec<u8>> {
        if file.size > MAX_READ_BYTES {
            return None;
        }
        if let Some(bytes) = &file.preloaded {
            return Some(bytes.to_vec());
        }
        if !file.symlink && !file.lossy && !self.from_commit {
            if let Some(bytes) = read_regular(on_disk) {
                return Some(bytes);
            }
        }
        // Rare (a symlink, a deleted or odd work-tree file), so the repository is opened only
        // here, which also keeps a Snapshot shareable by threads.
        let repo = Repository::open(&self.workdir).ok()?;
        let odb = repo.odb().ok()?;
        let (size, _) = odb.read_header(file.id).ok()?;
        if size as u64 > MAX_READ_BYTES {
            return None;
        }
        Some(odb.read(file.id).ok()?.data().to_vec())
    }
}

/// A regular file's bytes, capped; `None` for a symlink, device, FIFO or folder, or when it
/// grew past the cap. The type is checked on the open handle too, against a swap in between.
fn read_regular(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.file_type().is_file() {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_READ_BYTES) as usize);
    file.take(MAX_READ_BYTES + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_READ_BYTES).then_some(bytes)
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

struct Listing {
    inside: Vec<TrackedFile>,
    outside: Vec<TrackedFile>,
    submodules: Vec<String>,
}

fn tracked_files(repo: &Repository, prefix: &str) -> Result<Listing> {
    let index = repo
        .index()
        .map_err(|e| Error::git("reading the index", e))?;
    // Submodules are gitlinks (mode 160000): their content belongs to another repository.
    const GITLINK: u32 = 0o160000;
    const SYMLINK: u32 = 0o120000;
    let mut listing = Listing {
        inside: Vec::new(),
        outside: Vec::new(),
        submodules: Vec::new(),
    };
    for entry in index.iter() {
        let kind = entry.mode & 0o170000;
        let (path, lossy) = match String::from_utf8(entry.path) {
            Ok(path) => (path, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        let inside = path.strip_prefix(prefix).map(str::to_string);
        if kind == GITLINK {
            if let Some(rel) = inside {
                listing.submodules.push(rel);
            }
            continue;
        }
        let make = |path: String| TrackedFile {
            path,
            size: u64::from(entry.file_size),
            symlink: kind == SYMLINK,
            lossy,
            id: entry.id,
            preloaded: None,
        };
        match inside {
            Some(rel) => listing.inside.push(make(rel)),
            None => listing.outside.push(make(path)),
        }
    }
    for files in [&mut listing.inside, &mut listing.outside] {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
    }
    listing.submodules.sort();
    Ok(listing)
}

fn history(repo: &Repository) -> History {
    match repo.head().ok().and_then(|h| h.target()) {
        Some(head) => history_from(repo, head),
        None => History {
            commits: Vec::new(),
            shallow: repo.is_shallow(),
        },
    }
}

fn history_from(repo: &Repository, start: Oid) -> History {
    let shallow = repo.is_shallow();
    let mut commits = Vec::new();
    let Ok(mut walk) = repo.revwalk() else {
        return History { commits, shallow };
    };
    if walk.push(start).is_err() {
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
