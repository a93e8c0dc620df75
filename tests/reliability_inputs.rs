//! Issue 22, "nothing hangs": unbounded input is capped and said so, patterns cannot nest deep
//! enough to overflow the stack, and errors echo a bounded amount of the input.

use std::time::{Duration, Instant};

use crate::support::Sandbox;

#[test]
fn unbounded_answers_and_rosters_are_capped() {
    let sandbox = Sandbox::new();
    let started = Instant::now();
    sandbox
        .run(["new", "app", "--yes", "--answers", "/dev/zero"])
        .code(2)
        .stderr_has("larger than 1024 KiB")
        .run();
    sandbox
        .run(["batch", "/dev/zero", "--out", "out"])
        .code(2)
        .stderr_has("larger than 16384 KiB")
        .run();
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn unbounded_pattern_nesting_is_refused_not_a_stack_overflow() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\nAda Lovelace\n");
    let deep = format!("{}x{}", "{{#if name}}".repeat(5000), "{{/if}}".repeat(5000));
    for option in ["--name-pattern", "--remote-pattern"] {
        let ran = sandbox
            .run(["batch", "roster.csv", "--out", "out", option, &deep])
            .code(2)
            .stderr_has(option)
            .run();
        assert!(
            ran.stderr.len() < 2_000,
            "{} bytes of error",
            ran.stderr.len()
        );
    }
    let nested = format!("{}x{}", "{{#if name}}".repeat(40), "{{/if}}".repeat(40));
    sandbox
        .run([
            "batch",
            "roster.csv",
            "--out",
            "out",
            "--name-pattern",
            &nested,
        ])
        .code(2)
        .stderr_has("nests")
        .run();
}

#[test]
fn unbounded_echo_of_a_bad_line_is_truncated() {
    let sandbox = Sandbox::new();
    let long = format!("author = \"{}\n", "x".repeat(500_000));
    sandbox.write("answers.toml", &long);
    let ran = sandbox
        .run(["new", "app", "--yes", "--answers", "answers.toml"])
        .code(2)
        .run();
    assert!(
        ran.stderr.len() < 2_000,
        "{} bytes of error",
        ran.stderr.len()
    );
    sandbox.write(
        "roster.toml",
        &format!("[[students]]\nname = \"{}\n", "y".repeat(500_000)),
    );
    let ran = sandbox
        .run(["batch", "roster.toml", "--out", "out"])
        .code(2)
        .run();
    assert!(
        ran.stderr.len() < 2_000,
        "{} bytes of error",
        ran.stderr.len()
    );
}

#[test]
fn unbounded_jobs_do_not_start_a_thread_per_job() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\nAda Lovelace\nGrace Hopper\n");
    let started = Instant::now();
    sandbox
        .run(["batch", "roster.csv", "--out", "out", "--jobs", "100000"])
        .run();
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn out_of_range_years_are_refused() {
    let sandbox = Sandbox::new();
    for year in ["0", "1969", "10000"] {
        sandbox.write("answers.toml", &format!("year = {year}\n"));
        sandbox
            .run(["new", "app", "--yes", "--answers", "answers.toml"])
            .code(2)
            .stderr_has("between 1970 and 9999")
            .run();
    }
    sandbox.write("answers.toml", "year = 2024\n");
    sandbox
        .run([
            "new",
            "app",
            "--yes",
            "--answers",
            "answers.toml",
            "--vcs",
            "none",
        ])
        .run();
}

#[test]
fn roster_rows_starting_with_a_hash_are_reported_not_dropped() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "roster.csv",
        "name,email\nAda Lovelace,ada@example.org\n#Grace Hopper,grace@example.org\n# a note\n",
    );
    sandbox
        .run(["batch", "roster.csv", "--out", "out"])
        .code(2)
        .stderr_has("line 3")
        .stderr_has("starts with `#`")
        .run();
    let text = std::fs::read_to_string(sandbox.work().join("out/batch-report.json")).unwrap();
    assert!(text.contains("#Grace Hopper"), "{text}");
    assert!(!text.contains("a note"), "{text}");
}

#[test]
fn project_names_equal_to_a_pinned_dependency_are_refused() {
    let sandbox = Sandbox::new();
    for (stack, name) in [
        ("python", "pyjwt"),
        ("python", "pyyaml"),
        ("typescript", "avvio"),
    ] {
        sandbox
            .run(["new", name, "--yes", "--stack", stack, "--dry-run"])
            .code(2)
            .stderr_has("pins a dependency")
            .run();
    }
    sandbox
        .run(["new", "pyjwt-demo", "--yes", "--dry-run"])
        .run();
}
