//! `folio new`: what lands on disk, git, atomicity, --force, --dry-run, answers files.

use git2::Repository;

use crate::support::{Run, Sandbox, git_status, list_files};

/// A declared `folio new ARGS...`.
fn generate<'s>(sandbox: &'s Sandbox, args: &[&str]) -> Run<'s> {
    sandbox.run(std::iter::once("new").chain(args.iter().copied()))
}

#[test]
fn new_project_is_a_clean_repo_with_one_commit_on_main() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["demo", "--stack", "python", "--yes"]).run();
    let repo = Repository::open(sandbox.work().join("demo")).unwrap();
    let head = repo.head().unwrap();
    assert_eq!(head.shorthand().ok(), Some("main"));
    let commit = head.peel_to_commit().unwrap();
    assert_eq!(commit.parent_count(), 0, "exactly one commit");
    let message = commit.message().unwrap();
    assert!(
        message.contains(&format!(
            "Folio-Render: python-fastapi {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{message}"
    );
    // No user.name on this machine: the fallback identity is used.
    assert_eq!(commit.author().name().ok(), Some("folio"));
    let dirty = git_status(&repo);
    assert!(dirty.is_empty(), "git status is not clean: {dirty:?}");
}

/// The commit is built from the rendered files in memory: the index must still hold exactly
/// what `git add` would (the files' stat data and modes), and the commit every file but `.env`.
#[test]
fn the_first_commit_and_the_index_match_the_files_on_disk() {
    use std::os::unix::fs::MetadataExt;
    let sandbox = Sandbox::new();
    generate(&sandbox, &["demo", "--stack", "java", "--yes"]).run();
    let root = sandbox.work().join("demo");
    let repo = Repository::open(&root).unwrap();
    let index = repo.index().unwrap();
    let mut indexed = Vec::new();
    for entry in index.iter() {
        let path = String::from_utf8(entry.path.clone()).unwrap();
        let meta = std::fs::metadata(root.join(&path)).unwrap();
        assert_eq!(entry.file_size as u64, meta.len(), "{path}");
        assert_eq!(entry.mtime.seconds() as i64, meta.mtime(), "{path}");
        assert_eq!(entry.ino, meta.ino() as u32, "{path}");
        let executable = meta.mode() & 0o111 != 0;
        assert_eq!(
            entry.mode,
            if executable { 0o100755 } else { 0o100644 },
            "{path}"
        );
        let blob = repo.find_blob(entry.id).unwrap();
        assert_eq!(
            blob.content(),
            std::fs::read(root.join(&path)).unwrap(),
            "{path}"
        );
        indexed.push(path);
    }
    let mut on_disk = list_files(&root);
    on_disk.retain(|p| !p.starts_with(".git/") && p != ".env");
    assert_eq!(indexed, on_disk);
    assert!(indexed.contains(&"mvnw".to_string()));
    let head_tree = repo.head().unwrap().peel_to_tree().unwrap();
    let from_head = repo
        .diff_tree_to_index(Some(&head_tree), Some(&index), None)
        .unwrap();
    assert_eq!(
        from_head.deltas().len(),
        0,
        "the commit differs from the index"
    );
}

/// With --force into a folder of the user's, only folio's files go into folio's commit.
#[test]
fn force_commits_only_the_templates_files() {
    let sandbox = Sandbox::new();
    sandbox.write("demo/notes.txt", "mine");
    generate(&sandbox, &["demo", "--yes", "--force"]).run();
    let repo = Repository::open(sandbox.work().join("demo")).unwrap();
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    assert!(tree.get_name("README.md").is_some());
    assert!(tree.get_name("notes.txt").is_none());
    assert_eq!(
        git_status(&repo),
        ["notes.txt"],
        "only the user's file is untracked"
    );
}

#[test]
fn git_identity_comes_from_git_config() {
    let sandbox = Sandbox::new();
    sandbox.set_git_identity("Ada Lovelace", "ada@example.org");
    generate(&sandbox, &["demo", "--yes"]).run();
    let repo = Repository::open(sandbox.work().join("demo")).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(commit.author().email().ok(), Some("ada@example.org"));
}

#[test]
fn env_file_has_a_fresh_secret_and_is_ignored() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["one", "--yes"]).run();
    generate(&sandbox, &["two", "--yes"]).run();
    let secret = |name: &str| {
        let env = std::fs::read_to_string(sandbox.work().join(name).join(".env")).unwrap();
        env.lines()
            .find_map(|l| l.strip_prefix("JWT_SECRET="))
            .unwrap()
            .to_string()
    };
    assert_eq!(secret("one").len(), 64);
    assert_ne!(secret("one"), secret("two"));
    let repo = Repository::open(sandbox.work().join("one")).unwrap();
    assert!(repo.is_path_ignored(".env").unwrap());
    let example = std::fs::read_to_string(sandbox.work().join("one/.env.example")).unwrap();
    assert!(!example.contains(&secret("one")));
}

