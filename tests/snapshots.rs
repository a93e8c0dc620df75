//! The rendered file list of every stack and database, so a template change shows up in review.

use crate::support::{Sandbox, stack_ids, stderr, stdout};

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
