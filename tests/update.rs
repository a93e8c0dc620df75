//! `folio update`: a real git merge of the current render into a generated repository.
//!
//! An "older folio" is simulated by rewriting the first commit: the project is generated, some
//! files are changed to stand for last version's templates, and that is committed as the render
//! of version 0.0.1 (with its trailer). `folio update` must then bring the current templates in
//! exactly as a template fix would arrive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use git2::Repository;

use crate::support::{Sandbox, git_status, stderr, stdout};

/// `git ARGS` in `dir` with the sandbox's isolation; panics unless it succeeds.
fn git(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Student")
        .env("GIT_AUTHOR_EMAIL", "student@example.org")
        .env("GIT_COMMITTER_NAME", "Student")
        .env("GIT_COMMITTER_EMAIL", "student@example.org")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// A python project whose first commit stands for an older folio's render: `old` maps paths to
/// the older template's contents. Returns the project folder.
fn project_from_older_folio(sandbox: &Sandbox, extra: &[&str], old: &[(&str, &str)]) -> PathBuf {
    let mut args = vec!["new", "demo", "--stack", "python", "--yes", "--vcs", "none"];
    args.extend_from_slice(extra);
    let out = sandbox.folio(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = sandbox.work().join("demo");
    for (path, text) in old {
        std::fs::write(dir.join(path), text).unwrap();
    }
    git(sandbox, &dir, &["init", "-q", "-b", "main"]);
    git(sandbox, &dir, &["add", "-A"]);
    git(
        sandbox,
        &dir,
        &[
            "commit",
            "-q",
            "-m",
            "Initial commit from folio\n\nFolio-Render: python-fastapi 0.0.1",
        ],
    );
    dir
}

fn commit_edit(sandbox: &Sandbox, dir: &Path, path: &str, edit: impl FnOnce(String) -> String) {
    let file = dir.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(text)).unwrap();
    git(
        sandbox,
        dir,
        &["commit", "-q", "-am", &format!("Edit {path}")],
    );
}

fn update(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["update"];
    all.extend_from_slice(args);
    sandbox.folio(&all).current_dir(dir).output().unwrap()
}

/// Every file under `root` (including `.git`) with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, &mut out);
    out
}

const OLD_MAKEFILE_LINE: &str = "# an older template's Makefile\n";