#[test]
fn output_is_deterministic_for_the_same_answers() {
    let sandbox = Sandbox::new();
    let args = [
        "--stack", "python", "--db", "postgres", "--yes", "--vcs", "none",
    ];
    for dir in ["a", "b"] {
        let mut all = vec!["demo", "--output", dir];
        all.extend_from_slice(&args);
        generate(&sandbox, &all).run();
    }
    let a = sandbox.work().join("a/demo");
    let b = sandbox.work().join("b/demo");
    let files = list_files(&a);
    assert_eq!(files, list_files(&b));
    for file in files.iter().filter(|f| *f != ".env") {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file} differs"
        );
    }
}

#[test]
fn provenance_records_stack_and_answers() {
    let sandbox = Sandbox::new();
    generate(
        &sandbox,
        &[
            "demo",
            "--stack",
            "python",
            "--db",
            "postgres",
            "--author",
            "Grace \"Amazing\" Hopper",
            "--yes",
        ],
    )
    .run();
    let text = std::fs::read_to_string(sandbox.work().join("demo/.folio.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(table["stack"].as_str(), Some("python-fastapi"));
    assert_eq!(table["db"].as_str(), Some("postgres"));
    assert_eq!(table["author"].as_str(), Some("Grace \"Amazing\" Hopper"));
    assert_eq!(
        table["folio_version"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn non_empty_target_is_refused_without_force() {
    let sandbox = Sandbox::new();
    sandbox.write("demo/notes.txt", "mine");
    generate(&sandbox, &["demo", "--yes"])
        .code(2)
        .stderr_has("--force")
        .run();
    assert_eq!(list_files(&sandbox.work().join("demo")), ["notes.txt"]);
    // Nothing else appeared beside it either (no staging folder left behind).
    assert_eq!(list_files(&sandbox.work()), ["demo/notes.txt"]);
}

#[test]
fn force_keeps_files_the_template_does_not_own() {
    let sandbox = Sandbox::new();
    sandbox.write("demo/notes.txt", "mine");
    sandbox.write("demo/.env", "JWT_SECRET=keep-me\n");
    generate(&sandbox, &["demo", "--yes", "--force"]).run();
    let demo = sandbox.work().join("demo");
    assert_eq!(
        std::fs::read_to_string(demo.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(demo.join(".env")).unwrap(),
        "JWT_SECRET=keep-me\n"
    );
    assert!(demo.join("README.md").exists());
}

#[test]
fn an_empty_target_folder_is_fine() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.work().join("demo")).unwrap();
    generate(&sandbox, &["demo", "--yes"]).run();
    assert!(sandbox.work().join("demo/.git").is_dir());
}

#[test]
fn dry_run_lists_files_and_writes_nothing() {
    let sandbox = Sandbox::new();
    let out = generate(&sandbox, &["demo", "--yes", "--dry-run"]).run();
    let listed = out.stdout;
    assert!(listed.lines().any(|l| l == "README.md"), "{listed}");
    assert!(listed.lines().any(|l| l == ".folio.toml"));
    assert!(list_files(&sandbox.work()).is_empty());
}

#[test]
fn inside_an_existing_work_tree_git_is_skipped() {
    let sandbox = Sandbox::new();
    Repository::init(sandbox.work()).unwrap();
    generate(&sandbox, &["demo", "--yes"])
        .stderr_has("Skipped git init")
        .run();
    assert!(!sandbox.work().join("demo/.git").exists());
}

#[test]
fn vcs_none_makes_no_repository() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["demo", "--yes", "--vcs", "none"]).run();
    assert!(!sandbox.work().join("demo/.git").exists());
    assert!(sandbox.work().join("demo/README.md").exists());
}

#[test]
fn output_folder_is_created() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["demo", "--yes", "--output", "deep/er"])
        .creates("deep/er/demo/.folio.toml")
        .run();
}

