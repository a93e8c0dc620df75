//! A newcomer's first half hour (issue 21): tailored next steps, git identity, `new --format
//! json`, completions and the man page, did-you-mean, and the papercuts found in the review.

use crate::support::{Sandbox, stack_ids};

#[test]
fn next_steps_name_each_stacks_toolchain_and_its_own_commands() {
    let sandbox = Sandbox::new();
    for id in stack_ids() {
        let ran = sandbox
            .run(["new", &format!("p-{id}"), "--stack", &id, "--yes"])
            .run();
        let list = sandbox
            .folio(&["list", "--format", "json"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        let stack = json["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id.as_str())
            .unwrap()
            .clone();
        let toolchain = &stack["requirements"][0];
        let named = format!(
            "needs {} {}+",
            toolchain["name"].as_str().unwrap(),
            toolchain["min"].as_str().unwrap()
        );
        assert!(
            ran.stderr.contains(&named),
            "{id}: {named:?} missing: {}",
            ran.stderr
        );
        let native_test = stack["commands"]["native"]["test"].as_str().unwrap();
        assert!(
            ran.stderr.contains(&format!("(or: {native_test})")),
            "{id}: {}",
            ran.stderr
        );
        assert!(
            ran.stderr.contains("gh repo create p-"),
            "{id}: {}",
            ran.stderr
        );
        assert!(
            !ran.stderr.contains("docker compose up -d db"),
            "{id} sqlite: {}",
            ran.stderr
        );
    }
}

#[test]
fn a_toolchain_missing_from_path_is_said_with_how_to_install_it() {
    let sandbox = Sandbox::new();
    let empty = sandbox.home().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = sandbox
        .folio(&["new", "demo", "--stack", "go", "--yes"])
        .env("PATH", &empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("`go` is NOT on PATH; install: https://go.dev/dl/"),
        "{err}"
    );
}

#[test]
fn postgres_next_steps_start_the_database_first() {
    let sandbox = Sandbox::new();
    for id in stack_ids() {
        let ran = sandbox
            .run([
                "new",
                &format!("pg-{id}"),
                "--stack",
                &id,
                "--db",
                "postgres",
                "--yes",
            ])
            .run();
        let docker = ran
            .stderr
            .find("docker compose up -d db")
            .unwrap_or_else(|| panic!("{id}: {}", ran.stderr));
        let setup = ran.stderr.find("make setup").unwrap();
        assert!(
            docker < setup,
            "{id}: the database comes first: {}",
            ran.stderr
        );
    }
}

#[test]
fn new_format_json_gives_path_stack_options_and_commit() {
    let sandbox = Sandbox::new();
    let ran = sandbox
        .run([
            "new",
            "demo",
            "--stack",
            "go",
            "--db",
            "postgres",
            "--license",
            "apache-2.0",
            "--yes",
            "--format",
            "json",
        ])
        .run();
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("stdout is JSON only");
    assert_eq!(json["stack"], "go-nethttp");
    assert_eq!(json["options"]["db"], "postgres");
    assert_eq!(json["options"]["license"], "apache-2.0");
    let path = std::path::PathBuf::from(json["path"].as_str().unwrap());
    assert_eq!(path, sandbox.work().join("demo"));
    let repo = git2::Repository::open(&path).unwrap();
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    assert_eq!(json["commit"], head.as_str());
    assert_eq!(json["git"], "committed");
}

#[test]
fn without_a_git_identity_folio_says_so_and_how_to_set_it() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["new", "demo", "--yes"])
        .stderr_has("git has no user.name or user.email configured")
        .stderr_has("git config --global user.name")
        .stderr_has("--author")
        .run();
}

#[test]
fn author_wins_over_the_placeholder_in_the_first_commit() {
    let sandbox = Sandbox::new();
    sandbox
        .run([
            "new",
            "demo",
            "--author",
            "Ada Lovelace <ada@example.org>",
            "--yes",
        ])
        .stderr_lacks("git has no user.name")
        .run();
    let repo = git2::Repository::open(sandbox.work().join("demo")).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(commit.author().name().ok(), Some("Ada Lovelace"));
    assert_eq!(commit.author().email().ok(), Some("ada@example.org"));
}

#[test]
fn a_configured_identity_is_used_without_a_warning() {
    let sandbox = Sandbox::new();
    sandbox.set_git_identity("Grace Hopper", "grace@example.org");
    sandbox
        .run(["new", "demo", "--yes"])
        .stderr_lacks("warning")
        .run();
    let license = std::fs::read_to_string(sandbox.work().join("demo/LICENSE")).unwrap();
    assert!(license.contains("Grace Hopper"), "{license}");
}

#[test]
fn answers_of_another_project_do_not_carry_its_name() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["new", "demo-go", "--stack", "go", "--yes"])
        .run();
    sandbox
        .run(["new", "other", "--answers", "demo-go/.folio.toml", "--yes"])
        .run();
    let readme = std::fs::read_to_string(sandbox.work().join("other/README.md")).unwrap();
    assert!(
        !readme.contains("demo-go"),
        "the old name leaked into README.md"
    );
    let answers = std::fs::read_to_string(sandbox.work().join("other/.folio.toml")).unwrap();
    assert!(answers.contains("go-nethttp"), "{answers}");
    assert!(!answers.contains("demo-go"), "{answers}");
}

