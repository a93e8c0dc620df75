//! Own work since the render: which commit is graded, and what the student did to get there.
//!
//! folio knows each student's exact starter tree: the pristine-render commit, the newest commit
//! carrying a `Folio-Render` trailer that the graded commit descends from (for a `folio batch`
//! repository, its first commit). The student's own work is every commit reachable from the
//! graded commit and not from the render; its size is the diff between the render's tree and the
//! graded tree, so the template's own lines never count, and lock files and generated files
//! ([`excluded`]) are left out because a tool wrote them, not the student.
//!
//! Dates can be faked (both of them are whatever the committer's clock said), so the deadline
//! works on committer dates and the anomalies say when those dates look wrong.

use std::collections::{BTreeMap, BTreeSet};

use git2::{Commit, Oid, Repository, Sort};
use serde::Serialize;

use crate::git::merge::render_trailer;
use crate::grade::rubric::OwnWorkCriteria;
use crate::grade::time::{day_of, format_utc, now};

/// How far in the future a committer date may be before it is an anomaly (clock skew).
const FUTURE_SLACK_SECS: i64 = 3600;

/// A commit, as the gradebook lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CommitRef {
    pub id: String,
    pub subject: String,
    pub author: String,
    pub authored: String,
    pub committed: String,
}

/// One author of the student's own commits.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorStat {
    pub name: String,
    pub email: String,
    pub commits: usize,
    /// `student` (the name matches the roster's), `instructor` (the render's author) or `other`.
    pub role: &'static str,
}

/// Figures of the student's own work.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OwnWork {
    /// Non-merge commits after the render.
    pub commits: usize,
    pub merges: usize,
    /// Commits authored by someone whose name matches the roster's student.
    pub student_commits: usize,
    /// Default messages of web editors and "wip"-style subjects.
    pub placeholder_messages: usize,
    pub authors: Vec<AuthorStat>,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Distinct UTC days with a commit, by author date.
    pub active_days: usize,
    /// Files changed between the render and the graded commit, outside lock/generated files.
    pub files_changed: usize,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Changed paths left out of the counts, with why.
    pub excluded: Vec<String>,
    /// The largest commit's share of the lines changed commit by commit (0..1).
    pub largest_commit_share: f64,
}

impl OwnWork {
    pub fn lines_changed(&self) -> u64 {
        self.lines_added + self.lines_removed
    }
}

/// Something about the history that a grader should look at.
#[derive(Debug, Clone, Serialize)]
pub struct Anomaly {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub detail: String,
}

impl Anomaly {
    fn new(kind: &'static str, commit: Option<Oid>, detail: String) -> Self {
        Anomaly {
            kind,
            commit: commit.map(short),
            detail,
        }
    }
}

/// The render a repository was graded against.
#[derive(Debug, Clone, Serialize)]
pub struct RenderBase {
    pub commit: String,
    /// The template and folio version of the trailer; empty when there was no trailer.
    pub template: String,
    pub committed: String,
}

/// Everything the history says about one repository.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub head: Oid,
    pub graded: Oid,
    pub render: RenderBase,
    pub own: OwnWork,
    /// Commits after the deadline (reachable from HEAD, not from the graded commit).
    pub late: Vec<CommitRef>,
    pub anomalies: Vec<Anomaly>,
}

