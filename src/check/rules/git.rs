//! Git hygiene rules: .gitignore covers secrets and build output, none of it is committed, and
//! the history shows work done in steps with messages that say what changed.

use crate::check::gitignore;
use crate::check::lang::Language;
use crate::check::project::{Project, file_name};
use crate::check::rule::{Evidence, Outcome};
use crate::check::scan::HitKind;

const MAX_EVIDENCE: usize = 20;

/// What `.gitignore` must cover: alternatives of (name, is_dir), any one of which will do.
/// `.env` only where the project uses one (a template, a dotenv library, compose `env_file`).
/// Each comes with the language whose manifest folders it is probed at (`None`: the top).
type Wanted = (Option<Language>, &'static [(&'static str, bool)]);

fn must_ignore(project: &Project) -> Vec<Wanted> {
    let mut wanted: Vec<Wanted> = Vec::new();
    if uses_env_file(project) {
        wanted.push((None, &[(".env", false)]));
    }
    for lang in project.languages.judged() {
        let l = Some(lang);
        match lang {
            Language::Python => {
                wanted.push((l, &[("__pycache__", true), ("x.pyc", false)]));
            }
            Language::TypeScript => wanted.push((l, &[("node_modules", true)])),
            Language::Go => {}
            Language::Java => {
                let gradle = project.languages.manifests[&lang]
                    .iter()
                    .any(|m| m.contains("gradle"));
                if gradle {
                    wanted.push((l, &[("build", true)]));
                    wanted.push((l, &[(".gradle", true)]));
                } else {
                    wanted.push((l, &[("target", true)]));
                }
            }
            Language::Rust => wanted.push((l, &[("target", true)])),
        }
    }
    wanted
}

/// Signs that the project reads a `.env` file: a committed template for one, a dotenv library,
/// pydantic-settings, or a compose `env_file`.
fn uses_env_file(project: &Project) -> bool {
    if project
        .paths()
        .any(|p| file_name(p).starts_with(".env") || file_name(p).ends_with(".env"))
    {
        return true;
    }
    let libs: &[(Language, &[&str])] = &[
        (Language::Python, &["python-dotenv", "python-decouple"]),
        (
            Language::TypeScript,
            &[
                "dotenv",
                "dotenv-flow",
                "@nestjs/config",
                "env-cmd",
                "dotenv-expand",
            ],
        ),
        (Language::Go, &["github.com/joho/godotenv"]),
        (
            Language::Java,
            &["spring-dotenv", "dotenv-java", "dotenv-kotlin"],
        ),
        (Language::Rust, &["dotenvy", "dotenv", "envy"]),
    ];
    if libs
        .iter()
        .any(|(lang, names)| project.languages.dependency(*lang, names).is_some())
    {
        return true;
    }
    if project.scan.of(HitKind::EnvFileUse).any(|h| !h.fixture) {
        return true;
    }
    project
        .named(|n| n.contains("compose") && (n.ends_with(".yml") || n.ends_with(".yaml")))
        .iter()
        .any(|c| {
            project
                .read(c)
                .is_some_and(|t| t.contains("env_file") || t.contains(".env"))
        })
}

/// Every tracked `.gitignore` under the checked folder, plus the repository's top one when a
/// sub-folder is checked (its patterns then apply from the top).
fn ignores(project: &Project) -> gitignore::Ignores {
    let mut files: Vec<(String, String)> = project
        .paths()
        .filter(|p| file_name(p) == ".gitignore")
        .filter(|p| !p.split('/').any(|c| c == "node_modules"))
        .take(200)
        .filter_map(|p| project.read(p).map(|t| (p.to_string(), t)))
        .collect();
    if !project.snapshot.prefix.is_empty() {
        // The top .gitignore's patterns, re-rooted at the checked folder: right for the
        // unanchored patterns build folders are ignored with.
        if let Some(text) = project.snapshot.read_outside(".gitignore") {
            files.push((".gitignore".into(), text));
        }
    }
    gitignore::Ignores::new(files)
}

