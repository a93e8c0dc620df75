//! Issue 22, "nothing lost": `--force` plans before it touches anything, refuses conflicts and
//! symbolic links, backs up what it replaces, and is all-or-nothing under injected failures.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use folio::project::failpoint;
use folio::project::generate::{self, GitPolicy, Options};
use folio::tree::Tree;

use crate::support::Sandbox;

/// Every entry under `root` (files with their bytes, folders as `None`, links as their target).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let link = fs::read_link(&path).unwrap();
                out.insert(rel, Some(link.as_os_str().as_encoded_bytes().to_vec()));
            } else if meta.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else {
                out.insert(rel, Some(fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn staging_folders(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".folio-"))
        .collect()
}

#[test]
fn force_conflicts_are_refused_before_anything_changes() {
    let sandbox = Sandbox::new();
    fs::create_dir_all(sandbox.work().join("app/LICENSE")).unwrap();
    sandbox.write(
        "app/LICENSE/mine.txt",
        "folder where the template has a file",
    );
    sandbox.write("app/README.md", "mine");
    sandbox.write("app/docs", "a file where the template has a folder");
    let before = snapshot(&sandbox.work().join("app"));
    sandbox
        .run(["new", "app", "--yes", "--force"])
        .code(2)
        .stderr_has("LICENSE is a folder where the template has a file")
        .stderr_has("docs is a file where the template has a folder")
        .stderr_has("nothing was changed")
        .run();
    assert_eq!(snapshot(&sandbox.work().join("app")), before);
    assert!(staging_folders(&sandbox.work()).is_empty());
}

#[test]
fn force_never_writes_through_a_symlink() {
    let sandbox = Sandbox::new();
    fs::create_dir_all(sandbox.work().join("elsewhere")).unwrap();
    fs::create_dir_all(sandbox.work().join("app")).unwrap();
    std::os::unix::fs::symlink(
        sandbox.work().join("elsewhere"),
        sandbox.work().join("app/docs"),
    )
    .unwrap();
    sandbox
        .run(["new", "app", "--yes", "--force"])
        .code(2)
        .stderr_has("docs is a symbolic link")
        .run();
    assert!(snapshot(&sandbox.work().join("elsewhere")).is_empty());
    // The target itself as a link is refused too.
    std::os::unix::fs::symlink(
        sandbox.work().join("elsewhere"),
        sandbox.work().join("linked"),
    )
    .unwrap();
    sandbox
        .run(["new", "linked", "--yes", "--force"])
        .code(2)
        .stderr_has("symbolic link")
        .run();
    assert!(snapshot(&sandbox.work().join("elsewhere")).is_empty());
    assert_eq!(staging_folders(&sandbox.work()), Vec::<String>::new());
}

#[test]
fn force_backs_up_every_user_file_it_replaces() {
    let sandbox = Sandbox::new();
    sandbox.write("app/README.md", "my readme");
    sandbox.write("app/.gitignore", "my-ignores\n");
    sandbox.write("app/.env", "JWT_SECRET=keep-me\n");
    sandbox.write("app/notes.txt", "mine");
    let ran = sandbox
        .run(["new", "app", "--yes", "--force"])
        .stderr_has("Backed up")
        .stderr_has(".folio-backup-")
        .run();
    let app = sandbox.work().join("app");
    let backups: Vec<PathBuf> = fs::read_dir(&app)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".folio-backup-")
        })
        .collect();
    assert_eq!(backups.len(), 1, "{}", ran.stderr);
    let backup = &backups[0];
    assert!(
        ran.stderr
            .contains(&*backup.file_name().unwrap().to_string_lossy())
    );
    assert_eq!(
        fs::read_to_string(backup.join("files/README.md")).unwrap(),
        "my readme"
    );
    assert_eq!(
        fs::read_to_string(backup.join("files/.gitignore")).unwrap(),
        "my-ignores\n"
    );
    assert_ne!(
        fs::read_to_string(app.join("README.md")).unwrap(),
        "my readme"
    );
    assert_eq!(
        fs::read_to_string(app.join(".env")).unwrap(),
        "JWT_SECRET=keep-me\n"
    );
    assert_eq!(fs::read_to_string(app.join("notes.txt")).unwrap(), "mine");
    assert!(staging_folders(&sandbox.work()).is_empty());
    // Git never offers the backup (the user's replaced files may hold secrets) for a commit:
    // `git status` lists the user's own notes.txt as untracked, not the backup folder.
    let status = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(&app)
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("notes.txt"), "{status}");
    assert!(!status.contains(".folio-backup-"), "{status}");
}

