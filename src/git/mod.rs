//! All of folio's git writing: finding an enclosing work tree, `init` on `main`, committing a
//! [`Tree`] it is handed (it knows nothing of templates), identities, the configured user name.
//! The objects themselves are written by [`loose`], atomically.
//!
//! git2 (libgit2) rather than the git CLI: no dependency on what is installed, and one process.
//! CI machines usually have no `user.name`, so the commit falls back to a fixed identity instead
//! of failing the way `git commit` would. The first commit's message is `project::generate`'s.

use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Once;

use git2::{IndexEntry, IndexTime, ObjectType, Oid, Repository, RepositoryInitOptions, Signature};

use crate::error::{Error, Result};
use crate::tree::{Tree, TreeFile};
use loose::LooseWriter;

mod loose;
pub mod merge;

/// The branch every generated repository starts on.
pub const INITIAL_BRANCH: &str = "main";
const FALLBACK_NAME: &str = "folio";
const FALLBACK_EMAIL: &str = "folio@localhost";

/// Sets libgit2's process-wide options, once; `folio::run` calls it at start-up.
///
/// Strict object creation makes libgit2 look up every blob a tree names before writing the tree.
/// folio builds trees only from blobs it has just written itself ([`init_and_commit`]), so the
/// look-ups cost time and check nothing. The switch is global to the process, which is why it is
/// flipped here, once, rather than inside the function that benefits.
pub fn set_global_options() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| git2::opts::strict_object_creation(false));
}

/// The work tree that contains `path` (or its nearest existing ancestor), if any.
pub fn enclosing_work_tree(path: &Path) -> Option<PathBuf> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let repo = Repository::discover(existing).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// git's configured `user.name` (global and system config), trimmed, if one is set.
pub fn configured_user_name() -> Option<String> {
    git2::Config::open_default()
        .and_then(|c| c.get_string("user.name"))
        .ok()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

/// git's configured `user.email` (global and system config), trimmed, if one is set.
pub fn configured_user_email() -> Option<String> {
    git2::Config::open_default()
        .and_then(|c| c.get_string("user.email"))
        .ok()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

/// Who a commit is by, when it is not git's configured identity (`folio batch --author`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl Identity {
    /// Parses `Name <email>`; a bare name gets folio's fallback address.
    pub fn parse(text: &str) -> Option<Identity> {
        let text = text.trim();
        let (name, email) = match text.split_once('<') {
            Some((name, rest)) => (name.trim(), rest.strip_suffix('>')?.trim()),
            None => (text, FALLBACK_EMAIL),
        };
        (!name.is_empty() && !email.is_empty() && !email.contains(['<', '>'])).then(|| Identity {
            name: name.to_string(),
            email: email.to_string(),
        })
    }
}

/// Makes `dir` a repository on `main` whose first commit is `tree`, and sets `origin` to
/// `remote` without contacting it. `tree` must already be written under `dir`.
///
/// The commit is built from the Tree in memory, not by scanning the folder (`git add -A`):
/// blobs are written from the bytes folio holds, and each index entry takes the stat data of
/// the file just written, so `git status` is clean at once. Scanning the folder cost most of
/// the time of `folio new` (every path resolved and checked against `.gitattributes` one by
/// one), and it would also commit whatever else lies in a `--force` target: only folio's own
/// files belong in its commit. `.env` is never in the Tree, so it is never committed.
pub fn init_and_commit(
    dir: &Path,
    tree: &Tree,
    message: &str,
    identity: Option<&Identity>,
    remote: Option<&str>,
) -> Result<Oid> {
    let mut options = RepositoryInitOptions::new();
    options.initial_head(INITIAL_BRANCH);
    let repo = Repository::init_opts(dir, &options)
        .map_err(|e| Error::git("creating the repository", e))?;
    let mut index = index_files(&repo, dir, tree)?;
    let oid = commit_index(&repo, &mut index, message, identity)?;
    if let Some(url) = remote {
        repo.remote("origin", url)
            .map_err(|e| Error::git("setting the origin remote", e))?;
    }
    Ok(oid)
}

/// Writes the blob of every file of `tree` and an index that lists them all.
fn index_files(repo: &Repository, dir: &Path, tree: &Tree) -> Result<git2::Index> {
    let files: Vec<(&str, &TreeFile)> = tree.iter().collect();
    let ids = write_blobs(repo.path(), &files)
        .map_err(|e| Error::io("write a git object in", repo.path(), e))?;
    let mut index = repo
        .index()
        .map_err(|e| Error::git("opening the index", e))?;
    for ((path, file), id) in files.into_iter().zip(ids) {
        let on_disk = dir.join(path);
        let meta = std::fs::symlink_metadata(&on_disk)
            .map_err(|e| Error::io("read the metadata of", &on_disk, e))?;
        index
            .add(&index_entry(path, id, file.executable, &meta))
            .map_err(|e| Error::git("adding the files", e))?;
    }
    index
        .write()
        .map_err(|e| Error::git("writing the index", e))?;
    Ok(index)
}

/// Commits `index` on HEAD. libgit2 makes the trees and the commit into memory; they are then
/// stored like the blobs, one compressor for all of them.
fn commit_index(
    repo: &Repository,
    index: &mut git2::Index,
    message: &str,
    identity: Option<&Identity>,
) -> Result<Oid> {
    let odb = repo
        .odb()
        .map_err(|e| Error::git("opening the object database", e))?;
    let in_memory = odb
        .add_new_mempack_backend(1000)
        .map_err(|e| Error::git("opening an in-memory object store", e))?;
    let tree_id = index
        .write_tree()
        .map_err(|e| Error::git("writing the tree", e))?;
    let git_tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("reading the tree", e))?;
    let signature = match identity {
        Some(who) => Signature::now(&who.name, &who.email)
            .map_err(|e| Error::git("making the commit identity", e))?,
        None => configured_identity(repo)?,
    };
    let oid = repo
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &git_tree,
            &[],
        )
        .map_err(|e| Error::git("committing", e))?;
    let mut objects = LooseWriter::new(repo.path());
    let mut store = |id: Oid| -> Result<()> {
        let object = odb
            .read(id)
            .map_err(|e| Error::git("reading a new object", e))?;
        objects
            .write(object.kind(), object.data())
            .map_err(|e| Error::io("write a git object in", repo.path(), e))?;
        Ok(())
    };
    store(oid)?;
    store_trees(repo, &git_tree, &mut store)?;
    in_memory
        .reset()
        .map_err(|e| Error::git("clearing the in-memory object store", e))?;
    Ok(oid)
}

