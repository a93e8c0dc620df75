//! The folio side of the harness: which stacks exist (`folio list --format json`, the only source
//! of per-stack knowledge) and generating a project with `folio new`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// One stack as `folio list --format json` describes it.
#[derive(Clone, Debug, Deserialize)]
pub struct Stack {
    pub id: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub databases: Vec<String>,
    pub commands: Commands,
    #[serde(default)]
    pub requires: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Commands {
    pub setup: String,
    pub test: String,
    pub run: String,
    /// The project's end-to-end tests against a server they start themselves (`make e2e`).
    #[serde(default)]
    pub e2e: Option<String>,
}

#[derive(Deserialize)]
struct List {
    stacks: Vec<Stack>,
}

impl Stack {
    /// Whether a user-given name (id, alias or language) selects this stack.
    pub fn is_named(&self, name: &str) -> bool {
        self.id == name || self.language == name || self.aliases.iter().any(|a| a == name)
    }
}

pub fn folio() -> &'static str {
    env!("CARGO_BIN_EXE_folio")
}

/// The stacks folio knows, from `folio list --format json`.
pub fn stacks() -> Result<Vec<Stack>, String> {
    let out = Command::new(folio())
        .args(["list", "--format", "json"])
        .output()
        .map_err(|e| format!("running folio list: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "folio list --format json failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let list: List = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "folio list --format json printed something unexpected ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    Ok(list.stacks)
}

/// The project name used for every generated tree.
pub const NAME: &str = "todo-api";

/// Runs `folio new` into `parent` and returns the project's root (`parent/todo-api`).
pub fn generate(stack: &str, db: &str, ci: &str, parent: &Path) -> Result<PathBuf, String> {
    generate_with(stack, db, ci, None, parent)
}

/// [`generate`] with `--jobs JOBS` when given (the stack's default otherwise).
pub fn generate_with(
    stack: &str,
    db: &str,
    ci: &str,
    jobs: Option<&str>,
    parent: &Path,
) -> Result<PathBuf, String> {
    let mut args = vec![
        "new", NAME, "--stack", stack, "--db", db, "--ci", ci, "--yes", "--vcs", "none",
    ];
    if let Some(jobs) = jobs {
        args.extend(["--jobs", jobs]);
    }
    args.push("--output");
    let out = Command::new(folio())
        .args(&args)
        .arg(parent)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("running folio new: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`folio {} {}` failed ({}):\n{}{}",
            args.join(" "),
            parent.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let root = parent.join(NAME);
    if !root.is_dir() {
        return Err(format!(
            "folio new succeeded but {} does not exist",
            root.display()
        ));
    }
    Ok(root)
}
