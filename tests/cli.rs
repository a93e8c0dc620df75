//! The command line itself: help that teaches, list, completions, usage errors.

use crate::support::{Sandbox, stderr, stdout};

#[test]
fn help_snapshots() {
    let sandbox = Sandbox::new();
    for args in [
        &["--help"][..],
        &["new", "--help"],
        &["list", "--help"],
        &["batch", "--help"],
        &["check", "--help"],
        &["update", "--help"],
    ] {
        let out = sandbox.folio(args).output().unwrap();
        assert!(out.status.success());
        insta::assert_snapshot!(format!("help-{}", args.join("-")), stdout(&out));
    }
}

#[test]
fn list_text_names_every_stack_and_option() {
    let sandbox = Sandbox::new();
    let out = sandbox.folio(&["list"]).output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    for id in crate::support::stack_ids() {
        assert!(text.contains(&id), "{id} missing from:\n{text}");
    }
    for flag in ["--db", "--ci", "--license", "--vcs"] {
        assert!(text.contains(flag));
    }
    insta::assert_snapshot!("list-text", text);
}

#[test]
fn list_json_carries_each_stacks_commands() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&["list", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["folio_version"], env!("CARGO_PKG_VERSION"));
    let stacks = json["stacks"].as_array().unwrap();
    assert!(!stacks.is_empty());
    for stack in stacks {
        for command in ["setup", "test", "run", "lint"] {
            assert!(
                stack["commands"][command]
                    .as_str()
                    .is_some_and(|c| !c.is_empty()),
                "{stack}"
            );
        }
    }
}

#[test]
fn completions_for_each_shell() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = sandbox.folio(&["completions", shell]).output().unwrap();
        assert!(out.status.success());
        assert!(stdout(&out).contains("folio"), "{shell}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let sandbox = Sandbox::new();
    for args in [
        &["frobnicate"][..],
        &["new"],
        &["new", "x", "--db", "mysql"],
        &["new", "x", "--license", "gpl"],
        &["list", "--format", "xml"],
    ] {
        let out = sandbox.folio(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn unknown_stack_suggests_the_nearest() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&["new", "demo", "--stack", "pyhton", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("unknown-stack", stderr(&out));
    assert!(!sandbox.work().join("demo").exists());
}
