//! The common case of a templated run without Handlebars: values and one-argument string helpers.
//!
//! Why: after [`segments`](super::segments) most runs left are lines like
//! `package com.example.{{flat name}}.auth;` or `"title": {{json name}},`, and each Handlebars
//! call pays a parser set-up that cost more than the rest of the render. A run whose every tag
//! is `{{path}}` or `{{helper path}}` (a folio string helper, a string value) is filled in here;
//! anything else (blocks, other helpers, literals, escapes, a missing or non-string value) gives
//! `None` and goes to Handlebars, which also reports the errors. The helpers are the very
//! functions registered with Handlebars, and the render tests compare both ways on every
//! embedded template.

use serde_json::Value;

/// A helper that turns one string into another (`snake`, `json`, ...).
pub type StringHelper = fn(&str) -> String;

/// Handlebars' own helpers: a bare `{{name}}` with one of these names calls the helper.
const BUILTIN_HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

/// `run` with its tags filled in from `data`, or `None` when Handlebars must do it.
pub fn substitute(run: &str, data: &Value, helpers: &[(&str, StringHelper)]) -> Option<String> {
    let mut out = String::with_capacity(run.len() + 32);
    let mut rest = run;
    while let Some(open) = rest.find("{{") {
        if rest[..open].ends_with('\\') {
            return None;
        }
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let tag = &after[..close];
        if tag.starts_with('{') {
            return None;
        }
        out.push_str(&evaluate(tag, data, helpers)?);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// The value of `path` or `helper path`.
fn evaluate(tag: &str, data: &Value, helpers: &[(&str, StringHelper)]) -> Option<String> {
    let words: Vec<&str> = tag.split_ascii_whitespace().collect();
    match words.as_slice() {
        [path] => {
            let first = path.split('.').next()?;
            let is_helper =
                BUILTIN_HELPERS.contains(&first) || helpers.iter().any(|(name, _)| *name == first);
            if is_helper {
                return None;
            }
            lookup(path, data).map(str::to_string)
        }
        [helper, path] => {
            let (_, function) = helpers.iter().find(|(name, _)| name == helper)?;
            Some(function(lookup(path, data)?))
        }
        _ => None,
    }
}

/// A dotted path of plain names to a string in `data`.
fn lookup<'a>(path: &str, data: &'a Value) -> Option<&'a str> {
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
    value.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(s: &str) -> String {
        s.to_uppercase()
    }

    const HELPERS: &[(&str, StringHelper)] = &[("upper", upper)];

    #[test]
    fn values_and_string_helpers_are_filled_in() {
        let data = serde_json::json!({"name": "todo", "vars": {"port": "8080"}});
        assert_eq!(
            substitute(
                "a {{name}} {{ upper name }}:{{vars.port}}\n",
                &data,
                HELPERS
            )
            .as_deref(),
            Some("a todo TODO:8080\n")
        );
    }

    #[test]
    fn everything_else_is_left_to_handlebars() {
        let data = serde_json::json!({"name": "todo", "flag": true, "if": "x", "upper": "u"});
        for run in [
            "{{#if flag}}x{{/if}}",
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
            "{{else}}",
        ] {
            assert_eq!(substitute(run, &data, HELPERS), None, "{run}");
        }
    }
}
