//! `folio doctor` on a PATH of fake tools that print chosen versions: what is found, what is too
//! old or missing, Docker's engine for postgres, git's identity, the exit code and the JSON.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{Sandbox, stderr, stdout};

/// A folder of fake programs; each prints `output` (to stdout, or stderr with `>&2`) and exits.
struct FakeTools {
    dir: PathBuf,
}

impl FakeTools {
    fn new(sandbox: &Sandbox) -> Self {
        let dir = sandbox.home().join("fakebin");
        std::fs::create_dir_all(&dir).unwrap();
        FakeTools { dir }
    }

    /// `program` prints `script`'s output: a body of shell.
    fn tool(&self, program: &str, body: &str) -> &Self {
        let path = self.dir.join(program);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        self
    }

    fn path(&self) -> &Path {
        &self.dir
    }
}

fn doctor(sandbox: &Sandbox, tools: &FakeTools, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    let out = sandbox
        .folio(&all)
        .env("PATH", tools.path())
        .output()
        .unwrap();
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

#[test]
fn a_stack_with_its_tools_at_new_enough_versions_is_ready() {
    let sandbox = Sandbox::new();
    sandbox.set_git_identity("Ada Lovelace", "ada@example.org");
    let tools = FakeTools::new(&sandbox);
    tools
        .tool("python3", "echo 'Python 3.12.4'")
        .tool("make", "echo 'GNU Make 4.3'");
    let (code, out, err) = doctor(&sandbox, &tools, &["--stack", "python"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("python-fastapi (python): ready"), "{out}");
    assert!(
        out.contains("Python 3.11+") && out.contains("3.12.4"),
        "{out}"
    );
    assert!(
        out.contains("git identity: Ada Lovelace <ada@example.org>"),
        "{out}"
    );
}

#[test]
fn a_toolchain_older_than_the_manifest_minimum_fails_with_how_to_install() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    tools
        .tool("python3", "echo 'Python 3.9.18'")
        .tool("make", "echo 'GNU Make 4.3'");
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "python-fastapi"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("NOT ready") && out.contains("3.9.18 is too old"),
        "{out}"
    );
    assert!(out.contains("install: https://www.python.org"), "{out}");
}

#[test]
fn versions_printed_on_stderr_or_inside_words_are_read() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    tools
        .tool("java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2")
        .tool("go", "echo 'go version go1.26.8 linux/amd64'")
        .tool("make", "echo 'GNU Make 4.3'");
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "java"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("17.0.15"), "{out}");
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "go"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1.26.8"), "{out}");
}

#[test]
fn a_missing_tool_is_named_and_the_exit_code_is_one() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    tools.tool("python3", "echo 'Python 3.12.4'");
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "python"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("`make` is not on PATH"), "{out}");
}

#[test]
fn postgres_needs_dockers_engine_as_well_as_its_client() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    tools
        .tool("go", "echo 'go version go1.26.8 linux/amd64'")
        .tool("make", "echo 'GNU Make 4.3'")
        .tool(
            "docker",
            "if [ \"$1\" = info ]; then echo 'Cannot connect to the Docker daemon' >&2; exit 1; fi\necho 'Docker version 28.2.2, build e6534b4'",
        );
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "go"]);
    assert_eq!(code, 0, "sqlite does not need the engine: {out}");
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "go", "--db", "postgres"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Cannot connect to the Docker daemon"), "{out}");
    tools.tool(
        "docker",
        "if [ \"$1\" = info ]; then echo '28.2.2'; exit 0; fi\necho 'Docker version 28.2.2'",
    );
    let (code, out, _) = doctor(&sandbox, &tools, &["--stack", "go", "--db", "postgres"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn json_lists_every_stack_with_each_tools_status() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    tools
        .tool("node", "echo v20.20.2")
        .tool("npm", "echo 11.1.0")
        .tool("make", "echo 'GNU Make 4.3'")
        .tool("cargo", "echo 'cargo 1.95.0 (f2d3ce0bd 2026-03-21)'");
    let (code, out, _) = doctor(&sandbox, &tools, &["--format", "json"]);
    assert_eq!(code, 0, "rust-axum is ready: {out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["ready"], true);
    let stacks = json["stacks"].as_array().unwrap();
    assert_eq!(stacks.len(), crate::support::stack_ids().len());
    let stack = |id: &str| stacks.iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(stack("rust-axum")["ready"], true);
    assert_eq!(stack("typescript-fastify")["ready"], false);
    let node = &stack("typescript-fastify")["tools"][0];
    assert_eq!(node["program"], "node");
    assert_eq!(node["found"], "20.20.2");
    assert_eq!(node["status"], "too-old");
    assert_eq!(stack("python-fastapi")["tools"][0]["status"], "missing");
    assert_eq!(json["git"]["name"], serde_json::Value::Null);
}

#[test]
fn no_ready_stack_exits_one_and_git_identity_advice_is_given() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    let (code, out, _) = doctor(&sandbox, &tools, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("No stack can run here"), "{out}");
    assert!(out.contains("git config --global user.name"), "{out}");
}

#[test]
fn an_unknown_stack_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let tools = FakeTools::new(&sandbox);
    let (code, _, err) = doctor(&sandbox, &tools, &["--stack", "cobol"]);
    assert_eq!(code, 2);
    assert!(err.contains("`cobol` is not a stack"), "{err}");
}
