//! `Tree`: a rendered project held in memory, the seam every command shares.
//!
//! Rendering never touches the disk; it returns a Tree. Then `new` writes it, `--dry-run` lists it,
//! snapshots compare it, `batch` writes many. Paths are relative, `/`-separated and sorted, so a
//! Tree is deterministic and its listing is stable.
//! It lives at the top of the crate because `template` makes Trees, `project` writes them and
//! `git` commits them, and none of those should import another just to name the type.

use std::collections::BTreeMap;

/// One file of a rendered project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub contents: Vec<u8>,
    pub executable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, TreeFile>,
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file (a stack's file replaces the shared one at the same path).
    pub fn insert(&mut self, path: impl Into<String>, contents: Vec<u8>, executable: bool) {
        self.files.insert(
            path.into(),
            TreeFile {
                contents,
                executable,
            },
        );
    }

    /// Removes a file, returning it.
    pub fn remove(&mut self, path: &str) -> Option<TreeFile> {
        self.files.remove(path)
    }

    pub fn get(&self, path: &str) -> Option<&TreeFile> {
        self.files.get(path)
    }

    /// Files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &TreeFile)> {
        self.files.iter().map(|(p, f)| (p.as_str(), f))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Total size of all files, in bytes.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(|f| f.contents.len()).sum()
    }
}
