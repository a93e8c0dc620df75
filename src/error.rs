//! Every failure a user can act on, as one enum.
//!
//! Library code returns these; only `main` prints them (message, then `hint:` line) and turns them
//! into an exit code. Messages are plain text, one paragraph, no colour: the printer styles them.
//! Each variant that a user can fix has a `hint()` that names the next step.

use std::path::PathBuf;

/// The result of a command that ran to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done.
    Success,
    /// `folio check` ran and the repository does not meet the policy.
    CheckFailed,
}

impl ExitStatus {
    /// The process exit code: 0 success, 1 check failed (2 is reserved for errors).
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::CheckFailed => 1,
        }
    }
}

/// The exit code of every [`Error`]: usage, input and I/O problems alike.
pub const ERROR_EXIT_CODE: u8 = 2;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{name}` is not a valid project name: {reason}.")]
    InvalidName { name: String, reason: String },

    #[error("`{given}` is not a stack folio knows.")]
    UnknownStack {
        given: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },

    #[error("the {stack} stack does not support the `{db}` database.")]
    UnsupportedDatabase {
        stack: String,
        db: String,
        supported: Vec<String>,
    },

    #[error("the {stack} stack does not offer the background-jobs feature `{jobs}`.")]
    UnsupportedJobs {
        stack: String,
        jobs: String,
        supported: Vec<String>,
    },

    #[error("{option} {reason}.")]
    InvalidOption {
        option: &'static str,
        reason: String,
    },

    #[error("cannot read the answers file {}: {source}.", path.display())]
    AnswersRead {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the answers file {} is not valid: {message}", path.display())]
    AnswersInvalid { path: PathBuf, message: String },

    #[error("cannot read the roster {}: {source}.", path.display())]
    RosterRead {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the roster {} is not valid: {message}.", path.display())]
    RosterInvalid { path: PathBuf, message: String },

    #[error("the {option} pattern `{pattern}` is not valid: {message}.")]
    InvalidPattern {
        option: &'static str,
        pattern: String,
        message: String,
    },

    #[error("{failed} of {total} roster rows failed (listed above and in {}).", report.display())]
    BatchIncomplete {
        failed: usize,
        total: usize,
        report: PathBuf,
    },

    #[error("the roster row at {location} cannot be generated: {message}.")]
    RowInvalid { location: String, message: String },

    #[error(
        "interrupted: the repositories already finished are complete, the rest were not started."
    )]
    Interrupted,

    #[error("{} already exists and is not empty.", path.display())]
    TargetNotEmpty { path: PathBuf },

    #[error("{} already exists and is not a directory.", path.display())]
    TargetIsFile { path: PathBuf },

    #[error("--force cannot merge into {}: {}; nothing was changed.", target.display(), conflicts.join("; "))]
    ForceConflicts {
        target: PathBuf,
        conflicts: Vec<String>,
    },

    #[error("could not {action} {}: {source}.", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the embedded template `{template}` is broken: {message}")]
    Template { template: String, message: String },

    #[error("the template folder {} is broken: `{template}`: {message}", folder.display())]
    TemplateFolder {
        folder: PathBuf,
        template: String,
        message: String,
    },

    #[error("git failed while {action}: {message}.")]
    Git {
        action: &'static str,
        message: String,
    },

    #[error("{what} is required and there is no terminal to ask for it.")]
    MissingAnswer {
        what: &'static str,
        flag: &'static str,
    },

    #[error("the template pack {pack} is refused: {path}: {reason}.")]
    PackRefused {
        pack: String,
        path: String,
        reason: String,
    },

    #[error("the template pack {pack} has {problems} problem(s), listed above.")]
    PackLint { pack: String, problems: usize },

    #[error("cannot update {}: {reason}.", path.display())]
    UpdateRefused {
        path: PathBuf,
        reason: String,
        fix: String,
    },

    #[error("the prompt failed: {0}.")]
    Prompt(String),

    /// Esc (or Ctrl-C) at a question of `folio new`; exit 130, as for Ctrl-C anywhere.
    #[error("cancelled, nothing written.")]
    Cancelled,

    #[error("{} is not inside a git repository.", path.display())]
    NotARepository { path: PathBuf },

    #[error("cannot check {}: {source}.", path.display())]
    CheckPathUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the [check] table of {} is not valid: {message}", path.display())]
    CheckConfigInvalid { path: PathBuf, message: String },

    #[error("the rubric {} is not valid: {message}", path.display())]
    RubricInvalid { path: PathBuf, message: String },

    #[error("folio grade cannot start: {reason}.")]
    GradeRefused { reason: String, fix: String },

    #[error("`{given}` (in {origin}) is neither a check area nor a rule id.")]
    UnknownCheckRule {
        given: String,
        origin: String,
        suggestion: Option<String>,
    },
}

impl Error {
    /// The next step for the user, printed as a `hint:` line under the message.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::InvalidName { .. } => Some(
                "choose a name of letters, digits, `-` and `_` that starts with a letter, e.g. `todo-api`."
                    .into(),
            ),
            Error::UnknownStack {
                suggestion: Some(s),
                ..
            } => Some(format!(
                "did you mean `{s}`? `folio list` shows every stack."
            )),
            Error::UnknownStack { known, .. } => Some(format!(
                "use one of: {}; `folio list` describes them.",
                known.join(", ")
            )),
            Error::UnsupportedDatabase { supported, .. } => {
                Some(format!("use --db with one of: {}.", supported.join(", ")))
            }
            Error::UnsupportedJobs { supported, .. } => {
                Some(format!("use --jobs with one of: {}.", supported.join(", ")))
            }
            Error::InvalidOption { option, .. } => Some(format!(
                "give {option} a single line of plain text, or leave it out for the default."
            )),
            Error::AnswersRead { .. } => {
                Some("check the path given to --answers.".into())
            }
            Error::AnswersInvalid { .. } => Some(
                "an answers file is TOML with any of the keys stack, name, db, ci, jobs, author, description, license, year, e.g. `stack = \"go\"`; `folio list` shows the allowed values."
                    .into(),
            ),
            Error::RosterRead { .. } => Some("check the roster path.".into()),
            Error::RosterInvalid { .. } => Some(
                "a roster is CSV with a header that has a `name` column (optional: email, github, stack, db and any column for patterns), or TOML [[students]] tables, or a JSON array of objects."
                    .into(),
            ),
            Error::InvalidPattern { .. } => Some(
                "patterns are Handlebars over the roster's columns, e.g. `{{slug name}}` or `cohort-7-{{slug github}}`."
                    .into(),
            ),
            Error::BatchIncomplete { .. } => Some(
                "fix those rows and run the same command again: repositories already made are skipped."
                    .into(),
            ),
            Error::RowInvalid { .. } => Some(
                "fix that row, or leave out --fail-fast to generate the other rows anyway.".into(),
            ),
            Error::Interrupted => Some(
                "run the same command again to finish: repositories already made are skipped.".into(),
            ),
            Error::TargetNotEmpty { .. } => Some(
                "pick another name or --output folder, or pass --force to write the template's files into it (files the template does not own are kept)."
                    .into(),
            ),
            Error::TargetIsFile { .. } => {
                Some("pick another name or --output folder.".into())
            }
            Error::ForceConflicts { .. } => Some(
                "move or rename the paths listed (folio never writes through a symbolic link or replaces a folder), or pick another name or --output folder."
                    .into(),
            ),
            Error::Io { .. } => Some(
                "check that the folder exists and that you may write to it, then run the command again."
                    .into(),
            ),
            Error::Template { .. } => Some(
                "this is a bug in folio, not in your input: please report it with the command you ran."
                    .into(),
            ),
            Error::TemplateFolder { .. } => Some(
                "each stack is a folder holding a template.toml and plain files (no symbolic links); paths in the manifest stay inside the folder."
                    .into(),
            ),
            Error::Git { .. } => Some(
                "without --force nothing was written (with --force the template's files are already in the folder); pass --vcs none to skip creating a git repository."
                    .into(),
            ),
            Error::MissingAnswer { flag, .. } => {
                Some(format!("pass {flag} (or --answers FILE)."))
            }
            Error::UpdateRefused { fix, .. } => Some(fix.clone()),
            Error::PackLint { .. } => Some(
                "fix each file at the line named; an unknown variable is a typo or a missing [[variables]] entry."
                    .into(),
            ),
            Error::PackRefused { .. } => Some(
                "fix that path in the pack (docs/packs.md lists what a pack may hold), then run `folio pack lint PACK`."
                    .into(),
            ),
            Error::Cancelled => Some(
                "run the command again to start over, or pass the answers as flags with --yes."
                    .into(),
            ),
            Error::Prompt(_) => Some(
                "pass the answers as flags and --yes to run without prompts.".into(),
            ),
            Error::NotARepository { .. } => Some(
                "folio check reads what git tracks: run it in a repository, or `git init` and commit first."
                    .into(),
            ),
            Error::CheckPathUnreadable { .. } => Some(
                "give folio check an existing folder inside a git repository, e.g. `folio check .`."
                    .into(),
            ),
            Error::CheckConfigInvalid { .. } => Some(
                "the table takes min-score (0-100), require and ignore (lists of areas or rule ids), e.g. `min-score = 90`."
                    .into(),
            ),
            Error::RubricInvalid { .. } => Some(
                "docs/grading.md describes the rubric (docs/rubric.schema.json is its schema); an item names a check area or rule id with `check = \"tests\"`, or a kind such as `kind = \"own-work\"`."
                    .into(),
            ),
            Error::GradeRefused { fix, .. } => Some(fix.clone()),
            Error::UnknownCheckRule {
                suggestion: Some(s),
                ..
            } => Some(format!(
                "did you mean `{s}`? `folio check --format json` lists every rule id."
            )),
            Error::UnknownCheckRule { .. } => Some(
                "use an area (docs, tests, ci, api, database, auth, deploy, monitoring, security, deps, git, provenance) or a rule id such as tests.present."
                    .into(),
            ),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn git(action: &'static str, err: git2::Error) -> Self {
        Error::Git {
            action,
            message: err.message().to_string(),
        }
    }
}
