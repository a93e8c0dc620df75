//! Does the repository's `.gitignore` cover a path? Asked of git's own rules through the
//! `ignore` crate (ripgrep's gitignore implementation): every tracked `.gitignore` counts, from
//! the top down to the folder of the path, with negation, anchoring, `**` and `dir/*` patterns
//! as git reads them.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// The tracked `.gitignore` files, each with the folder it governs.
pub struct Ignores {
    /// Shallowest first: (folder relative to the checked folder, `""` for the top, matcher).
    files: Vec<Entry>,
}

struct Entry {
    dir: String,
    path: String,
    text: String,
    matcher: Gitignore,
}

impl Ignores {
    /// `files`: (path of the `.gitignore` relative to the checked folder, its text).
    pub fn new(files: Vec<(String, String)>) -> Self {
        let mut out = Vec::new();
        for (path, text) in files {
            let dir = path
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string());
            let root = std::path::Path::new("/folio-check-root").join(&dir);
            let mut builder = GitignoreBuilder::new(&root);
            for line in text.lines() {
                // A bad line is ignored, as git does; the rest of the file still counts.
                let _ = builder.add_line(None, line);
            }
            if let Ok(matcher) = builder.build() {
                out.push(Entry {
                    dir,
                    path,
                    text,
                    matcher,
                });
            }
        }
        out.sort_by_key(|e| e.dir.matches('/').count() + usize::from(!e.dir.is_empty()));
        Ignores { files: out }
    }

    /// Whether `path` (relative to the checked folder; a folder when `is_dir`) is ignored, and by
    /// which file and line. The deepest `.gitignore` with a matching pattern decides, as in git.
    /// A folder also counts as ignored when everything in it is (`node_modules/*`).
    pub fn ignores(&self, path: &str, is_dir: bool) -> Option<(String, u32)> {
        let probe = |path: &str, is_dir: bool| -> Option<(String, u32)> {
            for e in self.files.iter().rev() {
                if !e.dir.is_empty() && !path.starts_with(&format!("{}/", e.dir)) {
                    continue;
                }
                let full = std::path::Path::new("/folio-check-root").join(path);
                let m = e.matcher.matched_path_or_any_parents(&full, is_dir);
                if let Some(glob) = m.inner() {
                    if m.is_whitelist() {
                        return None;
                    }
                    return Some((e.path.clone(), line_of(&e.text, glob.original())));
                }
            }
            None
        };
        if let Some(hit) = probe(path, is_dir) {
            return Some(hit);
        }
        if is_dir {
            return probe(&format!("{path}/folio-probe-file"), false);
        }
        None
    }
}

/// The 1-based line of `pattern` (as the matcher recorded it) in a `.gitignore`'s text.
fn line_of(text: &str, pattern: &str) -> u32 {
    text.lines()
        .position(|l| l.trim() == pattern.trim())
        .map_or(1, |i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::Ignores;

    fn one(text: &str) -> Ignores {
        Ignores::new(vec![(".gitignore".into(), text.into())])
    }

    #[test]
    fn common_patterns() {
        let gi = one(
            "# deps\nnode_modules/\n/target\n**/__pycache__\n.env*\n!.env.example\n*.py[cod]\nsrc/build/\n",
        );
        assert!(gi.ignores("node_modules", true).is_some());
        assert!(gi.ignores("node_modules", false).is_none());
        assert!(gi.ignores("target", true).is_some());
        assert!(gi.ignores("svc/__pycache__", true).is_some());
        assert!(gi.ignores(".env", false).is_some());
        assert!(gi.ignores(".env.example", false).is_none());
        assert!(gi.ignores("x.pyc", false).is_some());
        assert!(gi.ignores("build", true).is_none());
        assert!(
            one("node_modules/*\n")
                .ignores("node_modules", true)
                .is_some()
        );
    }

    #[test]
    fn nested_files_count_and_the_deepest_decides() {
        let gi = Ignores::new(vec![
            (".gitignore".into(), "*.log\n".into()),
            (
                "backend/.gitignore".into(),
                ".env\n__pycache__/\n!keep.log\n".into(),
            ),
        ]);
        assert!(gi.ignores("backend/.env", false).is_some());
        assert!(gi.ignores(".env", false).is_none());
        assert!(gi.ignores("backend/app/__pycache__", true).is_some());
        assert!(gi.ignores("backend/keep.log", false).is_none());
        assert!(gi.ignores("a.log", false).is_some());
    }
}
