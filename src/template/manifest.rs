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
    /// The same steps with the stack's own tools (`npm test`, `go test ./...`), for people who
    /// do not use make; `{name}` and `{package}` stand for the project's kebab-case and snake_case names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<NativeCommands>,
}

/// `[commands.native]`: see [`Commands::native`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NativeCommands {
    pub setup: String,
    pub test: String,
    pub run: String,
}

impl NativeCommands {
    /// The commands with `{name}` and `{package}` filled in for the project `name`.
    pub fn for_project(&self, name: &str) -> NativeCommands {
        // The templates name folders `{{kebab name}}` and packages `{{snake name}}`.
        let kebab = heck::ToKebabCase::to_kebab_case(name);
        let package = heck::ToSnakeCase::to_snake_case(name);
        let fill = |s: &str| s.replace("{name}", &kebab).replace("{package}", &package);
        NativeCommands {
            setup: fill(&self.setup),
            test: fill(&self.test),
            run: fill(&self.run),
        }
    }
}

/// `[requires]`: what a machine needs to set up, test and run the generated project.
///
/// The manifest, not folio's code, says it, so `folio doctor`, the next steps of `folio new`
/// and the e2e harness (through `folio list --format json`'s `requires`, the program names)
/// follow a template without a per-stack table to keep in step.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Programs the commands need on PATH, the toolchain first.
    #[serde(default)]
    pub tools: Vec<Tool>,
}

impl Requires {
    /// The programs every project of the stack needs, whatever its database.
    pub fn programs(&self) -> Vec<String> {
        self.tools
            .iter()
            .filter(|t| t.only_for.is_none())
            .map(|t| t.program.clone())
            .collect()
    }

    /// The tools a project with database `db` needs, in the manifest's order.
    pub fn needed_for(&self, db: Db) -> impl Iterator<Item = &Tool> {
        self.tools
            .iter()
            .filter(move |t| t.only_for.is_none_or(|only| only == db))
    }
}

/// One required program.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// What a person calls it, e.g. `Python` or `Docker engine`.
    pub name: String,
    /// The executable looked up on PATH, e.g. `python3`.
    pub program: String,
    /// The lowest version that works (dotted numbers, e.g. `3.11`); none means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    /// The arguments that make the program print its version. [default: `--version`]
    #[serde(default = "version_flag")]
    pub version_args: Vec<String>,
    /// How to install it, one line.
    pub install: String,
    /// Needed only with this database (e.g. Docker for `postgres`); optional otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_for: Option<Db>,
    /// Why a project needs it when it is optional for the other databases, e.g. `docker compose`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

fn version_flag() -> Vec<String> {
    vec!["--version".into()]
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
