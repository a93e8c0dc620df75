//! `folio grade --run-tests` on three generated python-fastapi projects: one good, one with a
//! deliberately failing test, one with a test that hangs. Their `make setup` installs from PyPI
//! into a venv, which takes minutes, so the test is ignored by default; run it by hand with
//! `cargo test --test main grade_python -- --ignored`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::Sandbox;

fn commit_as(dir: &Path, who: &str, path: &str, text: &str, message: &str) {
    std::fs::write(dir.join(path), text).unwrap();
    for args in [vec!["add", "-A"], vec!["commit", "-q", "-m", message]] {
        let status = Command::new("git")
            .args(&args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", who)
            .env("GIT_AUTHOR_EMAIL", "student@example.org")
            .env("GIT_COMMITTER_NAME", who)
            .env("GIT_COMMITTER_EMAIL", "student@example.org")
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[test]
#[ignore = "runs `make setup` (pip installs from PyPI) in three projects: minutes"]
fn run_tests_on_three_python_projects() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "roster.csv",
        "name\nGood Student\nFailing Student\nHanging Student\n",
    );
    sandbox
        .run([
            "batch",
            "roster.csv",
            "--stack",
            "python-fastapi",
            "--out",
            "cohort",
        ])
        .run();
    let cohort = sandbox.work().join("cohort");
    commit_as(
        &cohort.join("failing-student"),
        "Failing Student",
        "tests/test_failing.py",
        "def test_deliberately_fails():\n    assert 1 + 1 == 3\n",
        "Add a test that fails on purpose",
    );
    commit_as(
        &cohort.join("hanging-student"),
        "Hanging Student",
        "tests/test_hang.py",
        "import time\n\n\ndef test_hangs():\n    time.sleep(3600)\n",
        "Add a test that hangs",
    );
    // The rubric's own test command (what an instructor does for a long suite): the webhook
    // tests (about 130, minutes on a loaded machine) are left out, the students' own tests run.
    sandbox.write(
        "rubric.toml",
        "[tests]\ntest = \".venv/bin/pytest -q -p no:cacheprovider --ignore=tests/webhooks\"\ntest-timeout = 240\n\n[[item]]\nid = \"tests-passing\"\nkind = \"tests-passing\"\npoints = 20\n\n[[item]]\nid = \"api-contract\"\nkind = \"api-contract\"\npoints = 10\n",
    );
    sandbox
        .run([
            "grade",
            "--cohort",
            "cohort",
            "--rubric",
            "rubric.toml",
            "--run-tests",
            "--out",
            "g",
            "--jobs",
            "3",
        ])
        .run();
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(sandbox.work().join("g/grades.json")).unwrap(),
    )
    .unwrap();
    let students = json["students"].as_array().unwrap();
    let tests = |i: usize| &students[i]["tests"];
    let item = |i: usize, id: &str| {
        students[i]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|it| it["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(json["ran_tests"], true);

    assert_eq!(tests(0)["setup"]["status"], "passed", "{:#}", tests(0));
    assert_eq!(tests(0)["test"]["status"], "passed");
    assert_eq!(tests(0)["failed"], 0);
    assert!(tests(0)["passed"].as_u64().unwrap() > 10);
    assert_eq!(item(0, "tests-passing")["points"], 20.0);
    let probes = tests(0)["contract"]["probes"].as_array().unwrap();
    let failed: Vec<&Value> = probes.iter().filter(|p| p["passed"] != true).collect();
    assert!(
        failed.is_empty(),
        "the good project fails probes: {failed:#?}"
    );
    assert_eq!(item(0, "api-contract")["points"], 10.0);

    assert_eq!(tests(1)["test"]["status"], "failed");
    assert_eq!(tests(1)["failed"], 1);
    let share = item(1, "tests-passing")["points"].as_f64().unwrap();
    assert!(share > 0.0 && share < 20.0, "partial credit: {share}");

    assert_eq!(tests(2)["test"]["status"], "timed_out");
    assert_eq!(item(2, "tests-passing")["points"], 0.0);
    for i in 0..3 {
        for step in ["setup", "test"] {
            let pgid = tests(i)[step]["process_group"].as_i64().unwrap() as i32;
            let gone = (0..100).any(|_| {
                std::thread::sleep(std::time::Duration::from_millis(50));
                crate::grade::live(-pgid).is_empty()
            });
            assert!(
                gone,
                "student {i} {step}: process group {pgid} left running"
            );
        }
    }
}
