//! The one answers resolver: flags > answers file > prompts > defaults, into typed [`Answers`].
//!
//! `folio new` (flags over `--answers`, prompts in a terminal), `folio batch` (a roster row over
//! the batch's flags, never a prompt) and `folio check`'s provenance rule (`.folio.toml` alone)
//! all come through [`resolve`], so a project's defaults and validation do not depend on which
//! command made it. Each caller layers its sources into one [`Given`] with [`Given::or`]; what is
//! still missing is asked ([`prompt`]) or defaulted here, and everything is checked here.

pub mod prompt;

use crate::answers::{self, Answers, AnswersFile, Ci, Db, Jobs, License, ProjectName};
use crate::error::{Error, Result};
use crate::template::registry::{Registry, Stack};

/// The most characters of a student's name (`folio batch`, or a `student` key).
const MAX_STUDENT_LEN: usize = 200;

/// What one source says; every answer is optional. Free text is checked by [`resolve`], not here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub stack: Option<String>,
    pub db: Option<Db>,
    pub ci: Option<Ci>,
    pub jobs: Option<Jobs>,
    pub license: Option<License>,
    pub author: Option<String>,
    pub description: Option<String>,
    pub year: Option<u16>,
    pub student: Option<String>,
}

impl Given {
    /// `self`, with what it leaves open taken from `lower` (the source it wins over).
    pub fn or(self, lower: Given) -> Given {
        Given {
            stack: self.stack.or(lower.stack),
            db: self.db.or(lower.db),
            ci: self.ci.or(lower.ci),
            jobs: self.jobs.or(lower.jobs),
            license: self.license.or(lower.license),
            author: self.author.or(lower.author),
            description: self.description.or(lower.description),
            year: self.year.or(lower.year),
            student: self.student.or(lower.student),
        }
    }
}

impl From<&AnswersFile> for Given {
    fn from(file: &AnswersFile) -> Given {
        Given {
            stack: file.stack.clone(),
            db: file.db,
            ci: file.ci,
            jobs: file.jobs,
            license: file.license,
            author: file.author.clone(),
            description: file.description.clone(),
            year: file.year,
            student: file.student.clone(),
        }
    }
}

/// Whether a person may be asked for what no source gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompts {
    Ask,
    Never,
}

/// A stack and the answers to render it with, valid together.
#[derive(Debug)]
pub struct Resolved<'r> {
    pub stack: &'r Stack,
    pub answers: Answers,
}

/// Resolves `given` for a project called `name`; see the module comment.
pub fn resolve<'r>(
    registry: &'r Registry,
    name: ProjectName,
    given: Given,
    prompts: Prompts,
) -> Result<Resolved<'r>> {
    let ask = prompts == Prompts::Ask;
    let stack = match given.stack.as_deref() {
        Some(wanted) => registry.find(wanted)?,
        None if ask => prompt::stack(registry)?,
        None => registry.default_stack()?,
    };
    name.check_keywords(&stack.manifest.id, &stack.manifest.keywords)?;
    check_not_a_dependency(&name, stack)?;

    let db = match given.db {
        Some(db) => db,
        None if ask && stack.manifest.databases.len() > 1 => prompt::db(stack)?,
        None => stack.default_db(),
    };
    if !stack.supports(db) {
        return Err(Error::UnsupportedDatabase {
            stack: stack.manifest.id.clone(),
            db: db.id().into(),
            supported: stack
                .manifest
                .databases
                .iter()
                .map(|d| d.id().to_string())
                .collect(),
        });
    }
    let jobs = match given.jobs {
        Some(jobs) => jobs,
        None if ask && stack.manifest.jobs.len() > 1 => prompt::jobs(stack)?,
        None => stack.default_jobs(),
    };
    if !stack.manifest.jobs.contains(&jobs) {
        return Err(Error::UnsupportedJobs {
            stack: stack.manifest.id.clone(),
            jobs: jobs.id().into(),
            supported: stack
                .manifest
                .jobs
                .iter()
                .map(|j| j.id().to_string())
                .collect(),
        });
    }
    let description = match given.description.as_deref() {
        Some(text) => answers::check_description(text)?,
        None if ask => answers::check_description(&prompt::text(
            "Describe the project in one line",
            &answers::default_description(&name),
        )?)?,
        None => answers::default_description(&name),
    };
    let ci = match given.ci {
        Some(ci) => ci,
        None if ask => prompt::ci()?,
        None => Ci::Github,
    };
    let license = match given.license {
        Some(license) => license,
        None if ask => prompt::license()?,
        None => License::Mit,
    };
    let author = match given.author.as_deref() {
        Some(text) => answers::check_author(text)?,
        None if ask => answers::check_author(&prompt::author(
            crate::git::configured_user_name()
                .filter(|n| answers::check_author(n).is_ok())
                .as_deref(),
        )?)?,
        None => default_author(&name),
    };
    if let Some(year) = given.year.filter(|y| !(1970..=9999).contains(y)) {
        return Err(Error::InvalidOption {
            option: "year",
            reason: format!("is {year}; a copyright year is between 1970 and 9999"),
        });
    }
    let student = match given.student.as_deref() {
        Some(text) => answers::check_text("student", text, MAX_STUDENT_LEN)?,
        None => String::new(),
    };
    Ok(Resolved {
        stack,
        answers: Answers {
            db,
            ci,
            jobs,
            license,
            year: given.year.unwrap_or_else(answers::current_year),
            author,
            description,
            student,
            name,
        },
    })
}

/// Checks a student's name as `folio batch` reads it from a roster's `name` column.
pub fn check_student(text: &str) -> Result<String> {
    answers::check_text("name", text, MAX_STUDENT_LEN)
}

/// The author a project gets when none is given: git's `user.name`, else a neutral phrase.
fn default_author(name: &ProjectName) -> String {
    crate::git::configured_user_name()
        .filter(|n| answers::check_author(n).is_ok())
        .unwrap_or_else(|| format!("The {name} authors"))
}

/// A project named like one of its own pinned dependencies cannot install (pip and npm refuse a
/// package that depends on its own name), so such a name is refused. The names come from the
/// stack's lock files, so they follow the templates without a list to keep in step.
fn check_not_a_dependency(name: &ProjectName, stack: &Stack) -> Result<()> {
    let normal = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
    let wanted = normal(name.as_str());
    let pinned = stack.files.iter().flat_map(|file| {
        let text = String::from_utf8_lossy(&file.contents).into_owned();
        let names: Vec<String> = if file.path.ends_with("requirements-lock.txt") {
            text.lines()
                .filter_map(|l| l.split_once("==").map(|(n, _)| n.trim().to_string()))
                .collect()
        } else if file.path.starts_with("package-lock.json") {
            text.split("\"node_modules/")
                .skip(1)
                .filter_map(|rest| rest.split_once('"').map(|(n, _)| n.to_string()))
                .filter(|n| !n.contains("/node_modules/"))
                .collect()
        } else {
            Vec::new()
        };
        names
    });
    if let Some(dep) = pinned.into_iter().find(|d| normal(d) == wanted) {
        return Err(Error::InvalidName {
            name: name.as_str().to_string(),
            reason: format!(
                "the {} stack pins a dependency called `{dep}`, and a project cannot depend on its own name; pick another name",
                stack.manifest.id
            ),
        });
    }
    Ok(())
}
