//! The test builder: run the real `folio` binary in a sandbox, and say what the run must give.
//!
//! Every run gets its own HOME (so no developer's git config or caches leak in), no system git
//! config, no colour and no terminal. A test reads as: make a sandbox, declare the run
//! (`sandbox.run(["new", "demo", "--yes"]).code(2).stderr_has("--force").run()`), look at the
//! files. [`Run::run`] checks every expectation and, when one fails, shows the command with its
//! stdout and stderr; success (exit 0) is the expectation unless [`Run::code`] says otherwise.

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

    /// A declared run of `folio ARGS...` in the work folder; nothing runs until [`Run::run`].
    pub fn run<S: AsRef<str>>(&self, args: impl IntoIterator<Item = S>) -> Run<'_> {
        Run {
            sandbox: self,
            args: args.into_iter().map(|a| a.as_ref().to_string()).collect(),
            stdin: None,
            code: 0,
            stdout_has: Vec::new(),
            stderr_has: Vec::new(),
            stderr_lacks: Vec::new(),
            files: Vec::new(),
            no_files: Vec::new(),
        }
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

/// One declared run of folio: its arguments and input, and what it must give.
#[must_use = "a declared run does nothing until .run()"]
pub struct Run<'s> {
    sandbox: &'s Sandbox,
    args: Vec<String>,
    stdin: Option<String>,
    code: i32,
    stdout_has: Vec<String>,
    stderr_has: Vec<String>,
    stderr_lacks: Vec<String>,
    files: Vec<String>,
    no_files: Vec<String>,
}

/// What a finished run printed, once its expectations held.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
}

impl Run<'_> {
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_string());
        self
    }

    /// The exit code the run must end with (0 unless set).
    pub fn code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }

    pub fn stdout_has(mut self, needle: &str) -> Self {
        self.stdout_has.push(needle.to_string());
        self
    }

    pub fn stderr_has(mut self, needle: &str) -> Self {
        self.stderr_has.push(needle.to_string());
        self
    }

    pub fn stderr_lacks(mut self, needle: &str) -> Self {
        self.stderr_lacks.push(needle.to_string());
        self
    }

    /// A path under the work folder that must exist afterwards.
    pub fn creates(mut self, rel: &str) -> Self {
        self.files.push(rel.to_string());
        self
    }

    /// A path under the work folder that must not exist afterwards.
    pub fn leaves_absent(mut self, rel: &str) -> Self {
        self.no_files.push(rel.to_string());
        self
    }

    /// Runs folio and checks every expectation; see the module comment.
    #[track_caller]
    pub fn run(self) -> Ran {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let mut command = self.sandbox.folio(&args);
        if let Some(stdin) = &self.stdin {
            command.write_stdin(stdin.as_bytes());
        }
        let output = command.output().expect("folio runs");
        let ran = Ran {
            stdout: stdout(&output),
            stderr: stderr(&output),
        };
        let shown = || {
            format!(
                "folio {}\n--- stdout\n{}--- stderr\n{}",
                self.args.join(" "),
                ran.stdout,
                ran.stderr
            )
        };
        assert_eq!(
            output.status.code(),
            Some(self.code),
            "exit code of {}",
            shown()
        );
        for needle in &self.stdout_has {
            assert!(
                ran.stdout.contains(needle),
                "stdout lacks {needle:?}: {}",
                shown()
            );
        }
        for needle in &self.stderr_has {
            assert!(
                ran.stderr.contains(needle),
                "stderr lacks {needle:?}: {}",
                shown()
            );
        }
        for needle in &self.stderr_lacks {
            assert!(
                !ran.stderr.contains(needle),
                "stderr has {needle:?}: {}",
                shown()
            );
        }
        for rel in &self.files {
            let path = self.sandbox.work().join(rel);
            assert!(path.exists(), "{rel} was not created: {}", shown());
        }
        for rel in &self.no_files {
            let path = self.sandbox.work().join(rel);
            assert!(!path.exists(), "{rel} exists: {}", shown());
        }
        ran
    }
}