/// Analyses `repo` for `student`, grading at the last commit before `deadline` if given.
pub fn analyse(
    repo: &Repository,
    student: &str,
    deadline: Option<i64>,
    criteria: &OwnWorkCriteria,
) -> Result<Analysis, String> {
    let git = |what: &str, e: git2::Error| format!("{what}: {}", e.message());
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| git("it has no commit to grade (HEAD)", e))?;
    let mut anomalies = Vec::new();
    let graded = match deadline {
        None => head.clone(),
        Some(deadline) => match last_before(&head, deadline) {
            Some(c) => c,
            None => {
                anomalies.push(Anomaly::new(
                    "no-commit-before-deadline",
                    None,
                    format!(
                        "no commit on the branch has a committer date before the deadline {}; the oldest commit is graded",
                        format_utc(deadline)
                    ),
                ));
                oldest_first_parent(&head)
            }
        },
    };
    let (render, render_commit) = match find_render(repo, graded.id()) {
        Some((commit, template)) => (commit, template),
        None => {
            let root = oldest_first_parent(&graded);
            anomalies.push(Anomaly::new(
                "no-render-commit",
                Some(root.id()),
                "no commit carries a Folio-Render trailer, so the first commit stands for the starter tree".into(),
            ));
            (root, String::new())
        }
    };
    let render_time = render.committer().when().seconds();
    let instructor = render.author().name().unwrap_or("").to_string();

    let own_ids = walk(repo, &[graded.id()], &[render.id()]).map_err(|e| git("walking", e))?;
    let mut own = OwnWork::default();
    let mut authors: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut days = BTreeSet::new();
    let mut per_commit_lines = Vec::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    let wanted = normalise(student);
    for id in &own_ids {
        let commit = repo
            .find_commit(*id)
            .map_err(|e| git("reading a commit", e))?;
        if commit.message().ok().and_then(render_trailer).is_some() {
            continue; // A later render by `folio update`, not the student's work.
        }
        if commit.parent_count() > 1 {
            own.merges += 1;
            continue;
        }
        own.commits += 1;
        let author = commit.author();
        let (name, email) = (
            author.name().unwrap_or("").to_string(),
            author.email().unwrap_or("").to_string(),
        );
        if matches_student(&name, &email, &wanted) {
            own.student_commits += 1;
        }
        *authors.entry((name, email)).or_default() += 1;
        let authored = author.when().seconds();
        let committed = commit.committer().when().seconds();
        days.insert(day_of(authored));
        first = first.min(authored);
        last = last.max(authored);
        if is_placeholder(commit.summary().ok().flatten().unwrap_or("")) {
            own.placeholder_messages += 1;
        }
        if committed < render_time {
            anomalies.push(Anomaly::new(
                "committed-before-render",
                Some(*id),
                format!(
                    "committer date {} is before the render ({})",
                    format_utc(committed),
                    format_utc(render_time)
                ),
            ));
        }
        if committed > now() + FUTURE_SLACK_SECS {
            anomalies.push(Anomaly::new(
                "committed-in-future",
                Some(*id),
                format!("committer date {} is in the future", format_utc(committed)),
            ));
        }
        let skew = (committed - authored).abs();
        if skew > criteria.max_date_skew_hours as i64 * 3600 {
            anomalies.push(Anomaly::new(
                "back-dated",
                Some(*id),
                format!(
                    "author date {} is {} h from committer date {}",
                    format_utc(authored),
                    skew / 3600,
                    format_utc(committed)
                ),
            ));
        }
        per_commit_lines.push((*id, commit_lines(repo, &commit)));
    }
    if own.commits > 0 {
        own.first = Some(format_utc(first));
        own.last = Some(format_utc(last));
    }
    own.active_days = days.len();
    own.authors = authors
        .into_iter()
        .map(|((name, email), commits)| AuthorStat {
            role: if matches_student(&name, &email, &wanted) {
                "student"
            } else if !instructor.is_empty() && name == instructor {
                "instructor"
            } else {
                "other"
            },
            name,
            email,
            commits,
        })
        .collect();
    own.authors
        .sort_by(|a, b| b.commits.cmp(&a.commits).then(a.name.cmp(&b.name)));
    tree_diff(repo, &render, &graded, &mut own).map_err(|e| git("diffing", e))?;

    let total: u64 = per_commit_lines.iter().map(|(_, l)| l).sum();
    if let Some((id, lines)) = per_commit_lines.iter().max_by_key(|(_, l)| *l) {
        if total > 0 {
            own.largest_commit_share = *lines as f64 / total as f64;
            if total >= criteria.bulk_min_lines && own.largest_commit_share > criteria.bulk_share {
                anomalies.push(Anomaly::new(
                    "bulk-commit",
                    Some(*id),
                    format!(
                        "one commit holds {lines} of the {total} lines changed ({:.0}%)",
                        own.largest_commit_share * 100.0
                    ),
                ));
            }
        }
    }
    if own.commits == 0 {
        anomalies.push(Anomaly::new(
            "no-own-commits",
            None,
            "no commit after the render: the graded tree is the starter tree".into(),
        ));
    } else if own.student_commits == 0 {
        anomalies.push(Anomaly::new(
            "not-the-students-commits",
            None,
            format!(
                "none of the {} commits names the roster's student `{student}` as author",
                own.commits
            ),
        ));
    }

    let late = if graded.id() == head.id() {
        Vec::new()
    } else {
        walk(repo, &[head.id()], &[graded.id()])
            .map_err(|e| git("walking", e))?
            .into_iter()
            .filter_map(|id| repo.find_commit(id).ok())
            .filter(|c| c.message().ok().and_then(render_trailer).is_none())
            .map(|c| commit_ref(&c))
            .collect()
    };
    Ok(Analysis {
        head: head.id(),
        graded: graded.id(),
        render: RenderBase {
            commit: render.id().to_string(),
            template: render_commit,
            committed: format_utc(render_time),
        },
        own,
        late,
        anomalies,
    })
}