pub fn gitignore(project: &Project) -> Outcome {
    let top = project.has(".gitignore")
        || (!project.snapshot.prefix.is_empty()
            && project.snapshot.outside_file(".gitignore").is_some());
    if !top && !project.paths().any(|p| file_name(p) == ".gitignore") {
        return Outcome::fail(
            "no .gitignore at the top of the repository",
            vec![Evidence::note(
                "a .gitignore keeps .env and build output out of commits",
            )],
        );
    }
    let ignores = ignores(project);
    // Build folders sit beside the manifests: judge each language at its manifests' folders
    // (the shallowest few), and .env at the top.
    let dirs_of = |lang: Option<Language>| -> Vec<String> {
        let mut d: Vec<String> = lang
            .and_then(|l| project.languages.manifests.get(&l))
            .into_iter()
            .flatten()
            .map(|m| {
                m.rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_string())
            })
            .collect();
        d.sort_by_key(|p| {
            (
                p.matches('/').count() + usize::from(!p.is_empty()),
                p.clone(),
            )
        });
        d.dedup();
        d.truncate(3);
        if d.is_empty() {
            d.push(String::new());
        }
        d
    };
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for (lang, alternatives) in must_ignore(project) {
        let dirs = dirs_of(lang);
        let mut hit = None;
        for (name, dir) in alternatives.iter() {
            // Any of the folders will do: a workspace's top pyproject.toml often has no code
            // beside it, and what is actually committed is git.no-build-artifacts' business.
            let all_dirs = dirs.iter().any(|d| {
                let path = if d.is_empty() {
                    name.to_string()
                } else {
                    format!("{d}/{name}")
                };
                if let Some(found) = ignores.ignores(&path, *dir) {
                    hit.get_or_insert((name, found));
                    true
                } else {
                    false
                }
            });
            if all_dirs {
                break;
            }
            hit = None;
        }
        match hit {
            Some((name, (file, line))) => {
                evidence.push(Evidence::at(file, line, format!("ignores {name}")))
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
    if name == ".DS_Store" || name == "Thumbs.db" {
        return Some("operating-system clutter (.DS_Store)");
    }
    if dirs.contains(&".idea") && !matches!(name, "codeStyleConfig.xml" | "Project.xml") {
        return Some("IDE settings (.idea/)");
    }
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    if matches!(ext, "db" | "sqlite" | "sqlite3")
        && !dirs.iter().any(|d| matches!(*d, "fixtures" | "testdata"))
    {
        return Some("a database file (*.db, *.sqlite)");
    }
    // dist/, build/, out/, coverage/: output of the project's own build, at a manifest's folder.
    for (i, d) in dirs.iter().enumerate() {
        if matches!(
            *d,
            "dist" | "build" | "out" | "coverage" | ".next" | ".nuxt" | "htmlcov"
        ) {
            let parent = dirs[..i].join("/");
            let beside = |m: &str| {
                if parent.is_empty() {
                    m.to_string()
                } else {
                    format!("{parent}/{m}")
                }
            };
            let manifest = [
                "package.json",
                "pyproject.toml",
                "setup.py",
                "build.gradle",
                "build.gradle.kts",
                "pom.xml",
                "go.mod",
                "Cargo.toml",
            ]
            .iter()
            .any(|m| project.has(&beside(m)));
            if manifest {
                return Some("build output (dist/, build/, out/, coverage/)");
            }
        }
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

/// The messages GitHub's web editor writes by itself: "Add files via upload", "Update
/// README.md", "Create main.py", "Delete old.txt", "Rename a.py to b.py".
fn web_default(subject: &str) -> Option<&'static str> {
    if subject == "Add files via upload" || subject == "Initial commit" {
        return Some("GitHub's default message");
    }
    let looks_like_file = |w: &str| {
        w.contains('.')
            || w.contains('/')
            || matches!(
                w,
                "README" | "LICENSE" | "Dockerfile" | "Makefile" | "Procfile" | "Jenkinsfile"
            )
    };
    let words: Vec<&str> = subject.split_whitespace().collect();
    match words.as_slice() {
        ["Update" | "Create" | "Delete" | "Add", file] if looks_like_file(file) => {
            Some("GitHub's default message for a web edit")
        }
        ["Rename", a, "to", b] if looks_like_file(a) || looks_like_file(b) => {
            Some("GitHub's default message for a web edit")
        }
        _ => None,
    }
}

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
    if let Some(why) = web_default(subject.trim()) {
        return Some(why);
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
        assert!(uninformative("Add files via upload").is_some());
        assert!(uninformative("Update README.md").is_some());
        assert!(uninformative("Create main.py").is_some());
        assert!(uninformative("Rename app.py to main.py").is_some());
        assert!(uninformative("Update README.md with the deploy steps").is_none());
    }
}
