//! The gradebook's files in `--out`: `gradebook.csv` (a row per student), `items.csv` (a row per
//! student and item, with evidence), `grades.json` (docs/grades.schema.json) and
//! `feedback/<student>.md`, plus the one-screen summary printed on stdout.
//!
//! Rows are in roster order; numbers are written with at most two decimals, so reruns of the
//! same inputs give the same bytes (except `generated_at`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::grade::StudentGrade;
use crate::grade::rubric::Rubric;

/// `grades.json`.
#[derive(Debug, Serialize)]
pub struct Gradebook<'a> {
    pub schema_version: u32,
    pub folio_version: &'static str,
    pub generated_at: String,
    /// The rubric file, or `null` for the built-in default.
    pub rubric: Option<String>,
    pub deadline: Option<String>,
    /// `--run-tests`: the students' code was executed.
    pub ran_tests: bool,
    pub students: &'a [StudentGrade],
}

/// Writes every output file; returns the feedback file of each student, in order.
pub fn write_all(out: &Path, book: &Gradebook<'_>, rubric: &Rubric) -> Result<Vec<PathBuf>> {
    let feedback_dir = out.join("feedback");
    std::fs::create_dir_all(&feedback_dir).map_err(|e| Error::io("create", &feedback_dir, e))?;
    write(
        &out.join("gradebook.csv"),
        &gradebook_csv(book.students, rubric)?,
    )?;
    write(&out.join("items.csv"), &items_csv(book.students)?)?;
    let json = serde_json::to_string_pretty(book).expect("the gradebook serializes");
    write(&out.join("grades.json"), &format!("{json}\n"))?;
    let names = feedback_names(book.students);
    let mut paths = Vec::new();
    for (student, name) in book.students.iter().zip(names) {
        let path = feedback_dir.join(name);
        write(&path, &feedback(student, book))?;
        paths.push(path);
    }
    Ok(paths)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io("write", path, e))
}

fn num(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn csv_error(e: csv::Error) -> Error {
    Error::io("write", "a CSV file", std::io::Error::other(e.to_string()))
}

fn to_string(writer: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = writer
        .into_inner()
        .map_err(|e| csv_error(e.into_error().into()))?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

/// The columns of `gradebook.csv`: fixed ones, then one per rubric item, then own work.
pub fn gradebook_header(rubric: &Rubric) -> Vec<String> {
    let mut header: Vec<String> = [
        "student",
        "repo",
        "status",
        "error",
        "stack",
        "graded_commit",
        "points",
        "max_points",
        "percent",
        "grade",
        "required_failed",
    ]
    .map(String::from)
    .to_vec();
    header.extend(rubric.items.iter().map(|i| format!("item:{}", i.id)));
    header.extend(
        [
            "check_score",
            "own_commits",
            "student_commits",
            "placeholder_messages",
            "authors",
            "first_commit",
            "last_commit",
            "active_days",
            "files_changed",
            "lines_added",
            "lines_removed",
            "late_commits",
            "anomalies",
        ]
        .map(String::from),
    );
    header
}

fn gradebook_csv(students: &[StudentGrade], rubric: &Rubric) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(gradebook_header(rubric))
        .map_err(csv_error)?;
    for s in students {
        let total = s.total.as_ref();
        let own = s.own_work.as_ref();
        let mut row = vec![
            s.student.clone(),
            s.repo.clone(),
            s.status.to_string(),
            s.error.clone().unwrap_or_default(),
            s.stack.clone().unwrap_or_default(),
            s.graded_commit.clone().unwrap_or_default(),
            total.map(|t| num(t.points)).unwrap_or_default(),
            total.map(|t| num(t.max_points)).unwrap_or_default(),
            total.map(|t| num(t.percent)).unwrap_or_default(),
            total.map(|t| t.grade.clone()).unwrap_or_default(),
            total
                .map(|t| t.required_failed.join(" "))
                .unwrap_or_default(),
        ];
        for item in &rubric.items {
            row.push(
                s.items
                    .iter()
                    .find(|g| g.id == item.id)
                    .map(|g| {
                        if g.counts() {
                            num(g.points)
                        } else {
                            g.status.to_string()
                        }
                    })
                    .unwrap_or_default(),
            );
        }
        let own_cell =
            |f: &dyn Fn(&crate::grade::history::OwnWork) -> String| own.map(f).unwrap_or_default();
        row.extend([
            s.check_score.map(|c| c.to_string()).unwrap_or_default(),
            own_cell(&|o| o.commits.to_string()),
            own_cell(&|o| o.student_commits.to_string()),
            own_cell(&|o| o.placeholder_messages.to_string()),
            own_cell(&|o| {
                o.authors
                    .iter()
                    .map(|a| format!("{} <{}> ({}, {})", a.name, a.email, a.commits, a.role))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
            own_cell(&|o| o.first.clone().unwrap_or_default()),
            own_cell(&|o| o.last.clone().unwrap_or_default()),
            own_cell(&|o| o.active_days.to_string()),
            own_cell(&|o| o.files_changed.to_string()),
            own_cell(&|o| o.lines_added.to_string()),
            own_cell(&|o| o.lines_removed.to_string()),
            if s.status == "graded" {
                s.late_commits.len().to_string()
            } else {
                String::new()
            },
            s.anomalies
                .iter()
                .map(|a| a.kind)
                .collect::<Vec<_>>()
                .join(" "),
        ]);
        w.write_record(row).map_err(csv_error)?;
    }
    to_string(w)
}

fn items_csv(students: &[StudentGrade]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "student",
        "repo",
        "item",
        "title",
        "status",
        "points",
        "max_points",
        "required",
        "evidence",
        "fix",
    ])
    .map_err(csv_error)?;
    for s in students {
        for i in &s.items {
            w.write_record([
                s.student.as_str(),
                s.repo.as_str(),
                i.id.as_str(),
                i.title.as_str(),
                i.status,
                &num(i.points),
                &num(i.max_points),
                if i.required { "true" } else { "false" },
                &i.evidence.join(" | "),
                &i.fix.join(" | "),
            ])
            .map_err(csv_error)?;
        }
    }
    to_string(w)
}

/// One file name per student: the slug of the name, made unique with `-2`, `-3`...
fn feedback_names(students: &[StudentGrade]) -> Vec<String> {
    let mut used = std::collections::BTreeSet::new();
    students
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut base = crate::template::helpers::slug(&s.student);
            if base.is_empty() {
                base = format!("student-{}", i + 1);
            }
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}-{n}");
                n += 1;
            }
            format!("{name}.md")
        })
        .collect()
}

