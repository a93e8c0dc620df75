//! Project names that must be refused, each with a message naming the problem and a next step,
//! exit code 2, and nothing written.

use crate::support::Sandbox;

const REJECTED: &[(&str, &str)] = &[
    ("", "it is empty"),
    (".", "`.` and `..` are folders"),
    ("..", "`.` and `..` are folders"),
    ("a/b", "path separator"),
    ("a\\b", "path separator"),
    ("9lives", "starts with a digit"),
    ("-api", "not a letter"),
    ("my api", "a space"),
    ("naïve", "`ï`"),
    ("semi;colon", "`;`"),
    ("CON", "Windows reserves it"),
    ("nul", "Windows reserves it"),
    ("import", "keyword"),
    ("class", "keyword"),
];

#[test]
fn invalid_names_are_refused_with_a_reason_and_a_hint() {
    let sandbox = Sandbox::new();
    for (name, reason) in REJECTED {
        sandbox
            .run(["new", "--stack", "python", "--yes", "--", name])
            .code(2)
            .stderr_has(reason)
            .stderr_has("hint:")
            .stderr_lacks("panicked")
            .run();
    }
    assert!(crate::support::list_files(&sandbox.work()).is_empty());
}

#[test]
fn name_error_snapshot() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(["new", "9lives", "--yes"]).code(2).run();
    insta::assert_snapshot!("name-error", out.stderr);
}
