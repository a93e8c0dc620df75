//! Template packs: a pack renders on top of a stack, is recorded in `.folio.toml`, lints, tests
//! and updates; every hostile pack is refused with exit 2 and the offending path named.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, stderr, stdout};

const MANIFEST: &str = r#"id = "mini"
description = "A small assignment"
version = "1.0.0"
folio = ">=0.1"
extends = "python-fastapi"
remove = ["docs/adr/0001-fastapi-sync-sqlalchemy-alembic.md"]

[[variables]]
name = "cohort"
type = "string"
prompt = "Cohort"
default = "2026-spring"
pattern = "[0-9]{4}-[a-z]+"

[[variables]]
name = "level"
type = "choice"
prompt = "Level"
default = "basic"
choices = ["basic", "advanced"]
"#;

/// Writes a pack folder `name` under the sandbox's work folder.
fn pack(sandbox: &Sandbox, name: &str, manifest: &str, files: &[(&str, &str)]) -> PathBuf {
    sandbox.write(&format!("{name}/folio-pack.toml"), manifest);
    for (path, text) in files {
        sandbox.write(&format!("{name}/{path}"), text);
    }
    sandbox.work().join(name)
}

fn mini(sandbox: &Sandbox) -> PathBuf {
    pack(
        sandbox,
        "mini",
        MANIFEST,
        &[
            (
                "files/ASSIGNMENT.md.hbs",
                "# {{name}} ({{pack.cohort}}, {{pack.level}})\n{{#if (eq pack.level \"advanced\")}}Extra task.\n{{/if}}",
            ),
            (
                "files/README.md.hbs",
                "# {{name}}\n\nThe course's own README.\n",
            ),
            (
                "files/data/notes.json.hbs",
                "{\"cohort\": {{json pack.cohort}}}\n",
            ),
        ],
    )
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_pack_overlays_its_stack_and_is_recorded() {
    let sandbox = Sandbox::new();
    mini(&sandbox);
    let out = sandbox
        .folio(&[
            "new",
            "demo",
            "--template",
            "mini",
            "--var",
            "level=advanced",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = sandbox.work().join("demo");
    assert_eq!(
        read(&dir, "ASSIGNMENT.md"),
        "# demo (2026-spring, advanced)\nExtra task.\n"
    );
    assert_eq!(
        read(&dir, "README.md"),
        "# demo\n\nThe course's own README.\n"
    );
    assert!(
        dir.join("Makefile").is_file(),
        "the stack's files are there"
    );
    assert!(
        !dir.join("docs/adr/0001-fastapi-sync-sqlalchemy-alembic.md")
            .exists()
    );
    let provenance = read(&dir, ".folio.toml");
    let parsed: toml::Table = provenance.parse().unwrap();
    assert_eq!(parsed["stack"].as_str(), Some("python-fastapi"));
    assert_eq!(parsed["pack"]["id"].as_str(), Some("mini"));
    assert_eq!(parsed["pack"]["version"].as_str(), Some("1.0.0"));
    assert_eq!(parsed["pack"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(parsed["vars"]["level"].as_str(), Some("advanced"));
    let repo = git2::Repository::open(&dir).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert!(head.message().unwrap().contains("Folio-Render: mini 1.0.0"));
}

#[test]
fn pack_variables_are_validated() {
    let sandbox = Sandbox::new();
    mini(&sandbox);
    for (var, needle) in [
        ("cohort=spring", "does not match the pattern"),
        ("level=expert", "not one of basic, advanced"),
        ("colour=red", "does not declare"),
    ] {
        let out = sandbox
            .folio(&["new", "demo", "--template", "mini", "--var", var, "--yes"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        assert!(stderr(&out).contains(needle), "{var}: {}", stderr(&out));
    }
    assert!(!sandbox.work().join("demo").exists());
}

#[test]
fn init_makes_a_pack_that_lints_tests_and_generates() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&["pack", "init", "course-pack"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lint = sandbox
        .folio(&["pack", "lint", "course-pack"])
        .output()
        .unwrap();
    assert!(lint.status.success(), "{}{}", stdout(&lint), stderr(&lint));
    assert!(
        stderr(&lint).contains("combinations render and parse"),
        "{}",
        stderr(&lint)
    );
    let test = sandbox
        .folio(&["pack", "test", "course-pack"])
        .output()
        .unwrap();
    assert!(test.status.success(), "{}{}", stdout(&test), stderr(&test));
    assert!(
        stdout(&test).lines().all(|l| l.starts_with("ok ")),
        "{}",
        stdout(&test)
    );
    let new = sandbox
        .folio(&["new", "demo", "--template", "course-pack", "--yes"])
        .output()
        .unwrap();
    assert!(new.status.success(), "{}", stderr(&new));
    assert!(read(&sandbox.work().join("demo"), "ASSIGNMENT.md").contains("2026-spring"));
    // A second init into a non-empty folder is refused.
    let again = sandbox
        .folio(&["pack", "init", "course-pack"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn lint_names_the_file_and_line_of_an_unknown_variable() {
    let sandbox = Sandbox::new();
    pack(
        &sandbox,
        "typo",
        MANIFEST,
        &[(
            "files/ASSIGNMENT.md.hbs",
            "# {{name}}\n\nCohort: {{pack.cohrot}}\n",
        )],
    );
    let out = sandbox.folio(&["pack", "lint", "typo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("ASSIGNMENT.md"), "{text}");
    assert!(text.contains("line 3") || text.contains(":3"), "{text}");
    let out = sandbox
        .folio(&["new", "demo", "--template", "typo", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!sandbox.work().join("demo").exists());
}

#[test]
fn lint_catches_an_output_that_no_longer_parses() {
    let sandbox = Sandbox::new();
    pack(
        &sandbox,
        "broken-json",
        MANIFEST,
        &[("files/config.json.hbs", "{\"cohort\": {{pack.cohort}}}\n")],
    );
    let out = sandbox
        .folio(&["pack", "lint", "broken-json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("config.json: not valid JSON"),
        "{}",
        stdout(&out)
    );
}

/// Each hostile pack: exit 2, the offending path in the message, nothing generated.
#[test]
fn hostile_packs_are_refused_with_the_path_named() {
    let sandbox = Sandbox::new();
    let manifest_with = |extra: &str| {
        format!("{MANIFEST}{extra}").replacen(
            "remove = [\"docs/adr/0001-fastapi-sync-sqlalchemy-alembic.md\"]",
            "",
            1,
        )
    };
    let mut cases: Vec<(PathBuf, &str)> = Vec::new();
    cases.push((
        pack(
            &sandbox,
            "dotdot",
            &format!("remove = [\"../outside.txt\"]\n{MANIFEST}").replacen(
                "remove = [\"docs/adr/0001-fastapi-sync-sqlalchemy-alembic.md\"]\n",
                "",
                1,
            ),
            &[],
        ),
        "../outside.txt",
    ));
    cases.push((
        pack(
            &sandbox,
            "absolute",
            &format!("executable = [\"/etc/passwd\"]\n{MANIFEST}"),
            &[],
        ),
        "/etc/passwd",
    ));
    let p = pack(&sandbox, "symlink-file", MANIFEST, &[]);
    std::fs::create_dir_all(p.join("files")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", p.join("files/hostname")).unwrap();
    cases.push((p, "files/hostname"));
    let p = pack(&sandbox, "symlink-folder", MANIFEST, &[]);
    std::os::unix::fs::symlink("/etc", p.join("files")).unwrap();
    cases.push((p, "files"));
    cases.push((
        pack(
            &sandbox,
            "case",
            MANIFEST,
            &[("files/Notes.md", "a"), ("files/notes.md", "b")],
        ),
        "otes.md",
    ));
    cases.push((
        pack(
            &sandbox,
            "dotgit",
            MANIFEST,
            &[("files/.git/hooks/post-checkout", "#!/bin/sh\n")],
        ),
        "files/.git",
    ));
    cases.push((
        pack(
            &sandbox,
            "escaping-path",
            &format!(
                "{MANIFEST}\n[[variables]]\nname = \"dir\"\ntype = \"string\"\nprompt = \"Folder\"\ndefault = \"..\"\n"
            ),
            &[("files/{{pack.dir}}/escape.txt", "x")],
        ),
        "leaves the project folder",
    ));
    cases.push((
        pack(
            &sandbox,
            "unknown-key",
            &manifest_with("hooks = [\"rm -rf /\"]\n"),
            &[],
        ),
        "hooks",
    ));
    cases.push((
        pack(
            &sandbox,
            "bad-default",
            &MANIFEST.replace("default = \"2026-spring\"", "default = \"Spring 2026\""),
            &[],
        ),
        "default of `cohort`",
    ));
    let p = pack(&sandbox, "too-many", MANIFEST, &[]);
    std::fs::create_dir_all(p.join("files/many")).unwrap();
    for i in 0..2001 {
        std::fs::write(p.join(format!("files/many/{i}.txt")), "x").unwrap();
    }
    cases.push((p, "2000 files"));
    let p = pack(&sandbox, "too-big", MANIFEST, &[]);
    std::fs::create_dir_all(p.join("files")).unwrap();
    std::fs::write(p.join("files/big.bin"), vec![0u8; 21_000_000]).unwrap();
    cases.push((p, "20000000 bytes"));

    for (dir, needle) in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let target = format!("out-{name}");
        let out = sandbox
            .folio(&["new", &target, "--template", &name, "--yes"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{name}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{name}");
        assert!(
            !sandbox.work().join(&target).exists(),
            "{name} generated something"
        );
        let lint = sandbox.folio(&["pack", "lint", &name]).output().unwrap();
        assert_eq!(lint.status.code(), Some(2), "lint {name}");
    }
    assert!(!sandbox.work().join("outside.txt").exists());
}

#[test]
fn a_pack_in_a_git_repository_is_read_at_a_revision_and_nothing_is_kept() {
    let sandbox = Sandbox::new();
    let dir = mini(&sandbox);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("HOME", sandbox.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Teacher")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "Teacher")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "v1"]);
    git(&["tag", "v1"]);
    std::fs::write(dir.join("files/ASSIGNMENT.md.hbs"), "changed after v1\n").unwrap();
    git(&["commit", "-q", "-am", "v2"]);
    let tmp_before = std::fs::read_dir(std::env::temp_dir()).unwrap().count();
    let out = sandbox
        .folio(&["new", "demo", "--template", "mini#v1", "--yes"])
        .env("TMPDIR", sandbox.home())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(&sandbox.work().join("demo"), "ASSIGNMENT.md").starts_with("# demo (2026-spring"));
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.home())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".folio-pack-"))
        .collect();
    assert!(leftovers.is_empty(), "the clone was kept: {leftovers:?}");
    let _ = tmp_before;
}

#[test]
fn a_project_from_pack_v1_updates_to_pack_v2_like_a_built_in_update() {
    let sandbox = Sandbox::new();
    let v1 = mini(&sandbox);
    let out = sandbox
        .folio(&["new", "demo", "--template", "mini", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = sandbox.work().join("demo");
    // The student's work.
    let mut readme = read(&dir, "README.md");
    readme.push_str("\nMy notes.\n");
    std::fs::write(dir.join("README.md"), readme).unwrap();
    let status = std::process::Command::new("git")
        .args(["commit", "-q", "-am", "My notes"])
        .current_dir(&dir)
        .env("GIT_AUTHOR_NAME", "S")
        .env("GIT_AUTHOR_EMAIL", "s@example.org")
        .env("GIT_COMMITTER_NAME", "S")
        .env("GIT_COMMITTER_EMAIL", "s@example.org")
        .status()
        .unwrap();
    assert!(status.success());

    // Release 1.1.0: the assignment changes.
    let manifest =
        read(&v1, "folio-pack.toml").replace("version = \"1.0.0\"", "version = \"1.1.0\"");
    std::fs::write(v1.join("folio-pack.toml"), manifest).unwrap();
    std::fs::write(
        v1.join("files/ASSIGNMENT.md.hbs"),
        "# {{name}}: version 1.1 of the assignment\n",
    )
    .unwrap();

    let check = sandbox
        .folio(&["update", "--check"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let out = sandbox
        .folio(&["update"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(&dir, "ASSIGNMENT.md"),
        "# demo: version 1.1 of the assignment\n"
    );
    assert!(read(&dir, "README.md").contains("My notes."));
    let provenance: toml::Table = read(&dir, ".folio.toml").parse().unwrap();
    assert_eq!(provenance["pack"]["version"].as_str(), Some("1.1.0"));
    let again = sandbox
        .folio(&["update", "--check"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn batch_and_list_take_a_pack() {
    let sandbox = Sandbox::new();
    mini(&sandbox);
    let list = sandbox
        .folio(&["list", "--template", "mini"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", stderr(&list));
    let text = stdout(&list);
    assert!(
        text.contains("mini 1.0.0") && text.contains("cohort") && text.contains("basic, advanced"),
        "{text}"
    );
    let json = sandbox
        .folio(&["list", "--template", "mini", "--format", "json"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["stack"], "python-fastapi");

    sandbox.write("roster.csv", "name\nAda Lovelace\nAlan Turing\n");
    let out = sandbox
        .folio(&[
            "batch",
            "roster.csv",
            "--template",
            "mini",
            "--var",
            "cohort=2027-autumn",
            "--out",
            "cohort",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for student in ["ada-lovelace", "alan-turing"] {
        let dir = sandbox.work().join("cohort").join(student);
        assert!(
            read(&dir, "ASSIGNMENT.md").contains("2027-autumn"),
            "{student}"
        );
        assert!(read(&dir, ".folio.toml").contains("[pack]"), "{student}");
    }
}

/// The example pack is the model a bootcamp copies: it must lint clean and render its resource.
/// (Its generated project's own tests run in `.ci/run`: `folio pack test ... --run`.)
#[test]
fn the_example_pack_lints_clean_and_renders_its_resource() {
    let sandbox = Sandbox::new();
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/packs/notes-assignment");
    let pack = pack.to_str().unwrap();
    let lint = sandbox.folio(&["pack", "lint", pack]).output().unwrap();
    assert!(lint.status.success(), "{}{}", stdout(&lint), stderr(&lint));
    let out = sandbox
        .folio(&[
            "new",
            "notes-api",
            "--template",
            pack,
            "--var",
            "cohort=2027-spring",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = sandbox.work().join("notes-api");
    assert!(read(&dir, "ASSIGNMENT.md").contains("(2027-spring)"));
    assert!(read(&dir, "ASSIGNMENT.md").contains("TODO"));
    assert!(read(&dir, "src/notes_api/notes.py").contains("class Note(Base)"));
    assert!(read(&dir, "src/notes_api/main.py").contains("notes"));
    assert!(
        dir.join("src/notes_api/migrations/versions/0002_create_notes.py")
            .is_file()
    );
    assert!(read(&dir, "openapi.yaml").contains("/api/v1/notes/{id}:"));
    assert!(read(&dir, "tests/test_notes.py").contains("another_users_note"));
}

/// A pack can be a complete stack of its own (a `[stack]` table instead of `extends`).
#[test]
fn a_pack_can_be_a_stack_of_its_own() {
    let sandbox = Sandbox::new();
    pack(
        &sandbox,
        "own",
        r#"id = "own-stack"
description = "A whole stack in a pack"
version = "0.3.0"

[stack]
id = "own-stack"
language = "text"
summary = "Plain text files"
databases = ["sqlite"]

[stack.commands]
setup = "true"
test = "test -f README.md"
run = "true"
lint = "true"

[[variables]]
name = "shout"
type = "bool"
prompt = "Shout?"
default = false
"#,
        &[
            (
                "files/README.md.hbs",
                "# {{name}}{{#if pack.shout}}!{{/if}}\n",
            ),
            ("files/notes/{{snake name}}.txt", "plain\n"),
        ],
    );
    let out = sandbox
        .folio(&[
            "new",
            "my-notes",
            "--template",
            "own",
            "--var",
            "shout=yes",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = sandbox.work().join("my-notes");
    assert_eq!(read(&dir, "README.md"), "# my-notes!\n");
    assert_eq!(read(&dir, "notes/my_notes.txt"), "plain\n");
    assert!(
        !dir.join("Makefile").exists(),
        "nothing of a built-in stack"
    );
    let provenance: toml::Table = read(&dir, ".folio.toml").parse().unwrap();
    assert_eq!(provenance["stack"].as_str(), Some("own-stack"));
    assert_eq!(provenance["vars"]["shout"].as_bool(), Some(true));
    let lint = sandbox.folio(&["pack", "lint", "own"]).output().unwrap();
    assert!(lint.status.success(), "{}{}", stdout(&lint), stderr(&lint));
    assert!(
        stderr(&lint).contains("6 combinations"),
        "{}",
        stderr(&lint)
    );
    let check = sandbox
        .folio(&["update", "--check"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}
