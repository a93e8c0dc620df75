//! The command line, as clap derive definitions and nothing else.
//!
//! Doc comments here are the `--help` text, so they are written for a learner: what an option
//! does, its default, and an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::answers::{Ci, Db, Jobs, License, Vcs};
use crate::check::format;

/// Generate a small but complete back-end project for your portfolio.
///
/// Every project has a versioned REST API with an OpenAPI contract, a database with migrations,
/// registration and login with hashed passwords and JWT, tests that pass out of the box, CI, a
/// Dockerfile and compose file, Prometheus metrics with Grafana dashboards, and a README that
/// explains it all. It is generated offline, in milliseconds, as a git repository.
#[derive(Debug, Parser)]
#[command(
    name = "folio",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Examples:\n  folio new todo-api\n  folio new todo-api --stack go --db postgres --yes\n  folio list"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new project in a new folder.
    New(NewArgs),
    /// Generate one repository per student of a roster, in parallel.
    Batch(BatchArgs),
    /// Show the stacks, the options of `folio new`, and what every project holds.
    List(ListArgs),
    /// Audit a repository against the portfolio checklist (exit 1 when it falls short).
    Check(CheckArgs),
    /// Merge this folio's templates into generated repositories, as a real git merge.
    Update(UpdateArgs),
    /// Author and test a template pack (a bootcamp's assignment on top of a stack).
    Pack(PackArgs),
    /// Grade a cohort's repositories into a gradebook, under the instructor's rubric.
    Grade(GradeArgs),
    /// Check which stacks this machine can set up, test and run (exit 1 when not).
    Doctor(DoctorArgs),
    /// Print a shell completion script (its --help says where to install it).
    Completions(CompletionsArgs),
    /// Print folio's manual page (roff), e.g. into ~/.local/share/man/man1/folio.1.
    Man(ManArgs),
}

/// Generate a new project.
///
/// In a terminal, folio asks for the answers you did not give as flags; with --yes, or when input
/// is not a terminal, it uses the defaults instead. The project is written into a temporary folder
/// first and moved into place only when complete, so a failure leaves nothing half-written.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  folio new todo-api\n  folio new todo-api --stack go --db postgres --yes\n  folio new shop --stack typescript --ci gitlab --license apache-2.0 --output ~/code\n  folio new todo-api --answers answers.toml --dry-run"
)]
pub struct NewArgs {
    /// The project's name: letters, digits, `-` and `_`, starting with a letter (e.g. todo-api).
    /// It names the folder, the package and the Docker image. [asked in a terminal when missing]
    pub name: Option<String>,

    /// The stack: an id such as `python-fastapi`, or a language (python, typescript, go, java,
    /// rust) for its default stack. `folio list` shows them all. [default: python-fastapi]
    #[arg(long, short = 's')]
    pub stack: Option<String>,

    /// The database: `sqlite` (a file, zero setup) or `postgres` (via docker compose and a CI
    /// service container). [default: sqlite]
    #[arg(long, value_parser = DbParser)]
    pub db: Option<Db>,

    /// The CI configuration to generate. [default: github]
    #[arg(long, value_enum)]
    pub ci: Option<Ci>,

    /// Background jobs: `webhooks` (signed webhooks about task changes, delivered by a durable
    /// worker) or `none` (a minimal starter without a worker). [default: webhooks]
    #[arg(long, value_enum)]
    pub jobs: Option<Jobs>,

    /// The author named in LICENSE and README (e.g. --author "Ada Lovelace").
    /// [default: git's user.name]
    #[arg(long)]
    pub author: Option<String>,

    /// One line saying what the project is, for the README and the package metadata.
    #[arg(long)]
    pub description: Option<String>,

    /// The license of the generated project. [default: mit]
    #[arg(long, value_enum)]
    pub license: Option<License>,

    /// The folder to create the project in; the project goes into OUTPUT/NAME.
    /// [default: the current folder]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// Whether to create a git repository with a first commit. Inside an existing git work
    /// tree folio never creates one. [default: git]
    #[arg(long, value_enum)]
    pub vcs: Option<Vcs>,

    /// A TOML file of answers (keys: stack, db, ci, author, description, license, year), e.g. a
    /// `.folio.toml` from another project. Flags win over it.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// Do not ask anything: use flags, the answers file and defaults.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Write into an existing non-empty folder, replacing the template's files there. Files the
    /// template does not own are never deleted.
    #[arg(long)]
    pub force: bool,

