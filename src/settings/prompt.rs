//! The questions `folio new` asks in a terminal. Only the resolver in [`crate::settings`] and
//! `folio new` itself call them, and only when a person is there (`Context::interactive`) and
//! `--yes` was not given.
//!
//! Every choice shows a one-line description (the `///` help of the option's value, so `--help`
//! and the menu say the same). Esc or `q` in a menu cancels ([`Error::Cancelled`], exit 130);
//! Ctrl-C raises SIGINT, which the signal handler turns into the same message. While a question
//! is open the handler knows it ([`interrupt::prompting`]), so it says that nothing was written,
//! and it shows the cursor again that a menu hides.

use clap::ValueEnum;

use crate::answers::{self, Ci, Db, Jobs, License, ProjectName};
use crate::error::{Error, Result};
use crate::project::interrupt;
use crate::template::registry::{Registry, Stack};

/// The widest menu line: wider ones wrap on an 80-column terminal and garble the redraw.
const MENU_WIDTH: usize = 76;

/// The project's name, asked again until it is valid.
pub fn name() -> Result<ProjectName> {
    let _at_prompt = interrupt::prompting();
    let text = dialoguer::Input::<String>::new()
        .with_prompt("Project name (letters, digits, - and _; e.g. todo-api)")
        .validate_with(|text: &String| {
            ProjectName::parse(text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .interact_text()
        .map_err(prompt_error)?;
    ProjectName::parse(&text)
}

/// Which stack, the default one preselected, each with its language and libraries.
pub fn stack(registry: &Registry) -> Result<&Stack> {
    let items: Vec<String> = registry
        .stacks
        .iter()
        .map(|s| {
            menu_line(
                &s.manifest.id,
                &format!("{}: {}", s.manifest.language, s.manifest.summary),
            )
        })
        .collect();
    let default_id = &registry.default_stack()?.manifest.id;
    let default = registry
        .stacks
        .iter()
        .position(|s| s.manifest.id == *default_id)
        .unwrap_or(0);
    let chosen = select("Which stack? (Esc cancels)", &items, default)?;
    Ok(&registry.stacks[chosen])
}

/// Which of the stack's databases, its default first.
pub fn db(stack: &Stack) -> Result<Db> {
    choose("Which database?", &stack.manifest.databases, 0)
}

/// Which background-jobs feature, the stack's default first.
pub fn jobs(stack: &Stack) -> Result<Jobs> {
    choose("Background jobs?", &stack.manifest.jobs, 0)
}

/// Which CI configuration, GitHub Actions first.
pub fn ci() -> Result<Ci> {
    choose("Which CI?", Ci::value_variants(), 0)
}

/// Which licence, MIT first.
pub fn license() -> Result<License> {
    choose("Which license?", License::value_variants(), 0)
}

/// Who the project is by; `default` is git's `user.name` when one is configured.
pub fn author(default: Option<&str>) -> Result<String> {
    let _at_prompt = interrupt::prompting();
    let mut input = dialoguer::Input::<String>::new()
        .with_prompt("Author (for LICENSE, README and the first commit)")
        .validate_with(|text: &String| {
            answers::check_author(text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
    if let Some(name) = default {
        input = input.default(name.to_string());
    }
    input.interact_text().map_err(prompt_error)
}

/// One line of free text, `default` when the person just presses Enter.
pub fn text(prompt: &str, default: &str) -> Result<String> {
    let _at_prompt = interrupt::prompting();
    dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .default(default.to_string())
        .interact_text()
        .map_err(prompt_error)
}

/// A menu of `options`, each described by its `///` help (the `--help` text of the value).
fn choose<T: ValueEnum + Copy>(prompt: &str, options: &[T], default: usize) -> Result<T> {
    let items: Vec<String> = options
        .iter()
        .map(|o| {
            let value = o.to_possible_value();
            let name = value.as_ref().map_or("", |v| v.get_name());
            let help = value
                .as_ref()
                .and_then(|v| v.get_help())
                .map(ToString::to_string)
                .unwrap_or_default();
            menu_line(name, &help)
        })
        .collect();
    Ok(options[select(prompt, &items, default)?])
}

fn select(prompt: &str, items: &[String], default: usize) -> Result<usize> {
    let _at_prompt = interrupt::prompting();
    dialoguer::Select::new()
        .with_prompt(prompt)
        .items(items)
        .default(default)
        .interact_opt()
        .map_err(prompt_error)?
        .ok_or(Error::Cancelled)
}

/// `name  description`, cut to [`MENU_WIDTH`].
fn menu_line(name: &str, description: &str) -> String {
    let line = format!("{name:<20} {}", description.trim_end_matches('.'));
    if line.chars().count() <= MENU_WIDTH {
        line
    } else {
        let cut: String = line.chars().take(MENU_WIDTH - 1).collect();
        format!("{cut}…")
    }
}

fn prompt_error(err: dialoguer::Error) -> Error {
    match err {
        dialoguer::Error::IO(e) if e.kind() == std::io::ErrorKind::Interrupted => Error::Cancelled,
        other => Error::Prompt(other.to_string()),
    }
}
