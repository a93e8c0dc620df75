//! Everything the rules may look at, gathered once: the tracked files, the languages and their
//! dependencies, the content scan, and the `.folio.toml` of a generated project.
//!
//! Rules are plain functions of a [`Project`], so they never touch git or the disk themselves and
//! each can be read (and tested) on its own.

use crate::answers::{AnswersFile, PROVENANCE_FILE};
use crate::check::lang::Languages;
use crate::check::origin;
use crate::check::repo::Snapshot;
use crate::check::scan::{self, Scan};

pub struct Project {
    pub snapshot: Snapshot,
    pub languages: Languages,
    pub scan: Scan,
    /// The parsed `.folio.toml`, when one is tracked.
    pub provenance: Option<AnswersFile>,
    /// The files folio's template would generate for it, or why that cannot be known.
    pub template_paths: Option<Result<Vec<String>, String>>,
}

impl Project {
    pub fn load(snapshot: Snapshot, provenance: Option<AnswersFile>) -> Self {
        let languages = Languages::detect(&snapshot);
        let provenance = provenance.filter(|_| snapshot.has(PROVENANCE_FILE));
        // The content scan and re-rendering the template are independent; overlap them.
        let (scan, template_paths) = rayon::join(
            || scan::scan(&snapshot, &languages),
            || provenance.as_ref().map(origin::template_paths),
        );
        Project {
            snapshot,
            languages,
            scan,
            provenance,
            template_paths,
        }
    }

    /// Every tracked path, relative to the checked folder.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.snapshot.files.iter().map(|f| f.path.as_str())
    }

    pub fn has(&self, path: &str) -> bool {
        self.snapshot.has(path)
    }

    pub fn read(&self, path: &str) -> Option<String> {
        self.snapshot.read(path)
    }

    /// Tracked paths outside the checked folder (relative to the work tree); empty unless a
    /// sub-folder of the repository is checked.
    pub fn outside_paths(&self) -> impl Iterator<Item = &str> {
        self.snapshot.outside.iter().map(|f| f.path.as_str())
    }

    /// A path outside the checked folder, written relative to it (`../../LICENSE`), which is
    /// how rules name repository-wide files; the report turns it back into `LICENSE`.
    pub fn from_outside(&self, path: &str) -> String {
        let depth = self.snapshot.prefix.matches('/').count();
        format!("{}{path}", "../".repeat(depth))
    }

    /// Reads a path as rules name it: inside the checked folder, or `../`-relative outside it.
    pub fn read_any(&self, path: &str) -> Option<String> {
        if !path.starts_with("../") {
            return self.read(path);
        }
        let full = crate::check::report::join_relative(&self.snapshot.prefix, path);
        self.snapshot.read_outside(&full)
    }

    /// Whether the path, named as [`Project::read_any`] takes it, is tracked.
    pub fn has_any(&self, path: &str) -> bool {
        if !path.starts_with("../") {
            return self.has(path);
        }
        let full = crate::check::report::join_relative(&self.snapshot.prefix, path);
        self.snapshot.outside_file(&full).is_some()
    }

    /// Tracked paths whose file name satisfies `pred`, shallowest first.
    pub fn named(&self, pred: impl Fn(&str) -> bool) -> Vec<&str> {
        let mut found: Vec<&str> = self.paths().filter(|p| pred(file_name(p))).collect();
        found.sort_by_key(|p| (p.matches('/').count(), *p));
        found
    }

    /// The shallowest tracked file whose name satisfies `pred`.
    pub fn first_named(&self, pred: impl Fn(&str) -> bool) -> Option<&str> {
        self.named(pred).into_iter().next()
    }
}

/// The last component of a `/`-separated path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The first line (1-based) of `text` matching `re`, with the line's text.
pub fn find_line<'t>(text: &'t str, re: &regex::Regex) -> Option<(u32, &'t str)> {
    text.lines()
        .enumerate()
        .find(|(_, l)| re.is_match(l))
        .map(|(i, l)| (i as u32 + 1, l.trim()))
}