    /// Output format: text for people, or json (the created path, stack, options and first
    /// commit) on stdout for scripts.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,

    /// A template pack (a folder, or a git repository as URL[#REV] or PATH#REV) to generate
    /// from: a bootcamp's assignment on top of a stack. Packs are data; nothing in one runs.
    #[arg(long, value_name = "PACK")]
    pub template: Option<String>,

    /// Answer a template pack's variable, e.g. --var cohort=2026-spring; repeatable.
    #[arg(long, value_name = "KEY=VALUE", requires = "template")]
    pub var: Vec<String>,
}

/// Generate one repository per student of a roster.
///
/// Each repository is a personalised project (its README and .folio.toml name the student) with
/// one commit by the instructor (git's identity or --author) and an `origin` remote. Rows with
/// problems are reported with their line and do not stop the others. Running the same command
/// again skips the repositories that exist, so an interrupted or partly failed run can simply be
/// repeated. A report is written to OUT/batch-report.json.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  folio batch roster.csv --stack python --out cohort-7/\n  folio batch roster.csv --name-pattern 'c7-{{slug name}}' --remote-pattern 'git@github.com:acme-c7/{{slug github}}.git'\n\nroster.csv:\n  name,email,github\n  Ada Lovelace,ada@example.org,ada-l"
)]
pub struct BatchArgs {
    /// The roster: CSV with a header that has a `name` column (optional columns: email, github,
    /// stack, db, and any others for the patterns), or TOML ([[students]]) or JSON.
    pub roster: PathBuf,

    /// The stack for rows without a `stack` column. [default: python-fastapi]
    #[arg(long, short = 's')]
    pub stack: Option<String>,

    /// The database for rows without a `db` column. [default: the stack's first]
    #[arg(long, value_enum)]
    pub db: Option<Db>,

    /// The CI configuration of every repository. [default: github]
    #[arg(long, value_enum)]
    pub ci: Option<Ci>,

    /// The background-jobs feature of every repository, as `folio new --jobs` (webhooks or
    /// none; `--jobs` here is the number of repositories made at once). [default: webhooks]
    #[arg(long, value_enum, value_name = "FEATURE")]
    pub background_jobs: Option<Jobs>,

    /// The license of every repository. [default: mit]
    #[arg(long, value_enum)]
    pub license: Option<License>,

    /// The folder that receives one folder per student. [default: the current folder]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// How to name each repository, in Handlebars over the roster's columns.
    #[arg(long, value_name = "PATTERN", default_value = "{{slug name}}")]
    pub name_pattern: String,

    /// The `origin` URL of each repository (not contacted), e.g.
    /// 'git@github.com:cohort-7/{{slug github}}.git'.
    #[arg(long, value_name = "URL")]
    pub remote_pattern: Option<String>,

    /// The instructor identity of each first commit, "Name <email>". [default: git's user.name]
    #[arg(long, value_name = "IDENTITY")]
    pub author: Option<String>,

    /// How many repositories to generate at once. [default: the number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Stop at the first row with a problem.
    #[arg(long)]
    pub fail_fast: bool,

    /// Regenerate into existing repositories (template files are replaced, others kept).
    #[arg(long)]
    pub force: bool,

    /// Print what would be generated, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// A template pack to generate every repository from (see `folio new --template`).
    #[arg(long, value_name = "PACK")]
    pub template: Option<String>,

    /// Answer a template pack's variable for every repository, e.g. --var cohort=2026-spring.
    #[arg(long, value_name = "KEY=VALUE", requires = "template")]
    pub var: Vec<String>,
}

/// Show the stacks and options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format: text for people, json for scripts.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,

    /// Describe a template pack instead: its stack, variables and files.
    #[arg(long, value_name = "PACK")]
    pub template: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// Audit a repository against the portfolio checklist.
///
/// Works on any git repository, generated by folio or not: Python, TypeScript/JavaScript, Go, Java
/// and Rust are judged by their own conventions. Only files git tracks are read. Exit status: 0
/// when every required rule passes and the score reaches --min-score, 1 when not, 2 on an error.
/// A `[check]` table in .folio.toml (min-score, require, ignore) sets the same policy as the flags.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  folio check\n  folio check path/to/repo --format json\n  folio check --min-score 90 --require deploy --ignore git.history\n  folio check --format github   # annotations in a GitHub Actions job"
)]
pub struct CheckArgs {
    /// The repository (or a folder inside one) to check. [default: the current folder]
    #[arg(value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// Output format: text for people, json for scripts (see docs/check-report.schema.json),
    /// junit for CI test reports, github for workflow annotations, markdown for a job summary,
    /// sarif for code scanning (SARIF 2.1.0), gitlab for GitLab Code Quality.
    #[arg(long, value_enum, default_value_t = format::Format::Text)]
    pub format: format::Format,

