//! The test builder: run the real `folio` binary in a sandbox.
//!
//! Every run gets its own HOME (so no developer's git config or caches leak in), no system git
//! config, no colour and no terminal. A test reads as: make a sandbox, run folio, look at the result.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("folio-test-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        Sandbox { dir }
    }

    /// The folder folio runs in.
    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `folio ARGS...` in the work folder.
    pub fn folio(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("folio").expect("the folio binary is built");
        cmd.args(args)
            .current_dir(self.work())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", self.dir.path())
            .env("NO_COLOR", "1");
        cmd
    }

    /// Writes a file under the work folder.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.work().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Gives the sandbox a git identity, like a developer's machine.
    pub fn set_git_identity(&self, name: &str, email: &str) {
        std::fs::write(
            self.home().join(".gitconfig"),
            format!("[user]\n\tname = {name}\n\temail = {email}\n"),
        )
        .unwrap();
    }
}

/// Every file under `root`, relative, sorted, skipping `.git`.
pub fn list_files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// stderr of a finished command, as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The ids of every embedded stack, from `folio list --format json`.
pub fn stack_ids() -> Vec<String> {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&["list", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// What `git status --porcelain` would list (ignored files are not listed, unlike libgit2's
/// default status options).
pub fn git_status(repo: &git2::Repository) -> Vec<String> {
    let mut options = git2::StatusOptions::new();
    options.include_ignored(false).include_untracked(true);
    repo.statuses(Some(&mut options))
        .unwrap()
        .iter()
        .filter_map(|s| s.path().ok().map(String::from))
        .collect()
}
