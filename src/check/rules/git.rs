//! Git hygiene rules: .gitignore covers secrets and build output, none of it is committed, and
//! the history shows work done in steps with messages that say what changed.

use crate::check::gitignore;
use crate::check::lang::Language;
use crate::check::project::Project;
use crate::check::rule::{Evidence, Outcome};

const MAX_EVIDENCE: usize = 20;

/// What `.gitignore` must cover: alternatives of (name, is_dir), any one of which will do.
fn must_ignore(project: &Project) -> Vec<&'static [(&'static str, bool)]> {
    let mut wanted: Vec<&'static [(&'static str, bool)]> = vec![&[(".env", false)]];
    for lang in project.languages.judged() {
        match lang {
            Language::Python => {
                wanted.push(&[("__pycache__", true)]);
                wanted.push(&[(".venv", true), ("venv", true)]);
            }
            Language::TypeScript => wanted.push(&[("node_modules", true)]),
            Language::Go => {}
            Language::Java => {
                let gradle = project.languages.manifests[&lang]
                    .iter()
                    .any(|m| m.contains("gradle"));
                if gradle {
                    wanted.push(&[("build", true)]);
                    wanted.push(&[(".gradle", true)]);
                } else {
                    wanted.push(&[("target", true)]);
                }
            }
            Language::Rust => wanted.push(&[("target", true)]),
        }
    }
    wanted
}

pub fn gitignore(project: &Project) -> Outcome {
    if !project.has(".gitignore") {
        return Outcome::fail(
            "no .gitignore at the top of the repository",
            vec![Evidence::note(
                "a .gitignore keeps .env and build output out of commits",
            )],
        );
    }
    let text = project.read(".gitignore").unwrap_or_default();
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for alternatives in must_ignore(project) {
        let hit = alternatives
            .iter()
            .find_map(|(name, dir)| gitignore::ignores(&text, name, *dir).map(|line| (name, line)));
        match hit {
            Some((name, line)) => {
                evidence.push(Evidence::at(".gitignore", line, format!("ignores {name}")))
            }
            None => {
                let (name, dir) = alternatives[0];
                missing.push(format!("{name}{}", if dir { "/" } else { "" }));
            }
        }
    }
    if missing.is_empty() {
        Outcome::pass(".gitignore covers .env and the build artifacts", evidence)
    } else {
        Outcome::fail(
            format!(".gitignore does not ignore {}", missing.join(", ")),
            vec![Evidence::at(
                ".gitignore",
                1,
                format!("add: {}", missing.join(" ")),
            )],
        )
    }
}

/// A tracked path that is a dependency folder or build output, with what it is.
fn artifact(project: &Project, path: &str) -> Option<&'static str> {
    let mut dirs = path.split('/');
    let name = dirs.next_back().unwrap_or(path);
    let dirs: Vec<&str> = dirs.collect();
    if dirs.contains(&"node_modules") {
        return Some("installed npm packages (node_modules/)");
    }
    if dirs.contains(&"__pycache__") || name.ends_with(".pyc") || name.ends_with(".pyo") {
        return Some("Python bytecode");
    }
    if dirs.contains(&".venv") || (name == "pyvenv.cfg") {
        return Some("a Python virtual environment");
    }
    if dirs.iter().any(|d| d.ends_with(".egg-info")) || dirs.contains(&".pytest_cache") {
        return Some("Python build or cache output");
    }
    if name.ends_with(".class") {
        return Some("compiled Java classes");
    }
    // target/ is build output only beside a Cargo.toml or pom.xml.
    if let Some(i) = dirs.iter().position(|d| *d == "target") {
        let parent = dirs[..i].join("/");
        let beside = |m: &str| {
            if parent.is_empty() {
                m.to_string()
            } else {
                format!("{parent}/{m}")
            }
        };
        if project.has(&beside("Cargo.toml")) || project.has(&beside("pom.xml")) {
            return Some("build output (target/)");
        }
    }
    None
}