#[test]
fn a_custom_description_naming_the_old_project_is_renamed_whole_words_only() {
    let sandbox = Sandbox::new();
    sandbox
        .run([
            "new",
            "demo",
            "--description",
            "demo tracks demos for demo-x",
            "--yes",
        ])
        .run();
    sandbox
        .run(["new", "shop", "--answers", "demo/.folio.toml", "--yes"])
        .run();
    let answers = std::fs::read_to_string(sandbox.work().join("shop/.folio.toml")).unwrap();
    assert!(
        answers.contains("shop tracks demos for demo-x"),
        "{answers}"
    );
}

#[test]
fn an_output_that_is_a_file_is_said_to_be_a_file() {
    let sandbox = Sandbox::new();
    sandbox.write("afile", "x");
    for output in ["afile", "afile/sub"] {
        sandbox
            .run(["new", "demo", "--output", output, "--yes"])
            .code(2)
            .stderr_has("afile already exists and is not a directory")
            .run();
    }
}

#[test]
fn an_unknown_database_lists_the_ones_there_are() {
    let sandbox = Sandbox::new();
    for db in ["mysql", "mongodb", "sqlit"] {
        sandbox
            .run(["new", "demo", "--db", db, "--yes"])
            .code(2)
            .stderr_has("use one of sqlite, postgres")
            .stderr_lacks("similar value")
            .run();
    }
}

#[test]
fn no_arguments_print_the_help_and_succeed_and_usage_errors_still_exit_two() {
    let sandbox = Sandbox::new();
    let out = sandbox.folio(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Usage: folio") && help.contains("doctor"),
        "{help}"
    );
    sandbox.run(["--bogus"]).code(2).run();
    sandbox
        .run(["new", "--yes"])
        .code(2)
        .stderr_has("project name")
        .run();
}

#[test]
fn mistyped_subcommands_get_a_did_you_mean() {
    let sandbox = Sandbox::new();
    for (typed, meant) in [
        ("nwe", "new"),
        ("lsit", "list"),
        ("chekc", "check"),
        ("doctr", "doctor"),
        ("upadte", "update"),
    ] {
        // clap names one close subcommand, or several when more are close ('grade', 'update').
        let ran = sandbox
            .run([typed])
            .code(2)
            .stderr_has("similar subcommand")
            .run();
        assert!(
            ran.stderr.contains(&format!("'{meant}'")),
            "{typed}: {}",
            ran.stderr
        );
    }
    sandbox.run(["xyzzy"]).code(2).stderr_lacks("similar").run();
}

#[test]
fn completions_offer_stacks_and_say_where_to_install_them() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let ran = sandbox.run(["completions", shell]).run();
        for id in stack_ids() {
            assert!(ran.stdout.contains(&id), "{shell} completion lacks {id}");
        }
        assert!(
            ran.stdout.contains("postgres") && ran.stdout.contains("gitlab"),
            "{shell}"
        );
    }
    sandbox
        .run(["completions", "bash", "--help"])
        .stdout_has("~/.local/share/bash-completion/completions/folio")
        .stdout_has("~/.config/fish/completions/folio.fish")
        .stdout_has("$PROFILE")
        .run();
}

#[test]
fn the_man_page_is_roff_for_folio() {
    let sandbox = Sandbox::new();
    let ran = sandbox.run(["man"]).run();
    assert!(ran.stdout.contains(".TH folio 1"), "{}", ran.stdout);
    assert!(ran.stdout.contains("doctor"), "{}", ran.stdout);
}

#[test]
fn an_author_with_an_address_wins_over_gits_identity_in_the_commit() {
    let sandbox = Sandbox::new();
    sandbox.set_git_identity("Grace Hopper", "grace@example.org");
    sandbox
        .run([
            "new",
            "demo",
            "--author",
            "Ada Lovelace <ada@example.org>",
            "--yes",
        ])
        .run();
    let repo = git2::Repository::open(sandbox.work().join("demo")).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(commit.author().email().ok(), Some("ada@example.org"));
}

#[test]
fn the_answers_file_may_name_the_project() {
    let sandbox = Sandbox::new();
    sandbox.write("answers.toml", "name = \"from-file\"\nstack = \"go\"\n");
    sandbox
        .run(["new", "--answers", "answers.toml", "--yes"])
        .creates("from-file/go.mod")
        .run();
}
