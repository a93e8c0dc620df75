//! Project names that must be refused, each with a message naming the problem and a next step,
//! exit code 2, and nothing written.

use crate::support::{Sandbox, stderr};

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
        let out = sandbox
            .folio(&["new", "--stack", "python", "--yes", "--", name])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name:?}: {err}");
        assert!(
            err.contains(reason),
            "{name:?}: expected {reason:?} in {err}"
        );
        assert!(err.contains("hint:"), "{name:?}: {err}");
        assert!(!err.contains("panicked"), "{name:?}: {err}");
    }
    assert!(crate::support::list_files(&sandbox.work()).is_empty());
}

#[test]
fn name_error_snapshot() {
    let sandbox = Sandbox::new();
    let out = sandbox.folio(&["new", "9lives", "--yes"]).output().unwrap();
    insta::assert_snapshot!("name-error", stderr(&out));
}