/// Writes the files' blobs through one writer, so one compressor serves them all.
fn write_blobs(git_dir: &Path, files: &[(&str, &TreeFile)]) -> std::io::Result<Vec<Oid>> {
    let mut writer = LooseWriter::new(git_dir);
    files
        .iter()
        .map(|(_, file)| writer.blob(&file.contents))
        .collect()
}

/// Stores `tree` and every tree under it.
fn store_trees(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    store: &mut impl FnMut(Oid) -> Result<()>,
) -> Result<()> {
    store(tree.id())?;
    for entry in tree.iter() {
        if entry.kind() == Some(ObjectType::Tree) {
            let subtree = repo
                .find_tree(entry.id())
                .map_err(|e| Error::git("reading a tree", e))?;
            store_trees(repo, &subtree, store)?;
        }
    }
    Ok(())
}

/// The index entry `git add` would make for the file at `path`, from its stat data.
fn index_entry(path: &str, id: Oid, executable: bool, meta: &Metadata) -> IndexEntry {
    let stat = Stat::of(meta);
    // Git stores the stat fields truncated to 32 bits; the same truncation happens in git.
    IndexEntry {
        ctime: IndexTime::new(stat.ctime.0 as i32, stat.ctime.1),
        mtime: IndexTime::new(stat.mtime.0 as i32, stat.mtime.1),
        dev: stat.dev as u32,
        ino: stat.ino as u32,
        mode: if executable { 0o100755 } else { 0o100644 },
        uid: stat.uid,
        gid: stat.gid,
        file_size: meta.len() as u32,
        id,
        // The low 12 bits hold the path length (0xFFF when longer), as in git's index format.
        flags: path.len().min(0xFFF) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// The stat fields an index entry records.
struct Stat {
    ctime: (i64, u32),
    mtime: (i64, u32),
    dev: u64,
    ino: u64,
    uid: u32,
    gid: u32,
}

impl Stat {
    #[cfg(unix)]
    fn of(meta: &Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt;
        Stat {
            ctime: (meta.ctime(), meta.ctime_nsec() as u32),
            mtime: (meta.mtime(), meta.mtime_nsec() as u32),
            dev: meta.dev(),
            ino: meta.ino(),
            uid: meta.uid(),
            gid: meta.gid(),
        }
    }

    /// Without stat data git re-reads each file once on the first `git status`: still clean.
    #[cfg(not(unix))]
    fn of(_meta: &Metadata) -> Stat {
        Stat {
            ctime: (0, 0),
            mtime: (0, 0),
            dev: 0,
            ino: 0,
            uid: 0,
            gid: 0,
        }
    }
}

/// git's configured identity, or folio's fixed one when none is configured.
pub(crate) fn configured_identity(repo: &Repository) -> Result<Signature<'static>> {
    match repo.signature() {
        Ok(sig) => Ok(sig.to_owned()),
        Err(_) => Signature::now(FALLBACK_NAME, FALLBACK_EMAIL)
            .map_err(|e| Error::git("making the fallback identity", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_parse() {
        let who = Identity::parse("Ada Lovelace <ada@example.org>").unwrap();
        assert_eq!(
            (who.name.as_str(), who.email.as_str()),
            ("Ada Lovelace", "ada@example.org")
        );
        assert_eq!(Identity::parse("Ada").unwrap().email, FALLBACK_EMAIL);
        assert!(Identity::parse("<a@b>").is_none());
        assert!(Identity::parse("Ada <a@b").is_none());
    }
}
