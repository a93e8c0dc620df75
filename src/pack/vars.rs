//! Pack variables: their definitions checked at load, answers parsed and validated.
//!
//! A definition is checked before anything renders: the name is a plain identifier, a `choice`
//! lists its choices, a `pattern` compiles (the `regex` crate matches in linear time, so a pack
//! cannot make folio backtrack) and the default passes the variable's own rules. Answers from
//! `--var`, an answers file or a prompt go through the same [`Variable::accept`].

use std::collections::BTreeMap;

use regex::RegexBuilder;

use crate::pack::manifest::{Variable, VariableKind};

/// The longest string answer (the same bound as folio's own free-text answers).
const MAX_STRING_LEN: usize = 200;
/// The largest compiled pattern; far above any sane one, far below what could hurt.
const MAX_PATTERN_BYTES: usize = 1 << 20;

/// The answers to a pack's variables, by name, as recorded in `.folio.toml`'s `[vars]`.
pub type Values = BTreeMap<String, toml::Value>;

impl Variable {
    /// Why this definition is unusable, if it is.
    pub fn problem(&self) -> Option<String> {
        let name_ok = self
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
            && self.name.len() <= 64
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            return Some(format!(
                "the variable name `{}` must be lower-case letters, digits and `_`, starting with a letter",
                self.name
            ));
        }
        if self.kind == VariableKind::Choice && self.choices.is_empty() {
            return Some(format!(
                "the choice variable `{}` lists no choices",
                self.name
            ));
        }
        if let Some(pattern) = &self.pattern {
            if self.kind != VariableKind::String {
                return Some(format!("`{}` has a pattern but is not a string", self.name));
            }
            if let Err(e) = RegexBuilder::new(pattern)
                .size_limit(MAX_PATTERN_BYTES)
                .build()
            {
                return Some(format!("the pattern of `{}` is not valid: {e}", self.name));
            }
        }
        if let Some(default) = &self.default {
            if let Err(why) = self.check(default) {
                return Some(format!(
                    "the default of `{}` fails its own rules: {why}",
                    self.name
                ));
            }
        }
        None
    }

    /// Parses and checks an answer given as text (`--var`, a prompt).
    pub fn accept(&self, text: &str) -> Result<toml::Value, String> {
        let value = match self.kind {
            VariableKind::String | VariableKind::Choice => toml::Value::String(text.to_string()),
            VariableKind::Bool => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" | "on" => toml::Value::Boolean(true),
                "false" | "no" | "n" | "0" | "off" => toml::Value::Boolean(false),
                _ => return Err(format!("`{text}` is not true or false")),
            },
            VariableKind::Integer => toml::Value::Integer(
                text.trim()
                    .parse()
                    .map_err(|_| format!("`{text}` is not a whole number"))?,
            ),
        };
        self.check(&value)?;
        Ok(value)
    }

    /// Checks a value of the right TOML type against the variable's rules.
    pub fn check(&self, value: &toml::Value) -> Result<(), String> {
        match (self.kind, value) {
            (VariableKind::String, toml::Value::String(s)) => {
                if s.chars().count() > MAX_STRING_LEN {
                    return Err(format!("it is longer than {MAX_STRING_LEN} characters"));
                }
                if s.chars().any(char::is_control) {
                    return Err("it holds a control character".into());
                }
                if let Some(pattern) = &self.pattern {
                    let whole = format!("^(?:{pattern})$");
                    let re = RegexBuilder::new(&whole)
                        .size_limit(MAX_PATTERN_BYTES)
                        .build()
                        .map_err(|e| e.to_string())?;
                    if !re.is_match(s) {
                        return Err(format!("`{s}` does not match the pattern `{pattern}`"));
                    }
                }
                Ok(())
            }
            (VariableKind::Choice, toml::Value::String(s)) => {
                if self.choices.contains(s) {
                    Ok(())
                } else {
                    Err(format!("`{s}` is not one of {}", self.choices.join(", ")))
                }
            }
            (VariableKind::Bool, toml::Value::Boolean(_)) => Ok(()),
            (VariableKind::Integer, toml::Value::Integer(n)) => {
                if self.min.is_some_and(|min| *n < min) || self.max.is_some_and(|max| *n > max) {
                    Err(format!(
                        "{n} is outside {}..{}",
                        self.min.map_or(String::new(), |m| m.to_string()),
                        self.max.map_or(String::new(), |m| m.to_string())
                    ))
                } else {
                    Ok(())
                }
            }
            (kind, other) => Err(format!("{other} is not a {kind:?} value").to_lowercase()),
        }
    }

    /// The values `folio pack lint` tries: every choice, both booleans, else the default.
    pub fn lint_values(&self) -> Vec<toml::Value> {
        match self.kind {
            VariableKind::Choice => self
                .choices
                .iter()
                .map(|c| toml::Value::String(c.clone()))
                .collect(),
            VariableKind::Bool => vec![toml::Value::Boolean(false), toml::Value::Boolean(true)],
            _ => self.default.clone().into_iter().collect(),
        }
    }
}