    /// Fail when the score (0-100) is below N. [default: the [check] table's, else 0]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_score: Option<u8>,

    /// Treat an area (e.g. deploy) or a rule (e.g. api.openapi) as required; repeatable.
    #[arg(long, value_name = "AREA|RULE")]
    pub require: Vec<String>,

    /// Skip an area or a rule (e.g. git.history); repeatable.
    #[arg(long, value_name = "AREA|RULE")]
    pub ignore: Vec<String>,
}

/// Merge this folio's templates into a generated repository (or many).
///
/// folio renders the project again from its .folio.toml (with any --set changes), commits that
/// render on top of the commit that holds the previous one (the newest commit with a
/// `Folio-Render` trailer), and merges it into your branch with git's own merge: files you did
/// not touch take the template's changes, your edits stay, and overlapping edits become normal
/// git conflicts (`git status` lists them; `git commit` finishes, `git merge --abort` undoes).
/// Your .env is never touched. Exit status: 0 updated or up to date, 1 conflicts to resolve
/// (or, with --check, an update is available), 2 on an error.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  folio update --dry-run\n  folio update\n  folio update --set db=postgres --set ci=gitlab\n  folio update --check          # in CI: exit 1 when an update is available\n  folio update cohort-7/        # every repository of a folio batch folder"
)]
pub struct UpdateArgs {
    /// Repositories to update, or folders made by `folio batch` (their batch-report.json lists
    /// the repositories). [default: the current folder]
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Change an answer during the update, e.g. db=postgres, ci=gitlab, license=mit; repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<crate::update::sets::Assignment>,

    /// Show what would happen to every file, and touch nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,

    /// Exit 1 when an update is available, 0 when not; touch nothing (for CI).
    #[arg(long)]
    pub check: bool,

    /// The commit that holds folio's previous render, when history lost its `Folio-Render`
    /// trailer (e.g. after a squash). [default: the newest commit with the trailer]
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Output format: text for people, json for scripts.
    #[arg(long, value_enum, default_value_t = UpdateFormat::Text)]
    pub format: UpdateFormat,

    /// How many repositories to update at once. [default: the number of CPUs]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// For a project made from a template pack: the pack (or a newer release of it) to render
    /// from. [default: the source recorded in .folio.toml]
    #[arg(long, value_name = "PACK")]
    pub template: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UpdateFormat {
    Text,
    Json,
}

/// Author and test a template pack.
///
/// A pack is a folder (or git repository) with a folio-pack.toml and its files: data only,
/// nothing in it runs while generating. `folio new NAME --template PACK` uses one.
#[derive(Debug, Args)]
pub struct PackArgs {
    #[command(subcommand)]
    pub command: PackCommand,
}

#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Create a working pack skeleton: a manifest, one overlay file, one variable, a README.
    Init(PackInitArgs),
    /// Check that the pack renders for every combination of its variables, databases and CI
    /// choices, and that its JSON, YAML and TOML outputs parse (exit 2 on a problem).
    Lint(PackLintArgs),
    /// Generate every combination into a temporary folder and audit it with `folio check`;
    /// with --run, also run the stack's setup and test commands there.
    Test(PackTestArgs),
}

#[derive(Debug, Args)]
pub struct PackInitArgs {
    /// The folder to create (it must not exist or be empty).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The built-in stack the pack extends.
    #[arg(long, value_name = "STACK", default_value = "python-fastapi")]
    pub extends: String,
}

#[derive(Debug, Args)]
pub struct PackLintArgs {
    /// The pack: a folder, or a git repository as URL[#REV] or PATH#REV.
    #[arg(value_name = "PACK")]
    pub pack: String,
}

#[derive(Debug, Args)]
pub struct PackTestArgs {
    /// The pack: a folder, or a git repository as URL[#REV] or PATH#REV.
    #[arg(value_name = "PACK")]
    pub pack: String,

    /// Also run the stack's setup and test commands in the projects of the default database
    /// (once per set of variable values).
    /// This EXECUTES the pack's code (its tests and whatever they import): run it only on packs
    /// you trust, or in a sandbox.
    #[arg(long)]
    pub run: bool,
}