#[test]
fn a_template_fix_arrives_and_the_learners_edits_stay() {
    let sandbox = Sandbox::new();
    let current = {
        let probe = Sandbox::new();
        probe
            .folio(&["new", "demo", "--stack", "python", "--yes"])
            .output()
            .unwrap();
        std::fs::read_to_string(probe.work().join("demo/Makefile")).unwrap()
    };
    let older = format!("{OLD_MAKEFILE_LINE}{current}");
    let dir = project_from_older_folio(&sandbox, &[], &[("Makefile", &older)]);
    commit_edit(&sandbox, &dir, "README.md", |t| {
        format!("{t}\nWhat I built on top.\n")
    });

    let out = update(&sandbox, &dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Updated"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("Makefile")).unwrap(),
        current
    );
    assert!(
        std::fs::read_to_string(dir.join("README.md"))
            .unwrap()
            .contains("What I built on top.")
    );
    let repo = Repository::open(&dir).unwrap();
    assert!(git_status(&repo).is_empty(), "{:?}", git_status(&repo));
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 2);
    assert!(
        head.message().unwrap().contains("from 0.0.1"),
        "{}",
        head.message().unwrap()
    );

    // Updates chain: the render just merged is the next base, so nothing is left to do.
    let again = update(&sandbox, &dir, &["--check"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let again = update(&sandbox, &dir, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("Up to date"), "{}", stderr(&again));
    assert_eq!(
        repo.head().unwrap().peel_to_commit().unwrap().id(),
        head.id()
    );
}

#[test]
fn set_adds_postgres_and_github_ci_to_an_existing_project() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&[
            "new", "demo", "--stack", "python", "--db", "sqlite", "--ci", "none", "--yes",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = sandbox.work().join("demo");
    commit_edit(&sandbox, &dir, "README.md", |t| format!("{t}\nMy notes.\n"));
    assert!(!dir.join(".github/workflows/ci.yml").exists());

    let out = update(
        &sandbox,
        &dir,
        &["--set", "db=postgres", "--set", "ci=github"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let provenance = std::fs::read_to_string(dir.join(".folio.toml")).unwrap();
    assert!(provenance.contains("db = \"postgres\""), "{provenance}");
    assert!(provenance.contains("ci = \"github\""), "{provenance}");
    assert!(dir.join(".github/workflows/ci.yml").is_file());
    let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
    assert!(compose.contains("postgres"), "{compose}");
    assert!(
        std::fs::read_to_string(dir.join("README.md"))
            .unwrap()
            .contains("My notes.")
    );
    // The new answers are recorded, so the next check is clean without --set.
    let check = update(&sandbox, &dir, &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn overlapping_edits_stop_as_a_real_conflict_that_git_merge_abort_undoes() {
    let sandbox = Sandbox::new();
    let dir = project_from_older_folio(
        &sandbox,
        &[],
        &[("Makefile", &format!("{OLD_MAKEFILE_LINE}all: help\n"))],
    );
    commit_edit(&sandbox, &dir, "Makefile", |t| {
        t.replace("all: help", "all: my-own-target")
    });
    let before = snapshot(&dir);
    let head = git(&sandbox, &dir, &["rev-parse", "HEAD"]);

    let out = update(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Makefile") && err.contains("git merge --abort"),
        "{err}"
    );
    let text = std::fs::read_to_string(dir.join("Makefile")).unwrap();
    assert!(
        text.contains("<<<<<<<") && text.contains(">>>>>>>"),
        "{text}"
    );
    let status = git(&sandbox, &dir, &["status", "--porcelain"]);
    assert!(
        status.lines().any(|l| l.starts_with("UU Makefile")),
        "{status}"
    );
    assert!(dir.join(".git/MERGE_HEAD").is_file());

    git(&sandbox, &dir, &["merge", "--abort"]);
    assert_eq!(git(&sandbox, &dir, &["rev-parse", "HEAD"]), head);
    let after = snapshot(&dir);
    let work_tree = |s: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, Vec<u8>> {
        s.iter()
            .filter(|(p, _)| !p.strip_prefix(&dir).unwrap().starts_with(".git"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    assert_eq!(work_tree(&before), work_tree(&after));
}

#[test]
fn dry_run_and_check_leave_the_repository_byte_identical() {
    let sandbox = Sandbox::new();
    let dir = project_from_older_folio(&sandbox, &[], &[("Makefile", OLD_MAKEFILE_LINE)]);
    let before = snapshot(&dir);

    let out = update(&sandbox, &dir, &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan = stdout(&out);
    assert!(
        plan.lines()
            .any(|l| l.starts_with("updated") && l.ends_with("Makefile")),
        "{plan}"
    );
    assert!(plan.lines().any(|l| l.starts_with("unchanged")), "{plan}");
    let json = update(&sandbox, &dir, &["--dry-run", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["status"], "planned");
    assert!(
        value["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "Makefile" && f["change"] == "updated")
    );

    let check = update(&sandbox, &dir, &["--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(stderr(&check).contains("0.0.1"), "{}", stderr(&check));
    assert_eq!(
        snapshot(&dir),
        before,
        "--dry-run or --check changed the repository"
    );
}

#[test]
fn check_does_not_fail_a_repository_rendered_by_a_newer_folio() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&["new", "demo", "--stack", "python", "--yes", "--vcs", "none"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dir = sandbox.work().join("demo");
    std::fs::write(dir.join("Makefile"), "# a future template\n").unwrap();
    git(&sandbox, &dir, &["init", "-q", "-b", "main"]);
    git(&sandbox, &dir, &["add", "-A"]);
    git(
        &sandbox,
        &dir,
        &[
            "commit",
            "-q",
            "-m",
            "init\n\nFolio-Render: python-fastapi 99.0.0",
        ],
    );
    let check = update(&sandbox, &dir, &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stderr(&check).contains("newer"), "{}", stderr(&check));
}

#[test]
fn refusals_say_what_to_do() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .folio(&["new", "demo", "--stack", "python", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dir = sandbox.work().join("demo");

    // A dirty work tree.
    std::fs::write(dir.join("Makefile"), "changed\n").unwrap();
    let out = update(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("uncommitted changes (Makefile)")
            && stderr(&out).contains("git stash"),
        "{}",
        stderr(&out)
    );
    git(&sandbox, &dir, &["checkout", "--", "Makefile"]);

    // A bad --set.
    let out = update(&sandbox, &dir, &["--set", "db=mysql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sqlite or postgres"),
        "{}",
        stderr(&out)
    );
    let out = update(&sandbox, &dir, &["--set", "name=other"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("folio new"), "{}", stderr(&out));

    // A detached HEAD.
    git(&sandbox, &dir, &["checkout", "-q", "--detach"]);
    let out = update(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("git switch"), "{}", stderr(&out));
    git(&sandbox, &dir, &["checkout", "-q", "main"]);

    // No .folio.toml tracked.
    git(&sandbox, &dir, &["rm", "-q", ".folio.toml"]);
    git(&sandbox, &dir, &["commit", "-q", "-m", "Remove provenance"]);
    let out = update(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".folio.toml"), "{}", stderr(&out));

    // Not a repository at all.
    let plain = sandbox.work().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let out = update(&sandbox, &plain, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("git repository"), "{}", stderr(&out));
}

#[test]
fn a_squashed_history_is_refused_with_the_base_hint_and_base_rev_works() {
    let sandbox = Sandbox::new();
    let dir = project_from_older_folio(&sandbox, &[], &[("Makefile", OLD_MAKEFILE_LINE)]);
    // Squash: one commit without the trailer.
    git(
        &sandbox,
        &dir,
        &["commit", "-q", "--amend", "-m", "Everything"],
    );
    let out = update(&sandbox, &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--base"), "{}", stderr(&out));
    let out = update(&sandbox, &dir, &["--base", "HEAD"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !std::fs::read_to_string(dir.join("Makefile"))
            .unwrap()
            .starts_with(OLD_MAKEFILE_LINE)
    );
}

#[test]
fn a_cohort_is_updated_repository_by_repository() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\nAda Lovelace\nAlan Turing\n");
    let out = sandbox
        .folio(&[
            "batch",
            "roster.csv",
            "--stack",
            "python",
            "--out",
            "cohort",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let cohort = sandbox.work().join("cohort");
    // One student's tree is dirty: refused, the other is still handled.
    let ada = cohort.join("ada-lovelace");
    assert!(
        ada.is_dir(),
        "{:?}",
        std::fs::read_dir(&cohort).unwrap().collect::<Vec<_>>()
    );
    std::fs::write(ada.join("Makefile"), "dirty\n").unwrap();
    let out = sandbox
        .folio(&["update", "cohort", "--check"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let out = sandbox
        .folio(&["update", "cohort", "--set", "ci=gitlab"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("ada-lovelace: refused"), "{err}");
    assert!(err.contains("alan-turing: updated"), "{err}");
    assert!(cohort.join("alan-turing/.gitlab-ci.yml").is_file());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cohort.join("update-report.json")).unwrap())
            .unwrap();
    assert_eq!(report["repositories"].as_array().unwrap().len(), 2);
}

/// Over two versions of a fixture stack on disk (`tests/fixtures/templates/update-v1`, `-v2`),
/// through the library: every kind of file change a template release makes.
mod versions {
    use std::path::{Path, PathBuf};

    use folio::answers::{AnswersFile, ProjectName};
    use folio::git::merge::Change;
    use folio::project::generate::{self, GitPolicy, Options};
    use folio::settings::{self, Given, Prompts};
    use folio::template::registry::Registry;
    use folio::update::{self, Mode, Outcome, Rendered, Request};

    use super::{git, snapshot};
    use crate::support::Sandbox;

    fn registry(version: &str) -> Registry {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/templates")
            .join(format!("update-{version}"));
        Registry::from_dir(&root).unwrap()
    }

    fn render_with<'r>(
        registry: &'r Registry,
        version: &'r str,
    ) -> impl Fn(&AnswersFile) -> folio::error::Result<Rendered> + Sync + 'r {
        move |file: &AnswersFile| {
            let name = ProjectName::parse(file.name.as_deref().unwrap()).unwrap();
            let resolved = settings::resolve(registry, name, Given::from(file), Prompts::Never)?;
            Ok(Rendered {
                template: resolved.stack.manifest.id.clone(),
                version: version.to_string(),
                tree: generate::render(registry, resolved.stack, &resolved.answers)?,
                once: resolved.stack.manifest.once_paths(),
            })
        }
    }

    /// A project of version N, as `folio new` makes it.
    fn generated(sandbox: &Sandbox) -> PathBuf {
        let registry = registry("v1");
        let name = ProjectName::parse("notes-app").unwrap();
        let given = Given {
            stack: Some("notes".into()),
            ..Given::default()
        };
        let resolved = settings::resolve(&registry, name, given, Prompts::Never).unwrap();
        let dir = sandbox.work().join("notes-app");
        let options = Options {
            force: false,
            git: GitPolicy::Always,
            identity: None,
            remote: None,
        };
        generate::generate(&registry, resolved.stack, &resolved.answers, &dir, &options).unwrap();
        dir
    }

    fn run(dir: &Path, mode: Mode) -> Outcome {
        let v2 = registry("v2");
        let render = render_with(&v2, "n+1");
        let request = Request {
            dir: dir.to_path_buf(),
            sets: &[],
            base: None,
            mode,
        };
        update::update(&request, &render).unwrap()
    }

    fn read(dir: &Path, path: &str) -> Option<String> {
        std::fs::read_to_string(dir.join(path)).ok()
    }

    fn edit(dir: &Path, path: &str, f: impl FnOnce(String) -> String) {
        let text = read(dir, path).unwrap();
        std::fs::write(dir.join(path), f(text)).unwrap();
    }

    #[test]
    fn every_kind_of_template_change_reaches_a_worked_on_project() {
        let sandbox = Sandbox::new();
        let dir = generated(&sandbox);
        edit(&dir, "src/app.txt", |t| {
            t.replace("line 3\n", "line 3, the learner's\n")
        });
        edit(&dir, "kept.txt", |t| {
            format!("{t}and more of the learner's\n")
        });
        edit(&dir, "README.md", |t| {
            format!("{t}\n## What I built\n\nA notes API.\n")
        });
        edit(&dir, "NOTES.md", |t| format!("{t}My own notes.\n"));
        std::fs::remove_file(dir.join("gone.txt")).unwrap();
        git(&sandbox, &dir, &["add", "-A"]);
        git(&sandbox, &dir, &["commit", "-q", "-m", "My work"]);

        let before = snapshot(&dir);
        let Outcome::Planned { files, .. } = run(&dir, Mode::DryRun) else {
            panic!("not a plan");
        };
        assert_eq!(snapshot(&dir), before, "--dry-run wrote something");
        let change = |path: &str| files.iter().find(|f| f.path == path).map(|f| f.change);
        assert_eq!(change("Makefile"), Some(Change::Updated));
        assert_eq!(change("README.md"), Some(Change::Updated));
        assert_eq!(change("new.txt"), Some(Change::Added));
        assert_eq!(change("old.txt"), Some(Change::Removed));
        assert_eq!(change("kept.txt"), Some(Change::KeptChanged));
        assert_eq!(change("gone.txt"), Some(Change::KeptDeleted));
        assert_eq!(change("run.sh"), Some(Change::Updated));
        assert_eq!(change("NOTES.md"), Some(Change::Unchanged));
        assert_eq!(change("db.txt"), Some(Change::Unchanged));
        let renamed = files.iter().find(|f| f.path == "src/main.txt").unwrap();
        assert_eq!(renamed.from.as_deref(), Some("src/app.txt"));

        let outcome = run(&dir, Mode::Apply);
        assert!(matches!(outcome, Outcome::Updated { .. }), "{outcome:?}");
        assert_eq!(read(&dir, "Makefile").unwrap(), "all:\n\techo v2\n");
        let readme = read(&dir, "README.md").unwrap();
        assert!(
            readme.contains("improved by version N+1") && readme.contains("## What I built"),
            "{readme}"
        );
        assert_eq!(read(&dir, "new.txt").unwrap(), "new in version N+1\n");
        assert_eq!(read(&dir, "old.txt"), None);
        assert!(
            read(&dir, "kept.txt")
                .unwrap()
                .contains("and more of the learner's")
        );
        assert_eq!(read(&dir, "gone.txt"), None);
        assert_eq!(read(&dir, "src/app.txt"), None);
        let main = read(&dir, "src/main.txt").unwrap();
        assert!(
            main.contains("line 3, the learner's") && main.contains("line 31 added"),
            "{main}"
        );
        assert!(read(&dir, "NOTES.md").unwrap().contains("My own notes."));
        assert!(!read(&dir, "NOTES.md").unwrap().contains("Version N+1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("run.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_ne!(mode & 0o111, 0, "run.sh did not become executable");
        }
        let status = git(&sandbox, &dir, &["status", "--porcelain"]);
        assert_eq!(status, "", "the update left the work tree dirty");

        // The second update starts from the first one's render: nothing to do.
        assert!(matches!(run(&dir, Mode::Apply), Outcome::UpToDate { .. }));
        assert!(matches!(run(&dir, Mode::Check), Outcome::UpToDate { .. }));
    }

    #[test]
    fn an_overlapping_edit_is_a_conflict_git_understands() {
        let sandbox = Sandbox::new();
        let dir = generated(&sandbox);
        edit(&dir, "conflict.txt", |t| {
            t.replace("line B", "line B, the learner's")
        });
        git(&sandbox, &dir, &["commit", "-q", "-am", "My line B"]);
        let head = git(&sandbox, &dir, &["rev-parse", "HEAD"]);
        let before = read(&dir, "conflict.txt").unwrap();

        let outcome = run(&dir, Mode::Apply);
        let Outcome::Conflicts { conflicts, .. } = outcome else {
            panic!("no conflict: {outcome:?}");
        };
        assert_eq!(conflicts, ["conflict.txt"]);
        let status = git(&sandbox, &dir, &["status", "--porcelain"]);
        assert!(status.contains("UU conflict.txt"), "{status}");
        let unmerged = git(&sandbox, &dir, &["ls-files", "--unmerged"]);
        assert_eq!(unmerged.lines().count(), 3, "{unmerged}");
        // Files without a conflict already carry the update, as in any git merge.
        assert_eq!(read(&dir, "Makefile").unwrap(), "all:\n\techo v2\n");

        git(&sandbox, &dir, &["merge", "--abort"]);
        assert_eq!(git(&sandbox, &dir, &["rev-parse", "HEAD"]), head);
        assert_eq!(read(&dir, "conflict.txt").unwrap(), before);
        assert_eq!(read(&dir, "Makefile").unwrap(), "all:\n\techo v1\n");
        assert_eq!(git(&sandbox, &dir, &["status", "--porcelain"]), "");
    }
}