/// The newest commit on HEAD's first-parent line committed at or before `deadline`.
fn last_before<'r>(head: &Commit<'r>, deadline: i64) -> Option<Commit<'r>> {
    let mut current = Some(head.clone());
    while let Some(c) = current {
        if c.committer().when().seconds() <= deadline {
            return Some(c);
        }
        current = c.parent(0).ok();
    }
    None
}

fn oldest_first_parent<'r>(from: &Commit<'r>) -> Commit<'r> {
    let mut c = from.clone();
    while let Ok(p) = c.parent(0) {
        c = p;
    }
    c
}

/// The newest commit reachable from `from` with a `Folio-Render` trailer.
fn find_render(repo: &Repository, from: Oid) -> Option<(Commit<'_>, String)> {
    for id in walk(repo, &[from], &[]).ok()? {
        let commit = repo.find_commit(id).ok()?;
        if let Some((template, version)) = commit.message().ok().and_then(render_trailer) {
            return Some((commit, format!("{template} {version}")));
        }
    }
    None
}

/// Commits reachable from `push` and not from `hide`, newest first.
fn walk(repo: &Repository, push: &[Oid], hide: &[Oid]) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    for id in push {
        walk.push(*id)?;
    }
    for id in hide {
        walk.hide(*id)?;
    }
    walk.collect()
}

fn commit_ref(c: &Commit<'_>) -> CommitRef {
    CommitRef {
        id: c.id().to_string(),
        subject: c.summary().ok().flatten().unwrap_or("").to_string(),
        author: c.author().name().unwrap_or("").to_string(),
        authored: format_utc(c.author().when().seconds()),
        committed: format_utc(c.committer().when().seconds()),
    }
}

fn short(id: Oid) -> String {
    id.to_string()[..10].to_string()
}

/// Lines added and removed by one commit against its parent, outside excluded files.
fn commit_lines(repo: &Repository, commit: &Commit<'_>) -> u64 {
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let Ok(tree) = commit.tree() else { return 0 };
    let Ok(diff) = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else {
        return 0;
    };
    let mut lines = 0;
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        if path_of(&delta).is_some_and(|p| excluded(&p).is_some()) {
            continue;
        }
        if let Ok(Some(patch)) = git2::Patch::from_diff(&diff, i) {
            if let Ok((_, added, removed)) = patch.line_stats() {
                lines += (added + removed) as u64;
            }
        }
    }
    lines
}

/// Files and lines changed from the render's tree to the graded tree.
fn tree_diff(
    repo: &Repository,
    render: &Commit<'_>,
    graded: &Commit<'_>,
    own: &mut OwnWork,
) -> Result<(), git2::Error> {
    let diff = repo.diff_tree_to_tree(Some(&render.tree()?), Some(&graded.tree()?), None)?;
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        let path = path_of(&delta).unwrap_or_default();
        if let Some(why) = excluded(&path) {
            own.excluded.push(format!("{path} ({why})"));
            continue;
        }
        match git2::Patch::from_diff(&diff, i)? {
            Some(patch) if !delta.flags().is_binary() => {
                let (_, added, removed) = patch.line_stats()?;
                own.lines_added += added as u64;
                own.lines_removed += removed as u64;
                own.files_changed += 1;
            }
            _ => own.excluded.push(format!("{path} (binary)")),
        }
    }
    Ok(())
}