#[test]
fn force_dry_run_prints_the_plan_and_writes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.write("app/README.md", "my readme");
    sandbox.write("app/notes.txt", "mine");
    let before = snapshot(&sandbox.work().join("app"));
    sandbox
        .run(["new", "app", "--yes", "--force", "--dry-run"])
        .stdout_has("replace README.md")
        .stdout_has("create  Makefile")
        .stderr_has("nothing was written")
        .run();
    assert_eq!(snapshot(&sandbox.work().join("app")), before);
    assert!(staging_folders(&sandbox.work()).is_empty());
}

/// A small project with nested folders and a `.env.example`, like a real render.
fn sample_tree() -> Tree {
    let mut tree = Tree::new();
    tree.insert("README.md", b"# from the template\n".to_vec(), false);
    tree.insert(".env.example", b"JWT_SECRET=\nPORT=8080\n".to_vec(), false);
    tree.insert("src/app/main.py", b"print('hi')\n".to_vec(), false);
    tree.insert("src/app/db.py", b"# db\n".to_vec(), false);
    tree.insert("scripts/run.sh", b"#!/bin/sh\n".to_vec(), true);
    tree.insert("notes/keep.txt", b"template's\n".to_vec(), false);
    tree
}

/// The user's folder before a `--force`: files the template replaces, and files it does not own.
fn user_folder(target: &Path) {
    fs::create_dir_all(target.join("src")).unwrap();
    fs::create_dir_all(target.join("notes")).unwrap();
    fs::write(target.join("README.md"), "mine\n").unwrap();
    fs::write(target.join(".env"), "JWT_SECRET=users\n").unwrap();
    fs::write(target.join("src/mine.py"), "x = 1\n").unwrap();
    fs::write(target.join("notes/keep.txt"), "the user's notes\n").unwrap();
}

#[test]
fn force_is_all_or_nothing_under_injected_failures() {
    let tree = sample_tree();
    let options = Options {
        force: true,
        git: GitPolicy::Always,
        identity: folio::git::Identity::parse("Fault Test <fault@example.com>"),
        remote: None,
    };
    let count_dir = tempfile::tempdir().unwrap();
    let target = count_dir.path().join("app");
    user_folder(&target);
    failpoint::fail_nth(None);
    generate::write(&tree, "python-fastapi", &target, &options).expect("a clean run works");
    let operations = failpoint::operations();
    assert!(operations > 10, "only {operations} operations were counted");

    for n in 1..=operations + 1 {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("app");
        user_folder(&target);
        let before = snapshot(&target);
        failpoint::fail_nth(Some(n));
        let result = generate::write(&tree, "python-fastapi", &target, &options);
        failpoint::fail_nth(None);
        assert!(
            staging_folders(dir.path()).is_empty(),
            "operation {n}: staging left"
        );
        match result {
            Err(e) => {
                assert!(n <= operations, "operation {n} failed: {e}");
                assert_eq!(
                    snapshot(&target),
                    before,
                    "operation {n} ({e}) changed the target"
                );
            }
            Ok(generated) => {
                assert_eq!(n, operations + 1, "operation {n} did not fail");
                let after = snapshot(&target);
                for (path, file) in tree.iter() {
                    assert_eq!(after[Path::new(path)].as_deref(), Some(&file.contents[..]));
                }
                assert!(target.join(".git").is_dir());
                let backup = generated
                    .merged
                    .backup
                    .expect("README.md and notes were replaced");
                for (path, contents) in before.iter().filter_map(|(p, c)| Some((p, c.as_ref()?))) {
                    let kept = fs::read(target.join(path)).ok();
                    let saved = fs::read(backup.join(path)).ok();
                    assert!(
                        kept.as_ref() == Some(contents) || saved.as_ref() == Some(contents),
                        "{} was lost",
                        path.display()
                    );
                }
            }
        }
    }
}
