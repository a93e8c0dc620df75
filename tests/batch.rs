//! `folio batch`: good rows become clean repositories, bad rows are reported by line, reruns skip.

use git2::Repository;

use crate::support::{Sandbox, git_status, list_files};

const ROSTER: &str = "\
name,email,github,cohort
Ada Lovelace,ada@example.org,ada-l,7
José Núñez,jose@example.org,jnunez,7
,nobody@example.org,ghost,7
9 Lives,cat@example.org,cat,7
Ada Lovelace,ada2@example.org,ada-two,7
Grace Hopper,grace@example.org,ghopper,7
";

fn roster_with_unknown_stack() -> String {
    format!("{ROSTER}Alan Turing,alan@example.org,aturing,7\n")
        .replace("name,email,github,cohort", "name,email,github,cohort,stack")
        .replace("aturing,7", "aturing,7,cobol")
}

fn report(sandbox: &Sandbox) -> serde_json::Value {
    let text = std::fs::read_to_string(sandbox.work().join("out/batch-report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn good_rows_become_repositories_and_bad_rows_are_reported_by_line() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", &roster_with_unknown_stack());
    // Bad rows make the run fail, each reported with its line.
    sandbox
        .run([
            "batch",
            "roster.csv",
            "--out",
            "out",
            "--name-pattern",
            "{{slug name}}-c{{cohort}}",
            "--remote-pattern",
            "git@example.org:cohort-7/{{slug github}}.git",
            "--author",
            "Ins Tructor <teach@example.org>",
        ])
        .code(2)
        .stderr_has("line 4")
        .stderr_has("no name")
        .stderr_has("line 5")
        .stderr_has("starts with a digit")
        .stderr_has("line 6")
        .stderr_has("like the row at line 2")
        .stderr_has("line 8")
        .stderr_has("cobol")
        .run();

    let created = ["ada-lovelace-c7", "jose-nunez-c7", "grace-hopper-c7"];
    for (name, github) in created.iter().zip(["ada-l", "jnunez", "ghopper"]) {
        let dir = sandbox.work().join("out").join(name);
        let repo = Repository::open(&dir).unwrap();
        let commit = repo.head().unwrap().peel_to_commit().unwrap();
        assert_eq!(commit.parent_count(), 0);
        assert_eq!(commit.author().email().ok(), Some("teach@example.org"));
        let origin = repo.find_remote("origin").unwrap();
        assert_eq!(
            origin.url().ok(),
            Some(format!("git@example.org:cohort-7/{github}.git").as_str())
        );
        assert!(git_status(&repo).is_empty(), "{name} is not clean");
    }
    let folio_toml =
        std::fs::read_to_string(sandbox.work().join("out/jose-nunez-c7/.folio.toml")).unwrap();
    assert!(
        folio_toml.contains("student = \"José Núñez\""),
        "{folio_toml}"
    );
    let readme =
        std::fs::read_to_string(sandbox.work().join("out/jose-nunez-c7/README.md")).unwrap();
    assert!(
        readme.contains("José Núñez"),
        "the README names its student"
    );

    let report = report(&sandbox);
    assert_eq!(report["summary"]["created"], 3);
    assert_eq!(report["summary"]["invalid"], 4);
    let rows = report["rows"].as_array().unwrap();
    let by_row = |n: u64| rows.iter().find(|r| r["row"] == n).unwrap();
    assert_eq!(by_row(2)["status"], "created");
    assert_eq!(by_row(2)["commit"].as_str().unwrap().len(), 40);
    assert_eq!(by_row(4)["status"], "invalid");
    assert!(by_row(8)["error"].as_str().unwrap().contains("cobol"));
}

#[test]
fn a_rerun_skips_existing_repositories() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\nAda Lovelace\nGrace Hopper\n");
    sandbox.run(["batch", "roster.csv", "--out", "out"]).run();
    sandbox.write(
        "roster.csv",
        "name\nAda Lovelace\nGrace Hopper\nAlan Turing\n",
    );
    sandbox
        .run(["batch", "roster.csv", "--out", "out"])
        .stderr_has("1 repository in ")
        .stderr_has(" per second)")
        .run();
    let summary = &report(&sandbox)["summary"];
    assert_eq!(summary["skipped"], 2);
    assert_eq!(summary["created"], 1);
}

#[test]
fn dry_run_writes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\nAda Lovelace\nGrace Hopper\n");
    sandbox
        .run(["batch", "roster.csv", "--out", "out", "--dry-run"])
        .stdout_has("ada-lovelace")
        .run();
    assert_eq!(list_files(&sandbox.work()), ["roster.csv"]);
}

#[test]
fn fail_fast_stops_at_the_first_bad_row() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\n9 Lives\nAda Lovelace\n");
    sandbox
        .run(["batch", "roster.csv", "--out", "out", "--fail-fast"])
        .code(2)
        .stderr_has("line 2")
        .leaves_absent("out/ada-lovelace")
        .run();
}

#[test]
fn toml_and_json_rosters_work_too() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "r.toml",
        "[[students]]\nname = \"Ada Lovelace\"\ndb = \"postgres\"\n",
    );
    sandbox.write("r.json", r#"[{"name": "Grace Hopper", "stack": "python"}]"#);
    for roster in ["r.toml", "r.json"] {
        sandbox.run(["batch", roster, "--out", "out"]).run();
    }
    let text =
        std::fs::read_to_string(sandbox.work().join("out/ada-lovelace/.folio.toml")).unwrap();
    assert!(text.contains("db = \"postgres\""));
    assert!(sandbox.work().join("out/grace-hopper/.git").is_dir());
}

#[test]
fn broken_rosters_and_patterns_are_explained() {
    let sandbox = Sandbox::new();
    sandbox.write("nocol.csv", "email\na@example.org\n");
    sandbox.write("ok.csv", "name\nAda\n");
    let cases: [(&[&str], &str); 4] = [
        (&["batch", "nocol.csv"], "no `name` column"),
        (&["batch", "missing.csv"], "cannot read the roster"),
        (
            &["batch", "ok.csv", "--name-pattern", "{{#if}}"],
            "--name-pattern",
        ),
        (&["batch", "ok.csv", "--author", "<nobody>"], "--author"),
    ];
    for (args, needle) in cases {
        sandbox
            .run(args)
            .code(2)
            .stderr_has(needle)
            .stderr_has("hint:")
            .run();
    }
    sandbox
        .run([
            "batch",
            "ok.csv",
            "--out",
            "out",
            "--name-pattern",
            "{{slug github}}",
        ])
        .code(2)
        .stderr_has("no value for")
        .run();
}
