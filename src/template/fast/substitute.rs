//! The common templated runs, filled in without Handlebars.
//!
//! Why: after [`segments`](super::segments) most runs left are lines like
//! `package com.example.{{flat name}}.auth;` or `You need make{{#if postgres}} and Docker{{/if}}.`,
//! and each Handlebars call pays a parser set-up that cost more than the rest of the render.
//! A run is filled in here when every tag is one of:
//!
//! - `{{path}}` or `{{helper path}}`: a string value, through one of folio's string helpers;
//! - `{{#if path}}`, `{{#unless path}}`, `{{else}}`, `{{else if path}}`, `{{^}}`, `{{/if}}`,
//!   `{{/unless}}`, each sharing its line with text (a block tag alone on its line is trimmed
//!   with the line by Handlebars: those runs go to Handlebars).
//!
//! Anything else (other helpers, literals, partials, comments, escapes, whitespace control, a
//! missing value, a non-string value printed) gives `None` and goes to Handlebars, which also
//! reports the errors. The helpers are the very functions registered with Handlebars, truth is
//! Handlebars' own rule, and the render tests compare both ways on every embedded template.

use serde_json::Value;

pub use crate::template::helpers::StringHelper;

/// Handlebars' own helpers: a bare `{{name}}` with one of these names calls the helper.
const BUILTIN_HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

