//! The rendered file list of every stack and database, so a template change shows up in review.

use crate::support::{Sandbox, git_status, stack_ids, stderr, stdout};

#[test]
fn rendered_file_lists() {
    let sandbox = Sandbox::new();
    for stack in stack_ids() {
        for db in ["sqlite", "postgres"] {
            let out = sandbox
                .folio(&[
                    "new",
                    "todo-api",
                    "--stack",
                    &stack,
                    "--db",
                    db,
                    "--yes",
                    "--dry-run",
                ])
                .output()
                .unwrap();
            assert!(out.status.success(), "{stack} {db}: {}", stderr(&out));
            insta::assert_snapshot!(format!("files-{stack}-{db}"), stdout(&out));
        }
    }
}

#[test]
fn gitlab_ci_swaps_the_workflow_for_a_pipeline() {
    let sandbox = Sandbox::new();
    for stack in stack_ids() {
        let out = sandbox
            .folio(&[
                "new",
                "todo-api",
                "--stack",
                &stack,
                "--ci",
                "gitlab",
                "--yes",
                "--dry-run",
            ])
            .output()
            .unwrap();
        let files = stdout(&out);
        assert!(
            files.lines().any(|l| l == ".gitlab-ci.yml"),
            "{stack}: {files}"
        );
        assert!(
            !files.lines().any(|l| l.starts_with(".github/")),
            "{stack}: {files}"
        );
    }
}

#[test]
fn every_stack_generates_a_clean_repository_whose_env_is_ignored() {
    let sandbox = Sandbox::new();
    for stack in stack_ids() {
        for db in ["sqlite", "postgres"] {
            let name = format!("{stack}-{db}");
            let out = sandbox
                .folio(&["new", &name, "--stack", &stack, "--db", db, "--yes"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{name}: {}", stderr(&out));
            let dir = sandbox.work().join(&name);
            let repo = git2::Repository::open(&dir).unwrap();
            assert!(
                git_status(&repo).is_empty(),
                "{name}: {:?}",
                git_status(&repo)
            );
            assert!(
                repo.is_path_ignored(".env").unwrap(),
                "{name}: .env is not ignored"
            );
            let tracked = repo.index().unwrap();
            assert!(tracked.get_path(std::path::Path::new(".env"), 0).is_none());
            let rendered = crate::support::list_files(&dir);
            for file in rendered.iter().filter(|f| !f.ends_with(".png")) {
                let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
                assert!(
                    !text.contains("{{> "),
                    "{name}: {file} has an unrendered partial"
                );
            }
        }
    }
}
