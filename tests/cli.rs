//! The command line itself: help that teaches, list, completions, usage errors.

use crate::support::Sandbox;

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
        &["pack", "--help"],
        &["grade", "--help"],
    ] {
        let out = sandbox.run(args).run();
        insta::assert_snapshot!(format!("help-{}", args.join("-")), out.stdout);
    }
}

#[test]
fn list_text_names_every_stack_and_option() {
    let sandbox = Sandbox::new();
    let text = sandbox.run(["list"]).run().stdout;
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
    let out = sandbox.run(["list", "--format", "json"]).run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
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
        sandbox
            .run(["completions", shell])
            .stdout_has("folio")
            .run();
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
        sandbox.run(args).code(2).stderr_lacks("panicked").run();
    }
}

#[test]
fn unknown_stack_suggests_the_nearest() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(["new", "demo", "--stack", "pyhton", "--yes"])
        .code(2)
        .leaves_absent("demo")
        .run();
    insta::assert_snapshot!("unknown-stack", out.stderr);
}