/// `run` with its tags filled in from `data`, or `None` when Handlebars must do it.
pub fn substitute(run: &str, data: &Value, helpers: &[(&str, StringHelper)]) -> Option<String> {
    let tokens = tokenize(run)?;
    if has_standalone_block_tag(&tokens) {
        return None;
    }
    let mut out = String::with_capacity(run.len() + 32);
    let mut blocks: Vec<Block> = Vec::new();
    let emitting = |blocks: &[Block]| blocks.last().is_none_or(|b| b.emitting);
    for token in &tokens {
        match *token {
            Token::Text(text) => {
                if emitting(&blocks) {
                    out.push_str(text);
                }
            }
            Token::Value(tag) => {
                // Evaluated even where it is not printed, so that a wrong tag anywhere goes to
                // Handlebars and its error.
                let filled = value(tag, data, helpers)?;
                if emitting(&blocks) {
                    out.push_str(&filled);
                }
            }
            Token::Open(kind, path) => {
                let outer = emitting(&blocks);
                let holds = kind.holds(truthy(lookup(path, data)?));
                blocks.push(Block {
                    kind,
                    outer,
                    taken: holds,
                    emitting: outer && holds,
                });
            }
            Token::ElseIf(kind, path) => {
                let block = blocks.last_mut()?;
                if block.taken {
                    block.emitting = false;
                } else {
                    let holds = kind.holds(truthy(lookup(path, data)?));
                    block.taken = holds;
                    block.emitting = block.outer && holds;
                }
            }
            Token::Else => {
                let block = blocks.last_mut()?;
                block.emitting = block.outer && !block.taken;
                block.taken = true;
            }
            Token::Close(kind) => {
                if blocks.pop()?.kind != kind {
                    return None;
                }
            }
        }
    }
    blocks.is_empty().then_some(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    If,
    Unless,
}

impl Kind {
    fn holds(self, truth: bool) -> bool {
        match self {
            Kind::If => truth,
            Kind::Unless => !truth,
        }
    }
}

/// An open `if`/`unless` block while filling in.
struct Block {
    kind: Kind,
    /// Whether the text around the block is being printed.
    outer: bool,
    /// Whether a branch of this block was chosen already.
    taken: bool,
    emitting: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Text(&'a str),
    /// The inside of `{{path}}` or `{{helper path}}`.
    Value(&'a str),
    Open(Kind, &'a str),
    ElseIf(Kind, &'a str),
    Else,
    Close(Kind),
}

impl Token<'_> {
    fn is_block(&self) -> bool {
        !matches!(self, Token::Text(_) | Token::Value(_))
    }
}

fn tokenize(run: &str) -> Option<Vec<Token<'_>>> {
    let mut tokens = Vec::new();
    let mut rest = run;
    while let Some(open) = rest.find("{{") {
        if rest[..open].ends_with('\\') {
            return None;
        }
        if open > 0 {
            tokens.push(Token::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        tokens.push(token(&after[..close])?);
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        tokens.push(Token::Text(rest));
    }
    Some(tokens)
}

/// The meaning of one tag's inside, if it is one this module fills in.
fn token(tag: &str) -> Option<Token<'_>> {
    if tag.starts_with(['{', '~', '!', '>', '&']) || tag.ends_with('~') {
        return None;
    }
    let words: Vec<&str> = tag.split_ascii_whitespace().collect();
    let kind = |word: &str| match word {
        "if" => Some(Kind::If),
        "unless" => Some(Kind::Unless),
        _ => None,
    };
    Some(match words.as_slice() {
        ["^"] | ["else"] => Token::Else,
        ["else", word, path] => Token::ElseIf(kind(word)?, path),
        [word, path] if word.starts_with('#') => Token::Open(kind(&word[1..])?, path),
        [word] if word.starts_with('/') => Token::Close(kind(&word[1..])?),
        [path] if !path.starts_with(['#', '/', '^']) => Token::Value(tag),
        [_, _] => Token::Value(tag),
        _ => return None,
    })
}

/// Whether a line holds a block tag and nothing else but blanks and other tags.
fn has_standalone_block_tag(tokens: &[Token<'_>]) -> bool {
    let mut has_block = false;
    let mut has_text = false;
    for token in tokens {
        match token {
            Token::Text(text) => {
                let mut lines = text.split('\n');
                let first = lines.next().unwrap_or("");
                has_text |= !first.trim_matches([' ', '\t', '\r']).is_empty();
                for line in lines {
                    if has_block && !has_text {
                        return true;
                    }
                    has_block = false;
                    has_text = !line.trim_matches([' ', '\t', '\r']).is_empty();
                }
            }
            Token::Value(_) => has_text = true,
            block => has_block |= block.is_block(),
        }
    }
    has_block && !has_text
}

/// The value of `path` or `helper path`: a string.
fn value(tag: &str, data: &Value, helpers: &[(&str, StringHelper)]) -> Option<String> {
    let words: Vec<&str> = tag.split_ascii_whitespace().collect();
    match words.as_slice() {
        [path] => {
            let first = path.split('.').next()?;
            let is_helper =
                BUILTIN_HELPERS.contains(&first) || helpers.iter().any(|(name, _)| *name == first);
            if is_helper {
                return None;
            }
            lookup(path, data)?.as_str().map(str::to_string)
        }
        [helper, path] => {
            let (_, function) = helpers.iter().find(|(name, _)| name == helper)?;
            Some(function(lookup(path, data)?.as_str()?))
        }
        _ => None,
    }
}

/// A dotted path of plain names in `data`.
fn lookup<'a>(path: &str, data: &'a Value) -> Option<&'a Value> {
    let mut value = data;
    for key in path.split('.') {
        let plain = !key.is_empty()
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !key.starts_with(|c: char| c.is_ascii_digit());
        if !plain {
            return None;
        }
        value = value.as_object()?.get(key)?;
    }
    Some(value)
}

/// Handlebars' truth for `{{#if}}` (without `includeZero`).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64().is_some_and(f64::is_normal),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(s: &str) -> String {
        s.to_uppercase()
    }

    const HELPERS: &[(&str, StringHelper)] = &[("upper", upper)];

    fn data() -> Value {
        serde_json::json!({
            "name": "todo", "on": true, "off": false, "empty": "", "zero": 0,
            "vars": {"port": "8080"}
        })
    }

    #[test]
    fn values_and_string_helpers_are_filled_in() {
        assert_eq!(
            substitute(
                "a {{name}} {{ upper name }}:{{vars.port}}\n",
                &data(),
                HELPERS
            )
            .as_deref(),
            Some("a todo TODO:8080\n")
        );
    }

    #[test]
    fn inline_blocks_pick_their_branch() {
        for (run, expected) in [
            ("x{{#if on}} yes{{/if}}.\n", "x yes.\n"),
            ("x{{#if off}} yes{{else}} no{{/if}}.\n", "x no.\n"),
            ("x{{#unless empty}} none{{/unless}}.\n", "x none.\n"),
            ("x{{#if zero}}0{{else if on}}1{{else}}2{{/if}}\n", "x1\n"),
            ("{{#if off}}0{{else unless on}}1{{^}}2{{/if}} end", "2 end"),
            (
                "a {{#if on}}b {{#if off}}c{{else}}{{upper name}}{{/if}}{{/if}}\nd\n",
                "a b TODO\nd\n",
            ),
        ] {
            assert_eq!(
                substitute(run, &data(), HELPERS).as_deref(),
                Some(expected),
                "{run}"
            );
        }
    }

    #[test]
    fn everything_else_is_left_to_handlebars() {
        let data = serde_json::json!({"name": "todo", "flag": true, "if": "x", "upper": "u"});
        for run in [
            "{{#each flag}}x{{/each}}",
            "{{#if (eq name \"x\")}}x{{/if}}",
            "{{#if flag}}x{{/unless}}",
            "{{#if flag}}x",
            "x{{/if}}",
            "{{#if missing}}x{{/if}}",
            "{{#if off}}{{missing}}{{/if}} ok",
            "{{#if off}}{{else if}}{{/if}} ok",
            "{{#if flag}}\nx\n{{/if}}\n",
            "a\n  {{else}}  \nb",
            "{{flag}}",
            "{{missing}}",
            "{{unknown name}}",
            "{{upper name extra}}",
            "{{{name}}}",
            "\\{{name}}",
            "{{if}}",
            "{{upper}}",
            "{{../name}}",
            "{{@root.name}}",
            "{{name",
            "{{!-- note --}}",
            "{{> partial}}",
            "{{~name}}",
            "{{name~}}",
        ] {
            assert_eq!(substitute(run, &data, HELPERS), None, "{run}");
        }
    }
}