#[test]
fn answers_file_supplies_answers_and_flags_win() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "answers.toml",
        "stack = \"python\"\ndb = \"postgres\"\nlicense = \"apache-2.0\"\ndescription = \"From a file\"\n",
    );
    generate(
        &sandbox,
        &[
            "demo",
            "--answers",
            "answers.toml",
            "--db",
            "sqlite",
            "--yes",
        ],
    )
    .run();
    let text = std::fs::read_to_string(sandbox.work().join("demo/.folio.toml")).unwrap();
    assert!(text.contains("db = \"sqlite\""), "{text}");
    assert!(text.contains("license = \"apache-2.0\""), "{text}");
    assert!(text.contains("description = \"From a file\""), "{text}");
}

#[test]
fn a_generated_folio_toml_is_a_valid_answers_file() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["first", "--db", "postgres", "--yes"]).run();
    generate(
        &sandbox,
        &["second", "--answers", "first/.folio.toml", "--yes"],
    )
    .run();
    let text = std::fs::read_to_string(sandbox.work().join("second/.folio.toml")).unwrap();
    assert!(text.contains("db = \"postgres\""), "{text}");
    assert!(text.contains("name = \"second\""), "{text}");
}

#[test]
fn bad_answers_files_are_explained() {
    let sandbox = Sandbox::new();
    let cases = [
        ("syntax.toml", "stack = \"python\nx", "not valid"),
        ("unknown.toml", "colour = \"blue\"\n", "colour"),
        ("value.toml", "db = \"mysql\"\n", "mysql"),
        ("type.toml", "year = \"soon\"\n", "year"),
    ];
    for (file, text, needle) in cases {
        sandbox.write(file, text);
        generate(&sandbox, &["demo", "--answers", file, "--yes"])
            .code(2)
            .stderr_has(needle)
            .stderr_has("hint:")
            .run();
    }
    generate(&sandbox, &["demo", "--answers", "missing.toml", "--yes"])
        .code(2)
        .stderr_has("cannot read the answers file")
        .run();
    assert!(!sandbox.work().join("demo").exists());
}

#[test]
fn free_text_answers_cannot_break_generated_files() {
    let sandbox = Sandbox::new();
    let tricky = "Quotes \" and \\ and {{name}} and ${HOME} and 'single' and: colons # hash";
    generate(
        &sandbox,
        &[
            "demo",
            "--description",
            tricky,
            "--author",
            tricky,
            "--yes",
            "--vcs",
            "none",
        ],
    )
    .run();
    let text = std::fs::read_to_string(sandbox.work().join("demo/.folio.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(table["description"].as_str(), Some(tricky));
    let openapi = std::fs::read_to_string(sandbox.work().join("demo/openapi.yaml")).unwrap();
    assert!(
        openapi.contains("{{name}}"),
        "the value is inserted literally, not re-rendered"
    );
    generate(&sandbox, &["other", "--description", "two\nlines", "--yes"])
        .code(2)
        .stderr_has("single line")
        .run();
}

/// Input that is not a terminal is never read as answers: no prompt, the defaults, no hang.
#[test]
fn without_a_terminal_new_asks_nothing() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["demo", "--vcs", "none"])
        .stdin("go\npostgres\n")
        .stderr_has("(python-fastapi, sqlite)")
        .creates("demo/README.md")
        .run();
}

#[test]
fn unsupported_combinations_exit_2() {
    let sandbox = Sandbox::new();
    generate(&sandbox, &["demo", "--stack", "", "--yes"])
        .code(2)
        .run();
}