/// The feedback for one student, in Markdown ready for an issue or a pull request.
pub fn feedback(s: &StudentGrade, book: &Gradebook<'_>) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Feedback for {}\n", s.student);
    if let Some(error) = &s.error {
        let _ = writeln!(md, "This repository could not be graded: {error}.\n");
        let _ = writeln!(md, "Ask your instructor, or fix it and ask for a regrade.");
        return md;
    }
    let total = s.total.as_ref();
    if let Some(t) = total {
        let grade = if t.grade.is_empty() {
            String::new()
        } else {
            format!(", grade **{}**", t.grade)
        };
        let _ = writeln!(
            md,
            "**{}%** ({} of {} points){grade}.",
            num(t.percent),
            num(t.points),
            num(t.max_points)
        );
        if !t.required_failed.is_empty() {
            let what = match t.consequence {
                Some(crate::grade::rubric::RequiredFailure::Fail) => {
                    "so the grade is a fail".to_string()
                }
                _ => format!(
                    "so the percentage is capped (it was {}%)",
                    num(t.raw_percent)
                ),
            };
            let _ = writeln!(
                md,
                "\nRequired item(s) not met: {}, {what}.",
                t.required_failed.join(", ")
            );
        }
    }
    if let Some(commit) = &s.graded_commit {
        let _ = writeln!(
            md,
            "\nGraded commit: `{commit}`{}.",
            book.deadline
                .as_ref()
                .map(|d| format!(" (the last before the deadline {d})"))
                .unwrap_or_default()
        );
    }
    let passed: Vec<_> = s.items.iter().filter(|i| i.status == "pass").collect();
    if !passed.is_empty() {
        let _ = writeln!(md, "\n## What passed\n");
        for i in passed {
            let _ = writeln!(md, "- {} ({} points)", i.title, num(i.points));
        }
    }
    let to_fix: Vec<_> = s
        .items
        .iter()
        .filter(|i| matches!(i.status, "fail" | "partial"))
        .collect();
    if !to_fix.is_empty() {
        let _ = writeln!(md, "\n## What to fix\n");
        for i in to_fix {
            let _ = writeln!(
                md,
                "- **{}**: {} of {} points{}",
                i.title,
                num(i.points),
                num(i.max_points),
                if i.required { " (required)" } else { "" }
            );
            for fix in &i.fix {
                let _ = writeln!(md, "  - fix: {fix}");
            }
            if i.fix.is_empty() {
                for e in i.evidence.iter().take(5) {
                    let _ = writeln!(md, "  - {e}");
                }
            }
        }
    }
    let skipped: Vec<_> = s.items.iter().filter(|i| !i.counts()).collect();
    if !skipped.is_empty() {
        let _ = writeln!(md, "\n## Not counted\n");
        for i in skipped {
            let _ = writeln!(
                md,
                "- {}: {} ({})",
                i.title,
                i.status.replace('_', " "),
                i.evidence.first().map_or("", String::as_str)
            );
        }
    }
    if let Some(own) = &s.own_work {
        let _ = writeln!(md, "\n## Your own work since the starter\n");
        let _ = writeln!(
            md,
            "- {} commits ({} by you, {} with a placeholder message), {} active days",
            own.commits, own.student_commits, own.placeholder_messages, own.active_days
        );
        let _ = writeln!(
            md,
            "- {} files and {} lines changed (+{} -{}) outside the starter's content",
            own.files_changed,
            own.lines_changed(),
            own.lines_added,
            own.lines_removed
        );
        if let (Some(first), Some(last)) = (&own.first, &own.last) {
            let _ = writeln!(md, "- first commit {first}, last {last}");
        }
    }
    if !s.late_commits.is_empty() {
        let _ = writeln!(md, "\n## After the deadline (not graded)\n");
        for c in &s.late_commits {
            let _ = writeln!(md, "- `{}` {} ({})", &c.id[..10], c.subject, c.committed);
        }
    }
    if !s.anomalies.is_empty() {
        let _ = writeln!(md, "\n## For your instructor to look at\n");
        for a in &s.anomalies {
            let _ = writeln!(
                md,
                "- {}{}: {}",
                a.kind,
                a.commit
                    .as_ref()
                    .map(|c| format!(" (`{c}`)"))
                    .unwrap_or_default(),
                a.detail
            );
        }
    }
    if !s.ignores.is_empty() {
        let _ = writeln!(md, "\n## Ignored checks\n");
        for i in &s.ignores {
            let why = i
                .reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            if i.refused {
                let _ = writeln!(
                    md,
                    "- `{}` in your .folio.toml{why}: refused, the rubric sets the bar",
                    i.rule
                );
            } else {
                let _ = writeln!(md, "- `{}` ignored by the rubric{why}", i.rule);
            }
        }
    }
    if let Some(tests) = &s.tests {
        let _ = writeln!(md, "\n## Tests (your code was run in a fresh clone)\n");
        let _ = writeln!(
            md,
            "- setup `{}`: {:?}",
            tests.setup.command, tests.setup.status
        );
        let _ = writeln!(
            md,
            "- test `{}`: {:?}{}",
            tests.test.command,
            tests.test.status,
            match (tests.passed, tests.failed) {
                (Some(p), Some(f)) => format!(" ({p} passed, {f} failed)"),
                _ => String::new(),
            }
        );
    }
    md
}

