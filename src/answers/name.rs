//! `ProjectName`: a project name that is valid by construction.
//!
//! The name becomes a folder, a package, a module path, a Docker image and a database name, in five
//! languages. So it is held to the intersection of what they all accept: an ASCII letter, then
//! letters, digits, `-` and `_`. Each stack adds its own keywords (checked against the forms the
//! stack derives from the name, e.g. `todo_api` and `todoapi`).

use std::fmt;

use heck::ToSnakeCase;

use crate::error::{Error, Result};

/// Longest name accepted: folder names, Docker tags and database identifiers all fit under it.
const MAX_LEN: usize = 64;

/// Names Windows refuses as file names, whatever the extension or case.
const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectName(String);

impl ProjectName {
    /// Checks the rules every stack shares.
    pub fn parse(raw: &str) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidName {
            name: raw.to_string(),
            reason,
        };
        if raw.is_empty() {
            return Err(invalid("it is empty".into()));
        }
        if raw == "." || raw == ".." {
            return Err(invalid(
                "`.` and `..` are folders, not names (use --output to choose where the project goes)"
                    .into(),
            ));
        }
        if raw.contains('/') || raw.contains('\\') {
            return Err(invalid(
                "it contains a path separator (use --output to choose the parent folder)".into(),
            ));
        }
        let first = raw.chars().next().expect("checked non-empty");
        if first.is_ascii_digit() {
            return Err(invalid("it starts with a digit".into()));
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(invalid(format!(
                "it contains {}, and only letters, digits, `-` and `_` are allowed",
                describe_char(bad)
            )));
        }
        if !first.is_ascii_alphabetic() {
            return Err(invalid(format!("it starts with `{first}`, not a letter")));
        }
        if raw.len() > MAX_LEN {
            return Err(invalid(format!(
                "it is {} characters long, more than {MAX_LEN}",
                raw.len()
            )));
        }
        if WINDOWS_RESERVED.contains(&raw.to_ascii_lowercase().as_str()) {
            return Err(invalid(
                "Windows reserves it as a device name, so the folder could not be cloned there"
                    .into(),
            ));
        }
        Ok(ProjectName(raw.to_string()))
    }

    /// Rejects a name whose derived identifiers are keywords (or shadow a dependency) in the stack.
    pub fn check_keywords(&self, stack: &str, keywords: &[String]) -> Result<()> {
        let snake = self.0.to_snake_case();
        let flat = flat_case(&self.0);
        if let Some(word) = keywords.iter().find(|k| **k == snake || **k == flat) {
            return Err(Error::InvalidName {
                name: self.0.clone(),
                reason: format!(
                    "the {stack} project would use `{word}` as an identifier, and that is a keyword or an import it needs"
                ),
            });
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lower-case letters and digits only: `Todo-API` becomes `todoapi` (Java packages use it).
pub fn flat_case(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Names a character so that a space or a control character is visible in the message.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for ok in ["todo-api", "TodoApi", "a", "my_service2", "x-1"] {
            assert_eq!(ProjectName::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejection_names_the_problem() {
        let cases = [
            ("", "empty"),
            (".", "folders"),
            ("..", "folders"),
            ("a/b", "path separator"),
            ("a\\b", "path separator"),
            ("1api", "digit"),
            ("-api", "not a letter"),
            ("_api", "not a letter"),
            ("my api", "a space"),
            ("café", "`é`"),
            ("tab\tname", "U+0009"),
            ("con", "Windows"),
            ("LPT1", "Windows"),
        ];
        for (name, needle) in cases {
            let err = ProjectName::parse(name).unwrap_err().to_string();
            assert!(err.contains(needle), "{name:?}: {err}");
        }
        let long = "a".repeat(65);
        assert!(
            ProjectName::parse(&long)
                .unwrap_err()
                .to_string()
                .contains("65")
        );
    }

    #[test]
    fn keywords_are_checked_on_derived_forms() {
        let keywords = vec!["class".to_string(), "import".to_string()];
        let name = ProjectName::parse("Class").unwrap();
        assert!(name.check_keywords("java-spring", &keywords).is_err());
        let name = ProjectName::parse("im-port").unwrap();
        assert!(name.check_keywords("java-spring", &keywords).is_err());
        let name = ProjectName::parse("classroom").unwrap();
        assert!(name.check_keywords("java-spring", &keywords).is_ok());
    }
}