pub fn no_build_artifacts(project: &Project) -> Outcome {
    let found: Vec<(&str, &str)> = project
        .paths()
        .filter_map(|p| artifact(project, p).map(|what| (p, what)))
        .collect();
    if found.is_empty() {
        return Outcome::pass("no dependency folders or build output are tracked", vec![]);
    }
    let count = found.len();
    // One line per kind of artifact folder reads better than thousands of node_modules files.
    let mut evidence: Vec<Evidence> = Vec::new();
    for (path, what) in &found {
        if evidence.iter().any(|e| e.note == *what) || evidence.len() >= MAX_EVIDENCE {
            continue;
        }
        evidence.push(Evidence::file(*path, *what));
    }
    Outcome::fail(
        format!(
            "{count} tracked file{} of dependencies or build output",
            if count == 1 { " is" } else { "s are" }
        ),
        evidence,
    )
}

/// The trailer of the commit `folio new` makes.
const RENDER_TRAILER: &str = "Folio-Render:";

pub fn history(project: &Project) -> Outcome {
    let h = &project.snapshot.history;
    match h.commits.as_slice() {
        [] => Outcome::fail(
            "the repository has no commits yet",
            vec![Evidence::note("HEAD points at no commit")],
        ),
        [_, _, ..] => Outcome::pass(
            format!(
                "{}{} commits",
                h.commits.len(),
                if h.commits.len() >= 50 { "+" } else { "" }
            ),
            vec![],
        ),
        _ if h.shallow => Outcome::skip(
            "a shallow clone shows one commit; fetch the whole history (actions/checkout `fetch-depth: 0`, GitLab `GIT_DEPTH: 0`) to judge it",
        ),
        [only] if only.message.lines().any(|l| l.starts_with(RENDER_TRAILER)) => Outcome::skip(
            "the only commit is folio's initial render; this applies once you commit your own work",
        ),
        [only] => Outcome::fail(
            "the whole project is a single commit",
            vec![Evidence::note(format!(
                "{} {}",
                only.short_id,
                only.subject()
            ))],
        ),
    }
}

/// Subjects that say nothing about the change.
const EMPTY_WORDS: &[&str] = &[
    "wip", "fix", "fixes", "fixed", "update", "updates", "updated", "change", "changes", "changed",
    "stuff", "misc", "test", "tests", "asdf", "commit", "save", "tmp", "temp", "minor", "edit",
    "edits", "more", "done", "final", "work", "code", "files", "initial", "first", "init", "x",
];

/// Why a subject says nothing, or `None` when it says something.
fn uninformative(subject: &str) -> Option<&'static str> {
    let cleaned: String = subject
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if subject.trim().chars().count() < 8 {
        return Some("too short");
    }
    if words
        .iter()
        .all(|w| EMPTY_WORDS.contains(w) || w.chars().all(|c| c.is_ascii_digit()))
    {
        return Some("says nothing about the change");
    }
    None
}

pub fn commit_messages(project: &Project) -> Outcome {
    let commits: Vec<_> = project
        .snapshot
        .history
        .commits
        .iter()
        .filter(|c| !c.merge)
        .collect();
    if commits.is_empty() {
        return Outcome::skip("no commits to read");
    }
    let bad: Vec<Evidence> = commits
        .iter()
        .filter_map(|c| {
            uninformative(c.subject())
                .map(|why| Evidence::note(format!("{} \"{}\": {why}", c.short_id, c.subject())))
        })
        .collect();
    // A few terse commits happen to everyone; a habit of them is what a reviewer notices.
    if bad.len() * 4 >= commits.len() && !bad.is_empty() {
        let count = bad.len();
        let mut evidence = bad;
        evidence.truncate(MAX_EVIDENCE);
        Outcome::fail(
            format!(
                "{count} of the last {} commit messages say nothing about the change",
                commits.len()
            ),
            evidence,
        )
    } else {
        let message = match commits.len() {
            1 => "the commit message says what it is".to_string(),
            n => format!(
                "{} of the last {n} commit messages say what changed",
                n - bad.len()
            ),
        };
        Outcome::pass(message, vec![])
    }
}

#[cfg(test)]
mod unit {
    use super::uninformative;

    #[test]
    fn subjects() {
        assert!(uninformative("wip").is_some());
        assert!(uninformative("fix stuff").is_some());
        assert!(uninformative("Update 2").is_some());
        assert!(uninformative("Initial commit from folio").is_none());
        assert!(uninformative("Add pagination to GET /tasks").is_none());
    }
}
