//! `template.toml` and `_shared/shared.toml` as plain serde structs.
//!
//! `deny_unknown_fields` everywhere: a misspelt key in a manifest is a broken template, and the unit
//! test that loads every embedded stack turns it into a failing `cargo test`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answers::{Db, Jobs};

/// A stack's manifest: who it is, what it supports, how its generated project is driven.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The stack id, identical to the template's folder name.
    pub id: String,
    /// The language name; `--stack LANGUAGE` picks the stack that is `default_for_language`.
    pub language: String,
    #[serde(default)]
    pub default_for_language: bool,
    /// More names that select this stack.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line: framework and key libraries.
    pub summary: String,
    /// Databases the stack supports, the first being the default. serde refuses a name folio
    /// does not know, so a typo is a broken manifest rather than a runtime surprise.
    pub databases: Vec<Db>,
    /// Background-jobs features the stack offers (`--jobs`), the first being the default; a
    /// manifest without the key offers none (`["none"]`).
    #[serde(default = "no_jobs")]
    pub jobs: Vec<Jobs>,
    /// Identifiers a project name must not turn into (keywords, shadowed imports).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// How to drive the generated project; the e2e harness and `folio doctor` use them.
    pub commands: Commands,
    #[serde(default)]
    pub requires: Requires,
    /// Strings for shared files (e.g. the dependabot ecosystem).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Output paths (after rendering) that get the executable bit, e.g. `mvnw`.
    #[serde(default)]
    pub executable: Vec<String>,
    /// Files or folders included only under a condition.
    #[serde(default)]
    pub files: Vec<FileRule>,
    /// How `folio update` treats the files (every file is `managed`, i.e. merged, by default).
    #[serde(default)]
    pub update: UpdatePolicy,
}

fn no_jobs() -> Vec<Jobs> {
    vec![Jobs::None]
}

/// `[update]`: per-file update policy.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePolicy {
    /// Output paths written by `folio new` and never touched by `folio update` (the learner's
    /// own from the first day, e.g. a notes file).
    #[serde(default)]
    pub once: Vec<String>,
}

impl Manifest {
    /// The output paths whose update policy is `once`.
    pub fn once_paths(&self) -> Vec<String> {
        self.update.once.clone()
    }
}

/// The generated project's own commands, run with `sh -c` from its root.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Commands {
    pub setup: String,
    pub test: String,
    pub run: String,
    pub lint: String,
    /// End-to-end tests that start the real server themselves (`make e2e`), if the stack has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Programs the commands need on PATH.
    #[serde(default)]
    pub tools: Vec<String>,
}

/// `_shared/shared.toml`: conditions for the shared files.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedManifest {
    #[serde(default)]
    pub files: Vec<FileRule>,
}

/// Include `path` (a file, or a folder when it ends in `/`) only when `when` holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    pub path: String,
    /// A boolean context variable such as `postgres` or `ci_github`; a leading `!` negates it.
    pub when: String,
}

impl FileRule {
    /// Whether this rule speaks about `path` (a template path, before the `.hbs` suffix is dropped).
    pub fn covers(&self, path: &str) -> bool {
        // Either side may name the template file (`x.hbs`) or the output file (`x`).
        let path = path.strip_suffix(".hbs").unwrap_or(path);
        let rule = self.path.strip_suffix(".hbs").unwrap_or(&self.path);
        if rule.ends_with('/') {
            path.starts_with(rule)
        } else {
            path == rule
        }
    }

    /// The variable the condition reads and whether it is negated.
    pub fn condition(&self) -> (&str, bool) {
        match self.when.strip_prefix('!') {
            Some(var) => (var.trim(), true),
            None => (self.when.trim(), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str) -> FileRule {
        FileRule {
            path: path.into(),
            when: "postgres".into(),
        }
    }

    #[test]
    fn rules_match_files_folders_and_hbs_names() {
        assert!(rule(".gitlab-ci.yml").covers(".gitlab-ci.yml.hbs"));
        assert!(rule(".gitlab-ci.yml.hbs").covers(".gitlab-ci.yml.hbs"));
        assert!(rule(".gitlab-ci.yml.hbs").covers(".gitlab-ci.yml"));
        assert!(rule(".github/").covers(".github/workflows/ci.yml"));
        assert!(!rule(".github/").covers(".githubx"));
        assert!(!rule("a.txt").covers("a.txt.bak"));
    }
}