fn path_of(delta: &git2::DiffDelta<'_>) -> Option<String> {
    delta
        .new_file()
        .path()
        .or_else(|| delta.old_file().path())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// Why a changed path is not the student's own writing: a lock file (a package manager wrote
/// it), or a generated or vendored file. docs/grading.md lists these.
pub fn excluded(path: &str) -> Option<&'static str> {
    const LOCK_FILES: &[&str] = &[
        "Cargo.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "yarn.lock",
        "bun.lockb",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "pdm.lock",
        "requirements-lock.txt",
        "go.sum",
        "gradle.lockfile",
        "composer.lock",
        "Gemfile.lock",
    ];
    const GENERATED_DIRS: &[&str] = &[
        "node_modules",
        "target",
        "dist",
        "build",
        "out",
        "coverage",
        "htmlcov",
        "__pycache__",
        ".venv",
        "venv",
        "vendor",
        ".gradle",
        ".mvn",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    if LOCK_FILES.contains(&name) {
        return Some("lock file");
    }
    let dirs: Vec<&str> = path.split('/').collect();
    if dirs[..dirs.len().saturating_sub(1)]
        .iter()
        .any(|d| GENERATED_DIRS.contains(d))
    {
        return Some("generated or vendored");
    }
    let generated_suffixes = [".min.js", ".min.css", ".map", ".pyc", ".class", ".o", ".so"];
    if generated_suffixes.iter().any(|s| name.ends_with(s)) {
        return Some("generated");
    }
    None
}

/// A commit subject that says nothing: a web editor's default ("Update README.md", "Add files
/// via upload") or a "wip"-style word.
pub fn is_placeholder(subject: &str) -> bool {
    let s = subject.trim();
    let lower = s.to_lowercase();
    if s.chars().count() < 3 || lower == "add files via upload" {
        return true;
    }
    const EMPTY_WORDS: &[&str] = &[
        "wip",
        "fix",
        "fixes",
        "fixed",
        "change",
        "changes",
        "update",
        "updates",
        "updated",
        "commit",
        "test",
        "tests",
        "asdf",
        "minor",
        "stuff",
        "misc",
        "save",
        "done",
        "tmp",
        "temp",
        "initial commit",
        "first commit",
        "more",
        "work",
        "edit",
        "edits",
    ];
    if EMPTY_WORDS.contains(&lower.trim_end_matches(['.', '!'])) {
        return true;
    }
    // GitHub's web editor: "Update app.py", "Create src/x.py", "Delete Makefile",
    // "Rename a.py to b.py".
    let mut words = s.split_whitespace();
    let verb = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    let file_like = |w: &str| {
        w.contains('.')
            || w.contains('/')
            || matches!(
                w,
                "Makefile" | "Dockerfile" | "LICENSE" | "README" | "Procfile"
            )
    };
    match (verb, rest.as_slice()) {
        ("Update" | "Create" | "Delete" | "Add", [file]) => file_like(file),
        ("Rename", [a, "to", b]) => file_like(a) && file_like(b),
        _ => false,
    }
}

/// Lowercase ASCII letters and digits of a name, for matching authors to the roster.
fn normalise(name: &str) -> String {
    deunicode::deunicode(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An author is the student when the name (accents, case and spacing aside) or the email's
/// local part matches the roster's name.
fn matches_student(name: &str, email: &str, wanted: &str) -> bool {
    if wanted.is_empty() {
        return false;
    }
    let local = email.split('@').next().unwrap_or("");
    normalise(name) == wanted || normalise(local) == wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_messages() {
        for s in [
            "Update README.md",
            "Add files via upload",
            "wip",
            "Create src/app.py",
            "fix.",
            "Initial commit",
            "Rename a.py to b.py",
            "x",
        ] {
            assert!(is_placeholder(s), "{s}");
        }
        for s in [
            "Add pagination to the task list",
            "Update tests",
            "Fix the 404 on another user's task",
            "Add Makefile target for e2e",
        ] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn lock_and_generated_files_are_excluded() {
        assert_eq!(excluded("Cargo.lock"), Some("lock file"));
        assert_eq!(excluded("web/package-lock.json"), Some("lock file"));
        assert_eq!(
            excluded("node_modules/x/index.js"),
            Some("generated or vendored")
        );
        assert_eq!(
            excluded("app/__pycache__/m.cpython-311.pyc"),
            Some("generated or vendored")
        );
        assert_eq!(excluded("src/app.py"), None);
        assert_eq!(excluded("src/build.rs"), None);
    }

    #[test]
    fn authors_match_by_name_or_email() {
        let wanted = normalise("José Núñez");
        assert!(matches_student("jose nunez", "x@example.org", &wanted));
        assert!(matches_student("JN", "jose.nunez@example.org", &wanted));
        assert!(!matches_student("Ada", "ada@example.org", &wanted));
    }
}
