//! What this machine has for each stack: the tools a stack's manifest names (`[requires]`), found
//! on PATH and asked for their version, against the minimum the manifest declares.
//!
//! Nothing here knows a stack: the manifests list the programs, the arguments that print their
//! versions, the minimums and how to install them, so a new template brings its own checks.
//! `folio doctor` prints the result ([`crate::commands::doctor`]); `folio new` uses [`find_on_path`]
//! alone for its next steps, since generating must stay fast and must not start a JVM.

pub mod version;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::answers::Db;
use crate::template::manifest::Tool;
use version::Version;

/// How long a tool may take to print its version (`docker info` waits for the engine).
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// What was found for one tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// On PATH, and at least the minimum version (or no minimum is declared).
    Ok,
    /// Not on PATH.
    Missing,
    /// On PATH, older than the minimum.
    TooOld,
    /// On PATH, but it failed or printed no version (e.g. Docker's engine is not running).
    NotWorking,
}

/// One tool of one stack, probed.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub name: String,
    pub program: String,
    pub min: Option<String>,
    /// The version it printed, when it printed one.
    pub found: Option<String>,
    pub path: Option<PathBuf>,
    pub status: Status,
    /// Whether the stack (with the chosen database) cannot run without it.
    pub required: bool,
    pub install: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Why it is not working, in a few words, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Probe {
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }
}

/// Probes tools, running each distinct command line once (Docker appears in every stack).
#[derive(Default)]
pub struct Prober {
    seen: HashMap<CommandLine, Answer>,
}

/// A program and the arguments that make it print its version.
type CommandLine = (String, Vec<String>);
/// Where the program was found, and what it printed (or why it failed).
type Answer = (Option<PathBuf>, Result<String, String>);

impl Prober {
    /// Probes `tool` for a project with database `db`.
    pub fn probe(&mut self, tool: &Tool, db: Db) -> Probe {
        let key = (tool.program.clone(), tool.version_args.clone());
        let (path, output) = self
            .seen
            .entry(key)
            .or_insert_with(|| match find_on_path(&tool.program) {
                Some(path) => {
                    let output = run_for_version(&path, &tool.version_args);
                    (Some(path), output)
                }
                None => (None, Err("not on PATH".into())),
            })
            .clone();
        let min = tool.min.as_deref().and_then(Version::parse);
        let found = output.as_ref().ok().and_then(|text| Version::find_in(text));
        let (status, problem) = match (&path, &output, &found) {
            (None, _, _) => (Status::Missing, None),
            (Some(_), Err(why), _) => (Status::NotWorking, Some(why.clone())),
            (Some(_), Ok(_), None) if min.is_some() => {
                (Status::NotWorking, Some("printed no version".into()))
            }
            (Some(_), Ok(_), Some(v)) if min.as_ref().is_some_and(|m| !v.at_least(m)) => {
                (Status::TooOld, None)
            }
            _ => (Status::Ok, None),
        };
        Probe {
            name: tool.name.clone(),
            program: tool.program.clone(),
            min: tool.min.clone(),
            found: found.map(|v| v.to_string()),
            path,
            status,
            required: tool.only_for.is_none_or(|only| only == db),
            install: tool.install.clone(),
            purpose: tool.purpose.clone(),
            problem,
        }
    }
}

/// The executable `program` resolves to on PATH, as a shell would find it.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| candidates(&dir, program))
        .find(|candidate| is_executable(candidate))
}

fn candidates(dir: &Path, program: &str) -> Vec<PathBuf> {
    let plain = dir.join(program);
    if cfg!(windows) {
        ["exe", "cmd", "bat"]
            .iter()
            .map(|ext| plain.with_extension(ext))
            .chain(std::iter::once(plain.clone()))
            .collect()
    } else {
        vec![plain]
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Runs `program ARGS` and returns what it printed (stdout, then stderr: `java -version` writes
/// to stderr), or why it failed. A tool that hangs is killed after [`VERSION_TIMEOUT`].
fn run_for_version(program: &Path, args: &[String]) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(args.iter().map(OsStr::new))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run it: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < VERSION_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("gave no answer in {} s", VERSION_TIMEOUT.as_secs()));
            }
        }
    };
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut text);
    }
    if status.success() {
        Ok(text)
    } else {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Err(format!(
            "exited with {}{}",
            status.code().map_or("a signal".into(), |c| c.to_string()),
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", crate::answers::one_line(first.trim(), 120))
            }
        ))
    }
}
