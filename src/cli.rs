//! The command line, as clap derive definitions and nothing else.
//!
//! Doc comments here are the `--help` text, so they are written for a learner: what an option
//! does, its default, and an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::answers::{Ci, Db, License, Vcs};

/// Generate a small but complete back-end project for your portfolio.
///
/// Every project has a versioned REST API with an OpenAPI contract, a database with migrations,
/// registration and login with hashed passwords and JWT, tests that pass out of the box, CI, a
/// Dockerfile and compose file, Prometheus metrics with Grafana dashboards, and a README that
/// explains it all. It is generated offline, in milliseconds, as a git repository.
#[derive(Debug, Parser)]
#[command(name = "folio", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Examples:\n  folio new todo-api\n  folio new todo-api --stack go --db postgres --yes\n  folio list")]
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
    /// Show the stacks, the options of `folio new`, and what every project holds.
    List(ListArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// Generate a new project.
///
/// In a terminal, folio asks for the answers you did not give as flags; with --yes, or when input
/// is not a terminal, it uses the defaults instead. The project is written into a temporary folder
/// first and moved into place only when complete, so a failure leaves nothing half-written.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  folio new todo-api\n  folio new todo-api --stack go --db postgres --yes\n  folio new shop --stack typescript --ci gitlab --license apache-2.0 --output ~/code\n  folio new todo-api --answers answers.toml --dry-run")]
pub struct NewArgs {
    /// The project's name: letters, digits, `-` and `_`, starting with a letter (e.g. todo-api).
    /// It names the folder, the package and the Docker image.
    pub name: String,

    /// The stack: an id such as `python-fastapi`, or a language (python, typescript, go, java,
    /// rust) for its default stack. `folio list` shows them all. [default: python-fastapi]
    #[arg(long, short = 's')]
    pub stack: Option<String>,

    /// The database: `sqlite` (a file, zero setup) or `postgres` (via docker compose and a CI
    /// service container). [default: sqlite]
    #[arg(long, value_enum)]
    pub db: Option<Db>,

    /// The CI configuration to generate. [default: github]
    #[arg(long, value_enum)]
    pub ci: Option<Ci>,

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
}

/// Show the stacks and options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format: text for people, json for scripts.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// Print a completion script, e.g. `folio completions bash > ~/.local/share/bash-completion/completions/folio`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

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