/// The one-screen summary: a line per student, then the counts.
pub fn summary(students: &[StudentGrade]) -> String {
    let width = students
        .iter()
        .map(|s| s.student.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 28);
    let mut text = format!(
        "{:<width$}  {:>7}  {:<5}  {:>4}  {:>4}  notes\n",
        "student", "percent", "grade", "own", "late"
    );
    for s in students {
        let name: String = s.student.chars().take(width).collect();
        match (&s.total, &s.error) {
            (Some(t), _) => {
                let mut notes: Vec<String> =
                    s.anomalies.iter().map(|a| a.kind.to_string()).collect();
                if !t.required_failed.is_empty() {
                    notes.insert(
                        0,
                        format!("required failed: {}", t.required_failed.join(",")),
                    );
                }
                let _ = writeln!(
                    text,
                    "{name:<width$}  {:>7}  {:<5}  {:>4}  {:>4}  {}",
                    num(t.percent),
                    t.grade,
                    s.own_work.as_ref().map_or(0, |o| o.commits),
                    s.late_commits.len(),
                    notes.join(", ")
                );
            }
            (None, error) => {
                let _ = writeln!(
                    text,
                    "{name:<width$}  {:>7}  {:<5}  {:>4}  {:>4}  error: {}",
                    "-",
                    "-",
                    "-",
                    "-",
                    error.as_deref().unwrap_or("?")
                );
            }
        }
    }
    let graded: Vec<f64> = students
        .iter()
        .filter_map(|s| s.total.as_ref().map(|t| t.percent))
        .collect();
    let mean = if graded.is_empty() {
        0.0
    } else {
        graded.iter().sum::<f64>() / graded.len() as f64
    };
    let _ = write!(
        text,
        "{} graded, {} could not be graded; mean {}%",
        graded.len(),
        students.len() - graded.len(),
        num(mean)
    );
    text
}