/// Grade a cohort's repositories into a gradebook.
///
/// Each repository is judged at its graded commit (HEAD, or with --deadline the last commit
/// committed before it) by the `folio check` rules under the rubric, plus the student's own work
/// since the pristine-render commit (commits, authors, active days, lines changed outside the
/// starter's content, and anomalies such as back-dated commits). A student's .folio.toml [check]
/// table may add requirements but its ignores are refused: the rubric sets the bar. Writes
/// gradebook.csv, items.csv, grades.json and feedback/<student>.md into --out, and a summary on
/// stdout. A repository that cannot be graded gets a row saying why.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  folio grade --cohort cohort-7/ --rubric rubric.toml --out grades/\n  folio grade --cohort cohort-7/ --deadline 2026-12-01T23:59:00Z\n  folio grade ../ada ../grace --run-tests --jobs 2\n\ndocs/grading.md has a sample rubric."
)]
pub struct GradeArgs {
    /// Repositories to grade (any git repository), in this order.
    #[arg(value_name = "REPO", conflicts_with = "cohort")]
    pub repos: Vec<PathBuf>,

    /// A folder made by `folio batch`: its batch-report.json names each student and repository.
    #[arg(long, value_name = "DIR")]
    pub cohort: Option<PathBuf>,

    /// The rubric (TOML; docs/rubric.schema.json). [default: one item per check area, own work,
    /// and the --run-tests items]
    #[arg(long, value_name = "RUBRIC.toml")]
    pub rubric: Option<PathBuf>,

    /// Grade each repository at its last commit committed before this time (RFC 3339, e.g.
    /// 2026-12-01T23:59:00Z); later commits are listed as late.
    #[arg(long, value_name = "RFC3339")]
    pub deadline: Option<String>,

    /// Also run each project's setup and test commands, and probe its running server. This
    /// EXECUTES THE STUDENTS' CODE (in a temporary clone, each command in its own process group
    /// with a timeout): run it only in a sandbox or a throwaway machine or container.
    #[arg(long)]
    pub run_tests: bool,

    /// The folder for gradebook.csv, items.csv, grades.json and feedback/. [default: ./grades]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// How many repositories to grade at once. [default: the number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(
    after_help = "It completes subcommands, options, stack ids and languages, databases and CI choices.\nInstall it once, then open a new shell:\n  bash        folio completions bash > ~/.local/share/bash-completion/completions/folio\n  zsh         folio completions zsh > ~/.zfunc/_folio\n              (and in ~/.zshrc: fpath+=~/.zfunc; autoload -Uz compinit && compinit)\n  fish        folio completions fish > ~/.config/fish/completions/folio.fish\n  elvish      folio completions elvish >> ~/.config/elvish/rc.elv\n  powershell  folio completions powershell >> $PROFILE"
)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Check this machine's toolchains.
///
/// For each stack: the tools its template needs (the language's toolchain and make, and Docker
/// for `--db postgres`), the version found on PATH against the minimum the template declares, and
/// how to install what is missing; then git's identity, which names you in every first commit.
/// Exit status: 0 when the stack (with --stack; else at least one stack) can run, 1 when not.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  folio doctor\n  folio doctor --stack go --db postgres\n  folio doctor --format json"
)]
pub struct DoctorArgs {
    /// Check only this stack (an id, a language or an alias, as `folio new --stack`).
    #[arg(long, short = 's', value_name = "STACK")]
    pub stack: Option<String>,

    /// The database the project will use: with `postgres`, Docker is required too.
    /// [default: sqlite]
    #[arg(long, value_parser = DbParser)]
    pub db: Option<Db>,

    /// Output format: text for people, json for scripts.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// `--db`'s parser: the values of [`Db`] for help and completion, and an error that lists the
/// databases folio offers. clap's own would suggest `sqlite` for `mysql`, which misleads.
#[derive(Debug, Clone, Copy)]
pub struct DbParser;

impl clap::builder::TypedValueParser for DbParser {
    type Value = Db;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Db, clap::Error> {
        let text = value.to_string_lossy();
        Db::from_str(&text, false).map_err(|_| {
            let flag = arg.map_or("--db".to_string(), |a| a.to_string());
            let known: Vec<String> = Db::value_variants()
                .iter()
                .filter_map(|d| d.to_possible_value().map(|p| p.get_name().to_string()))
                .collect();
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "`{text}` is not a database folio offers for {flag}: use one of {} (`folio list` describes them).\n",
                    known.join(", ")
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Db::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// Print the manual page.
#[derive(Debug, Args)]
pub struct ManArgs {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
