//! `folio grade` over a fixture cohort: `folio batch` repositories with scripted student
//! histories (explicit author and committer dates), graded under tests/fixtures/grade/rubric.toml.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::Sandbox;

const DAY: i64 = 86_400;

const ROSTER: &str = "\
name,email
Ada Lovelace,ada@example.org
Bob Idle,bob@example.org
Cy Backdate,cy@example.org
Dee Late,dee@example.org
Eve Ignore,eve@example.org
Fay Nogit,fay@example.org
";

/// A fixed origin, so the render and every commit have known dates in the past.
fn base() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    now - 40 * DAY
}

/// `git ARGS` in `dir` as `who`, authored at `authored` and committed at `committed`.
fn git_as(dir: &Path, who: (&str, &str), authored: i64, committed: i64, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", format!("@{authored} +0000"))
        .env("GIT_COMMITTER_DATE", format!("@{committed} +0000"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Writes `path` with `lines` lines and commits it as the student at `when` (committer date
/// `committed`).
fn commit(
    dir: &Path,
    who: (&str, &str),
    path: &str,
    lines: usize,
    message: &str,
    authored: i64,
    committed: i64,
) -> String {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let text: String = (0..lines).map(|i| format!("value_{i} = {i}\n")).collect();
    std::fs::write(&file, text).unwrap();
    git_as(dir, who, authored, committed, &["add", "-A"]);
    git_as(
        dir,
        who,
        authored,
        committed,
        &["commit", "-q", "-m", message],
    );
    git_as(dir, who, authored, committed, &["rev-parse", "HEAD"])
}

/// The cohort: the render dated `base()`, then each student's scripted history.
/// Returns the folder and, per student, the commit the deadline should grade.
fn cohort(sandbox: &Sandbox) -> (PathBuf, BTreeMap<&'static str, String>) {
    sandbox.write("roster.csv", ROSTER);
    sandbox
        .run([
            "batch",
            "roster.csv",
            "--out",
            "cohort",
            "--author",
            "Ins Tructor <teach@example.org>",
        ])
        .run();
    let dir = sandbox.work().join("cohort");
    let t = base();
    let instructor = ("Ins Tructor", "teach@example.org");
    let mut graded = BTreeMap::new();
    for slug in [
        "ada-lovelace",
        "bob-idle",
        "cy-backdate",
        "dee-late",
        "eve-ignore",
        "fay-nogit",
    ] {
        // Date the render in the past, keeping its message (and Folio-Render trailer).
        git_as(
            &dir.join(slug),
            instructor,
            t,
            t,
            &[
                "commit",
                "-q",
                "--amend",
                "--no-edit",
                "--date",
                &format!("@{t} +0000"),
            ],
        );
    }
    let ada = dir.join("ada-lovelace");
    let who = ("Ada Lovelace", "ada@example.org");
    commit(
        &ada,
        who,
        "src/notes/one.py",
        10,
        "Add task priorities to the model",
        t + DAY,
        t + DAY,
    );
    commit(
        &ada,
        who,
        "src/notes/two.py",
        10,
        "Validate priorities in the API",
        t + 2 * DAY,
        t + 2 * DAY,
    );
    let last = commit(
        &ada,
        who,
        "src/notes/three.py",
        10,
        "Test the priority filter",
        t + 3 * DAY,
        t + 3 * DAY,
    );
    graded.insert("Ada Lovelace", last);

    let cy = dir.join("cy-backdate");
    let who = ("Cy Backdate", "cy@example.org");
    let c = commit(
        &cy,
        who,
        "src/extra.py",
        5,
        "Add extra module",
        t - 5 * DAY,
        t + 2 * DAY,
    );
    graded.insert("Cy Backdate", c);

    let dee = dir.join("dee-late");
    let who = ("Dee Late", "dee@example.org");
    let on_time = commit(
        &dee,
        who,
        "src/a.py",
        8,
        "Add the first feature",
        t + 2 * DAY,
        t + 2 * DAY,
    );
    commit(
        &dee,
        who,
        "src/b.py",
        8,
        "Update b.py",
        t + 12 * DAY,
        t + 12 * DAY,
    );
    commit(
        &dee,
        who,
        "src/c.py",
        8,
        "Add the late feature",
        t + 13 * DAY,
        t + 13 * DAY,
    );
    graded.insert("Dee Late", on_time);

    let eve = dir.join("eve-ignore");
    let who = ("Eve Ignore", "eve@example.org");
    std::fs::remove_file(eve.join("LICENSE")).unwrap();
    let toml = std::fs::read_to_string(eve.join(".folio.toml")).unwrap();
    std::fs::write(
        eve.join(".folio.toml"),
        format!("{toml}\n[check]\nignore = [\"docs.license\"]\n"),
    )
    .unwrap();
    let e = commit(
        &eve,
        who,
        "src/eve.py",
        25,
        "Drop the license and ignore its rule",
        t + DAY,
        t + DAY,
    );
    graded.insert("Eve Ignore", e);

    std::fs::remove_dir_all(dir.join("fay-nogit/.git")).unwrap();
    (dir, graded)
}

fn rubric() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/grade/rubric.toml")
        .display()
        .to_string()
}

fn deadline() -> String {
    // base + 10 days, as RFC 3339 with an offset, to exercise the parser.
    let t = base() + 10 * DAY + 2 * 3600;
    let days = t.div_euclid(DAY);
    let (y, m, d) = civil(days);
    let rem = t.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+02:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// gradebook.csv parsed back, one map of column to cell per student, in file order.
fn gradebook(out: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(out.join("gradebook.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn a_cohort_becomes_a_gradebook_row_by_row() {
    let sandbox = Sandbox::new();
    let (_, graded) = cohort(&sandbox);
    let ran = sandbox
        .run([
            "grade",
            "--cohort",
            "cohort",
            "--rubric",
            &rubric(),
            "--deadline",
            &deadline(),
            "--out",
            "grades",
        ])
        .code(1) // Fay's folder is not a repository.
        .stdout_has("5 graded, 1 could not be graded")
        .run();
    assert!(ran.stdout.contains("Fay Nogit"), "{}", ran.stdout);
    let out = sandbox.work().join("grades");
    let rows = gradebook(&out);
    let names: Vec<&str> = rows.iter().map(|r| r["student"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Ada Lovelace",
            "Bob Idle",
            "Cy Backdate",
            "Dee Late",
            "Eve Ignore",
            "Fay Nogit"
        ],
        "roster order"
    );
    let row = |name: &str| rows.iter().find(|r| r["student"] == name).unwrap();

    for (name, commit) in &graded {
        assert_eq!(&row(name)["graded_commit"], commit, "{name}");
        assert_eq!(row(name)["status"], "graded");
        assert_eq!(row(name)["stack"], "python-fastapi");
    }

    let ada = row("Ada Lovelace");
    assert_eq!(ada["own_commits"], "3");
    assert_eq!(ada["student_commits"], "3");
    assert_eq!(ada["active_days"], "3");
    assert_eq!(ada["files_changed"], "3");
    assert_eq!(ada["lines_added"], "30");
    assert_eq!(ada["lines_removed"], "0");
    assert_eq!(ada["placeholder_messages"], "0");
    assert_eq!(ada["item:own-work"], "20");
    assert_eq!(ada["item:license"], "5");
    assert_eq!(ada["item:tests-passing"], "not_run");
    assert_eq!(ada["late_commits"], "0");
    assert_eq!(ada["anomalies"], "");
    assert_eq!(ada["required_failed"], "");
    assert_eq!(
        ada["authors"],
        "Ada Lovelace <ada@example.org> (3, student)"
    );
    assert_consistent(ada);

    let bob = row("Bob Idle");
    assert_eq!(bob["own_commits"], "0");
    assert_eq!(bob["item:own-work"], "0");
    assert_eq!(bob["lines_added"], "0");
    assert_eq!(bob["anomalies"], "no-own-commits");
    assert_consistent(bob);

    let cy = row("Cy Backdate");
    assert_eq!(cy["own_commits"], "1");
    assert_eq!(cy["anomalies"], "back-dated");

    let dee = row("Dee Late");
    assert_eq!(dee["late_commits"], "2");
    assert_eq!(dee["own_commits"], "1");
    assert_eq!(
        dee["lines_added"], "8",
        "only the commit before the deadline counts"
    );

    let eve = row("Eve Ignore");
    assert_eq!(eve["item:license"], "0", "the student's ignore is refused");
    assert_eq!(eve["required_failed"], "license");
    let percent: f64 = eve["percent"].parse().unwrap();
    assert!(percent <= 50.0, "capped at 50: {percent}");
    assert_consistent(eve);

    let fay = row("Fay Nogit");
    assert_eq!(fay["status"], "error");
    assert!(
        fay["error"].contains("not a git repository"),
        "{}",
        fay["error"]
    );
    assert_eq!(fay["percent"], "");

    // items.csv: one row per student and item, with evidence.
    let mut items = csv::Reader::from_path(out.join("items.csv")).unwrap();
    let items: Vec<csv::StringRecord> = items.records().map(Result::unwrap).collect();
    assert_eq!(items.len(), 5 * 5, "five graded students, five items each");
    let eve_license = items
        .iter()
        .find(|r| &r[0] == "Eve Ignore" && &r[2] == "license")
        .unwrap();
    assert_eq!(&eve_license[4], "fail");
    assert!(
        eve_license[9].contains("docs.license"),
        "the check's fix text: {eve_license:?}"
    );

    // grades.json: valid against its schema, and it says where every ignore came from.
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("grades.json")).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/grades.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = json.clone();
    broken["students"][0]["status"] = "maybe".into();
    assert!(!validator.is_valid(&broken), "the schema is not vacuous");
    let eve_json = &json["students"][4];
    let ignores = eve_json["ignores"].as_array().unwrap();
    assert!(
        ignores.iter().any(|i| i["rule"] == "docs.license"
            && i["source"] == "student"
            && i["refused"] == true),
        "{ignores:?}"
    );
    assert!(
        ignores.iter().any(|i| i["rule"] == "git.history"
            && i["source"] == "rubric"
            && i["refused"] == false),
        "{ignores:?}"
    );
    assert_eq!(
        json["students"][3]["late_commits"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Feedback, one file per student, ready to paste.
    let feedback = std::fs::read_to_string(out.join("feedback/eve-ignore.md")).unwrap();
    assert!(feedback.contains("## What to fix"), "{feedback}");
    assert!(
        feedback.contains("refused, the rubric sets the bar"),
        "{feedback}"
    );
    let dee_feedback = std::fs::read_to_string(out.join("feedback/dee-late.md")).unwrap();
    assert!(
        dee_feedback.contains("After the deadline"),
        "{dee_feedback}"
    );
    assert!(out.join("feedback/fay-nogit.md").is_file());
}

/// percent = points / max_points, and the letter matches the rubric's scale (no cap applies).
fn assert_consistent(row: &BTreeMap<String, String>) {
    let points: f64 = row["points"].parse().unwrap();
    let max: f64 = row["max_points"].parse().unwrap();
    let percent: f64 = row["percent"].parse().unwrap();
    let raw = (points * 100.0 / max * 100.0).round() / 100.0;
    if row["required_failed"].is_empty() {
        assert!((percent - raw).abs() < 0.011, "{row:?}");
    } else {
        assert!(percent <= raw.min(50.0) + 0.011, "{row:?}");
    }
    let letter = match percent {
        p if p >= 90.0 => "A",
        p if p >= 75.0 => "B",
        p if p >= 60.0 => "C",
        _ => "F",
    };
    assert_eq!(row["grade"], letter, "{row:?}");
}

#[test]
fn a_fail_rubric_fails_the_grade_and_the_same_run_is_reproducible() {
    let sandbox = Sandbox::new();
    cohort(&sandbox);
    let text = std::fs::read_to_string(rubric())
        .unwrap()
        .replace("required-failure = \"cap\"", "required-failure = \"fail\"");
    sandbox.write("fail.toml", &text);
    for out in ["a", "b"] {
        sandbox
            .run([
                "grade",
                "cohort/eve-ignore",
                "cohort/ada-lovelace",
                "--rubric",
                "fail.toml",
                "--out",
                out,
                "--jobs",
                "2",
            ])
            .run();
    }
    let rows = gradebook(&sandbox.work().join("a"));
    assert_eq!(
        rows[0]["student"], "Eve Ignore",
        "the student's name comes from .folio.toml"
    );
    assert_eq!(rows[0]["grade"], "F");
    assert_eq!(rows[0]["percent"], "0");
    assert_eq!(rows[1]["student"], "Ada Lovelace");
    let read =
        |d: &str| std::fs::read_to_string(sandbox.work().join(d).join("gradebook.csv")).unwrap();
    assert_eq!(
        read("a"),
        read("b"),
        "the same inputs give the same gradebook"
    );
}

#[test]
fn bad_rubrics_and_deadlines_are_usage_errors() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "r.toml",
        "[[item]]\nid = \"x\"\ncheck = \"tests.presnt\"\npoints = 1\n",
    );
    sandbox
        .run(["grade", ".", "--rubric", "r.toml"])
        .code(2)
        .stderr_has("tests.present")
        .run();
    sandbox
        .run(["grade", ".", "--deadline", "next friday"])
        .code(2)
        .stderr_has("RFC 3339")
        .run();
    sandbox.run(["grade"]).code(2).stderr_has("--cohort").run();
    sandbox
        .run(["grade", "--cohort", "."])
        .code(2)
        .stderr_has("batch-report.json")
        .run();
}

/// `--run-tests` with the rubric's own commands: a failing test earns its share, a hanging one
/// is killed with its whole process group and nothing of it is left running.
#[test]
fn run_tests_times_out_and_kills_the_whole_process_group() {
    let sandbox = Sandbox::new();
    sandbox.write("roster.csv", "name\nHang Man\n");
    sandbox
        .run(["batch", "roster.csv", "--out", "cohort"])
        .run();
    let pid_file = sandbox.work().join("grandchild.pid");
    let rubric = format!(
        "[[item]]\nid = \"tests-passing\"\nkind = \"tests-passing\"\npoints = 10\n\n[tests]\nsetup = \"true\"\ntest = \"sleep 300 & echo $! > {}; wait\"\nrun = \"exit 3\"\ntest-timeout = 2\nserver-start-timeout = 2\n",
        pid_file.display()
    );
    sandbox.write("hang.toml", &rubric);
    let started = std::time::Instant::now();
    sandbox
        .run([
            "grade",
            "--cohort",
            "cohort",
            "--rubric",
            "hang.toml",
            "--run-tests",
            "--out",
            "g",
        ])
        .stderr_has("executes every student's code")
        .run();
    assert!(started.elapsed().as_secs() < 60, "the timeout held");
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(sandbox.work().join("g/grades.json")).unwrap(),
    )
    .unwrap();
    let tests = &json["students"][0]["tests"];
    assert_eq!(tests["test"]["status"], "timed_out", "{tests:#}");
    assert_eq!(json["students"][0]["items"][0]["points"], 0.0);
    let pgid = tests["test"]["process_group"].as_i64().unwrap() as i32;
    let grandchild: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(gone(-pgid), "the process group {pgid} has processes left");
    assert!(
        gone(grandchild),
        "the background sleep {grandchild} survived"
    );

    // A failing test run earns the share of tests that passed, read from the runner's output.
    let failing = rubric.replace(
        &format!("sleep 300 & echo $! > {}; wait", pid_file.display()),
        "echo '===== 1 failed, 3 passed in 0.12s ====='; exit 1",
    );
    sandbox.write("fail.toml", &failing);
    sandbox
        .run([
            "grade",
            "--cohort",
            "cohort",
            "--rubric",
            "fail.toml",
            "--run-tests",
            "--out",
            "f",
        ])
        .run();
    let rows = gradebook(&sandbox.work().join("f"));
    assert_eq!(rows[0]["item:tests-passing"], "7.5");
}

/// Whether `pid` (a negative one names a group) has no live process left. A killed process
/// stays a zombie until its new parent reaps it, which under load can take a while; a zombie
/// runs nothing, so zombies do not count.
fn gone(pid: i32) -> bool {
    for _ in 0..100 {
        if live(pid).is_empty() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// The /proc stat lines of live (non-zombie) processes that `pid` names: a process, or with a
/// negative value the members of a process group.
pub fn live(pid: i32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let own_pid = head.split_whitespace().next().unwrap_or("");
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let matches = if pid < 0 {
            fields.get(2) == Some(&(-pid).to_string().as_str())
        } else {
            own_pid == pid.to_string()
        };
        if matches && fields.first() != Some(&"Z") {
            found.push(stat);
        }
    }
    found
}

/// The sample rubric (also the one in docs/grading.md) is valid against docs/rubric.schema.json,
/// and the schema refuses what folio refuses.
#[test]
fn the_sample_rubric_matches_its_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/rubric.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string(root.join("tests/fixtures/grade/rubric.toml")).unwrap();
    let rubric: Value = toml::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&rubric)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let docs = std::fs::read_to_string(root.join("docs/grading.md")).unwrap();
    assert!(
        docs.contains(text.trim()),
        "docs/grading.md shows the fixture rubric verbatim"
    );
    for bad in [
        "[[item]]\nid = \"a\"\npoints = 1\n",
        "[[item]]\nid = \"a\"\ncheck = \"tests\"\nkind = \"own-work\"\npoints = 1\n",
        "[[item]]\nid = \"a\"\ncheck = \"tests\"\npoints = 1\nweight = 2\n",
    ] {
        let value: Value = toml::from_str(bad).unwrap();
        assert!(!validator.is_valid(&value), "the schema accepts {bad}");
        let sandbox = Sandbox::new();
        sandbox.write("r.toml", bad);
        sandbox
            .run(["grade", ".", "--rubric", "r.toml"])
            .code(2)
            .stderr_has("rubric")
            .run();
    }
}
