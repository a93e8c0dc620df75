//! Template folders on disk (`tests/fixtures/templates/`): one renders through the same pipeline
//! as the embedded stacks, and every hostile one is refused with an error that names the problem.

use std::path::{Path, PathBuf};

use folio::answers::{Answers, Ci, Db, License, ProjectName};
use folio::project::generate::{self, GitOutcome, GitPolicy, Options};
use folio::settings::{self, Given, Prompts};
use folio::template::registry::Registry;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/templates")
        .join(name)
}

fn answers(db: Db, ci: Ci) -> Answers {
    Answers {
        name: ProjectName::parse("todo-api").unwrap(),
        db,
        ci,
        jobs: folio::answers::Jobs::None,
        author: "Ada".into(),
        description: "Says \"hi\" {{name}}".into(),
        license: License::Mit,
        year: 2026,
        student: "Grace".into(),
    }
}

fn text(tree: &folio::tree::Tree, path: &str) -> String {
    let file = tree.get(path).unwrap_or_else(|| panic!("{path} missing"));
    String::from_utf8(file.contents.clone()).unwrap()
}

#[test]
fn a_folder_on_disk_renders_like_an_embedded_stack() {
    let registry = Registry::from_dir(&fixture("tiny")).unwrap();
    let stack = registry.find("tiny").unwrap();
    let tree = generate::render(&registry, stack, &answers(Db::Sqlite, Ci::Github)).unwrap();
    let paths: Vec<&str> = tree.paths().collect();
    assert_eq!(
        paths,
        [
            ".folio.toml",
            "NOTICE",
            "README.md",
            "bin/run",
            "src/todo_api.txt"
        ]
    );
    assert_eq!(
        text(&tree, "README.md"),
        "# todo-api\n\nHello from todo-api, for Grace.\nRuns on SQLite.\n\
         Description: \"Says \\\"hi\\\" {{name}}\"\nNot a tag: {{name}}\n"
    );
    assert_eq!(text(&tree, "src/todo_api.txt"), "package todoapi // hi\n");
    // Not a .hbs file: copied byte for byte, braces and all, with the executable bit.
    assert_eq!(
        text(&tree, "bin/run"),
        "#!/bin/sh\necho {{not rendered, not .hbs}}\n"
    );
    assert!(tree.get("bin/run").unwrap().executable);
    assert!(text(&tree, ".folio.toml").contains("stack = \"tiny\""));

    // The manifest's conditions: postgres.txt only with postgres, NOTICE not with GitLab CI.
    let tree = generate::render(&registry, stack, &answers(Db::Postgres, Ci::Gitlab)).unwrap();
    assert!(tree.get("postgres.txt").is_some() && tree.get("NOTICE").is_none());
    assert!(text(&tree, "README.md").contains("Runs on PostgreSQL."));
}

#[test]
fn the_one_pipeline_writes_and_commits_a_folder_from_disk() {
    let registry = Registry::from_dir(&fixture("tiny")).unwrap();
    let name = ProjectName::parse("from-disk").unwrap();
    let given = Given {
        stack: Some("tiny".into()),
        db: Some(Db::Postgres),
        ..Given::default()
    };
    let resolved = settings::resolve(&registry, name, given, Prompts::Never).unwrap();
    assert_eq!(resolved.answers.db, Db::Postgres);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("from-disk");
    let options = Options {
        force: false,
        git: GitPolicy::Always,
        identity: folio::git::Identity::parse("Ins Tructor <teach@example.org>"),
        remote: None,
    };
    let generated = generate::generate(
        &registry,
        resolved.stack,
        &resolved.answers,
        &target,
        &options,
    )
    .unwrap();
    assert!(matches!(generated.git, GitOutcome::Committed(_)));
    assert_eq!(
        std::fs::read_to_string(target.join("postgres.txt")).unwrap(),
        "only with postgres\n"
    );
    let repo = git2::Repository::open(&target).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert!(commit.message().unwrap().contains("Folio-Render: tiny"));
    assert!(crate::support::git_status(&repo).is_empty());
}

#[test]
fn each_hostile_folder_is_refused_with_its_reason() {
    // (fixture, words the error must hold): the offending path or key, and why.
    let cases = [
        (
            "hostile-dotdot",
            &["../../outside", "leaves the template folder"][..],
        ),
        (
            "hostile-absolute",
            &["/etc/passwd", "leaves the template folder"],
        ),
        ("hostile-symlink", &["symlink/leak.txt", "symbolic link"]),
        ("hostile-unknown-key", &["colour", "unknown field"]),
        (
            "hostile-missing-manifest",
            &["missing", "has no template.toml"],
        ),
    ];
    for (name, needles) in cases {
        let err = Registry::from_dir(&fixture(name))
            .expect_err(name)
            .to_string();
        for needle in needles {
            assert!(err.contains(needle), "{name}: `{needle}` not in: {err}");
        }
        assert!(
            err.contains(name),
            "{name}: the error names the folder: {err}"
        );
    }
}

#[test]
fn a_path_that_renders_outside_the_project_is_refused() {
    let registry = Registry::from_dir(&fixture("hostile-rendered-escape")).unwrap();
    let stack = registry.find("escape").unwrap();
    let err = generate::render(&registry, stack, &answers(Db::Sqlite, Ci::Github))
        .expect_err("the path {{vars.up}}/x.txt renders to ../x.txt")
        .to_string();
    assert!(
        err.contains("../x.txt") && err.contains("leaves the project folder"),
        "{err}"
    );
}

#[test]
fn a_missing_folder_is_an_error_not_an_empty_registry() {
    let err = Registry::from_dir(&fixture("no-such-folder")).expect_err("missing");
    assert!(err.to_string().contains("not a folder"), "{err}");
    assert!(err.hint().is_some());
}
