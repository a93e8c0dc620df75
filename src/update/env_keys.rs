//! The keys a new `.env.example` adds that the learner's own `.env` lacks.
//!
//! `.env` holds the learner's secrets and is never in git, so an update never touches it; it can
//! only say which settings to add by hand. A symlinked or oversized `.env` is not read.

use std::collections::BTreeSet;
use std::path::Path;

use crate::tree::Tree;

const ENV_FILE: &str = ".env";
const EXAMPLE_FILE: &str = ".env.example";
/// A `.env` is a few hundred bytes; anything far larger is not one to parse.
const MAX_ENV_BYTES: u64 = 256 * 1024;

/// Keys of the render's `.env.example` missing from `dir/.env` (none when there is no `.env`:
/// then the learner copies the example, as the README says).
pub fn missing(dir: &Path, render: &Tree) -> Vec<String> {
    let Some(example) = render.get(EXAMPLE_FILE) else {
        return Vec::new();
    };
    let path = dir.join(ENV_FILE);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Vec::new();
    };
    if !meta.is_file() || meta.len() > MAX_ENV_BYTES {
        return Vec::new();
    }
    let Ok(own) = std::fs::read(&path) else {
        return Vec::new();
    };
    let have = keys(&String::from_utf8_lossy(&own));
    keys(&String::from_utf8_lossy(&example.contents))
        .into_iter()
        .filter(|k| !have.contains(k))
        .collect()
}

/// `KEY` of every `KEY=value` line (also `export KEY=value`), comments and blanks skipped.
fn keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_example_keys_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "# mine\nPORT=9000\nexport JWT_SECRET=x\n",
        )
        .unwrap();
        let mut tree = Tree::new();
        tree.insert(
            EXAMPLE_FILE,
            b"PORT=8080\nJWT_SECRET=\n# a comment\nWEBHOOK_ALLOW_LOOPBACK=false\n".to_vec(),
            false,
        );
        assert_eq!(
            missing(dir.path(), &tree),
            vec!["WEBHOOK_ALLOW_LOOPBACK".to_string()]
        );
    }

    #[test]
    fn no_env_means_nothing_to_report() {
        let dir = tempfile::tempdir().unwrap();
        let mut tree = Tree::new();
        tree.insert(EXAMPLE_FILE, b"PORT=8080\n".to_vec(), false);
        assert!(missing(dir.path(), &tree).is_empty());
    }
}