/// A `--var KEY=VALUE` as typed.
pub fn split_assignment(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE (e.g. cohort=2026-spring)"))?;
    Ok((key.trim().to_string(), value.to_string()))
}

/// The JSON a template sees as `pack`.
pub fn to_json(values: &Values) -> serde_json::Map<String, serde_json::Value> {
    values
        .iter()
        .map(|(k, v)| {
            let json = match v {
                toml::Value::String(s) => serde_json::Value::String(s.clone()),
                toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
                toml::Value::Integer(n) => serde_json::Value::from(*n),
                other => serde_json::Value::String(other.to_string()),
            };
            (k.clone(), json)
        })
        .collect()
}

/// The answers to `variables`: `--var` flags, then the answers file's `[vars]`, then a prompt
/// (in a terminal), then the default. A variable left without an answer is an error that names
/// the flag to pass.
pub fn resolve(
    variables: &[Variable],
    flags: &[String],
    file: Option<&toml::Table>,
    ask: bool,
) -> crate::error::Result<Values> {
    use crate::error::Error;
    let invalid = |reason: String| Error::InvalidOption {
        option: "--var",
        reason,
    };
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    for flag in flags {
        let (key, value) = split_assignment(flag).map_err(invalid)?;
        if !variables.iter().any(|v| v.name == key) {
            let known: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
            return Err(invalid(format!(
                "names `{}`, which the pack does not declare (it has: {})",
                crate::answers::one_line(&key, 60),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        given.insert(key, value);
    }
    let mut values = Values::new();
    for var in variables {
        let value = if let Some(text) = given.get(&var.name) {
            var.accept(text)
                .map_err(|why| invalid(format!("{}: {why}", var.name)))?
        } else if let Some(value) = file.and_then(|f| f.get(&var.name)) {
            var.check(value)
                .map_err(|why| invalid(format!("{} (from the answers file): {why}", var.name)))?;
            value.clone()
        } else if ask {
            let shown = var.default.as_ref().map(display).unwrap_or_default();
            loop {
                let text = crate::settings::prompt::text(&var.prompt, &shown)?;
                match var.accept(&text) {
                    Ok(value) => break value,
                    Err(why) => eprintln!("{why}; try again."),
                }
            }
        } else if let Some(default) = &var.default {
            default.clone()
        } else {
            return Err(invalid(format!(
                "{} has no default: pass --var {}=VALUE ({})",
                var.name, var.name, var.prompt
            )));
        };
        values.insert(var.name.clone(), value);
    }
    Ok(values)
}

fn display(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(kind: VariableKind) -> Variable {
        Variable {
            name: "cohort".into(),
            kind,
            prompt: "Cohort".into(),
            default: None,
            choices: vec![],
            pattern: None,
            min: None,
            max: None,
        }
    }

    #[test]
    fn patterns_match_whole_answers() {
        let mut v = var(VariableKind::String);
        v.pattern = Some("[0-9]{4}-(spring|autumn)".into());
        assert!(v.accept("2026-spring").is_ok());
        assert!(v.accept("x2026-spring").is_err());
        assert!(v.accept("2026-springx").is_err());
    }

    #[test]
    fn a_default_that_fails_its_own_pattern_is_a_broken_definition() {
        let mut v = var(VariableKind::String);
        v.pattern = Some("[a-z]+".into());
        v.default = Some(toml::Value::String("Not Lower".into()));
        assert!(v.problem().unwrap().contains("default"));
        v.default = Some(toml::Value::Integer(3));
        assert!(v.problem().is_some());
    }

    #[test]
    fn kinds_parse_their_answers() {
        assert_eq!(
            var(VariableKind::Bool).accept("yes").unwrap(),
            toml::Value::Boolean(true)
        );
        let mut n = var(VariableKind::Integer);
        n.min = Some(1);
        n.max = Some(5);
        assert!(n.accept("6").is_err() && n.accept("x").is_err());
        let mut c = var(VariableKind::Choice);
        c.choices = vec!["a".into(), "b".into()];
        assert!(c.accept("b").is_ok() && c.accept("c").is_err());
        assert!(var(VariableKind::String).accept("a\u{1b}[2J").is_err());
    }
}
