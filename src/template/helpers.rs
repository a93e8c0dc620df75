//! folio's Handlebars helpers and the engine set-up every render and pattern shares.
//!
//! Handlebars is set up for code, not HTML: strict mode (a missing variable is an error, not an
//! empty string), no escaping, and helpers that quote a user's free text for the format it lands
//! in (`json`, `yaml`, `toml`) or change its case. Each helper is a plain `fn(&str) -> String`, so
//! the fast path ([`super::fast`]) calls the very same functions.

use handlebars::{Handlebars, Helper, HelperDef, RenderErrorReason, ScopedJson, no_escape};
use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

use crate::answers::flat_case;

/// A helper that turns one string into another (`snake`, `json`, ...).
pub type StringHelper = fn(&str) -> String;

/// folio's helpers, each one string to another.
pub const STRING_HELPERS: &[(&str, StringHelper)] = &[
    ("snake", |s| s.to_snake_case()),
    ("kebab", |s| s.to_kebab_case()),
    ("pascal", |s| s.to_upper_camel_case()),
    ("camel", |s| s.to_lower_camel_case()),
    ("shouty", |s| s.to_shouty_snake_case()),
    ("flat", flat_case),
    ("json", quote_json),
    ("yaml", quote_json),
    ("toml", |s| toml::Value::String(s.to_string()).to_string()),
    ("slug", slug),
];

/// A [`StringHelper`] as Handlebars calls it: one string parameter.
struct HandlebarsHelper {
    name: &'static str,
    function: StringHelper,
}

impl HelperDef for HandlebarsHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        helper: &Helper<'rc>,
        registry: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> std::result::Result<ScopedJson<'rc>, handlebars::RenderError> {
        let param = helper
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex(self.name, 0))?;
        if registry.strict_mode() && param.is_value_missing() {
            // Name the missing value, as strict mode does for a plain `{{value}}`.
            return Err(RenderErrorReason::MissingVariable(param.relative_path().cloned()).into());
        }
        let text = param.value().as_str().ok_or_else(|| {
            RenderErrorReason::ParamTypeMismatchForName(
                self.name,
                "0".to_string(),
                "string".to_string(),
            )
        })?;
        Ok(ScopedJson::Derived(serde_json::Value::String((self
            .function)(
            text
        ))))
    }
}

/// A name fit for a folder and a URL: ASCII transliteration, lower case, words joined by `-`.
/// `José Núñez` becomes `jose-nunez`.
pub fn slug(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

/// A double-quoted string literal valid in JSON, YAML, Python, JavaScript, Go and Java.
///
/// serde_json escapes quotes, backslashes and control characters; DEL and the two Unicode line
/// separators are escaped too because YAML and older JavaScript reject them raw.
pub fn quote_json(s: &str) -> String {
    serde_json::to_string(s)
        .expect("a string always serializes")
        .replace('\u{7f}', "\\u007f")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Handlebars set up for code: strict, no escaping, folio's case and quoting helpers.
/// Also used for `folio batch` name and remote patterns.
pub fn base_engine() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(no_escape);
    for &(name, function) in STRING_HELPERS {
        hb.register_helper(name, Box::new(HandlebarsHelper { name, function }));
    }
    hb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_kebab() {
        assert_eq!(slug("José Núñez"), "jose-nunez");
        assert_eq!(slug("  Ada  LOVELACE!! "), "ada-lovelace");
        assert_eq!(slug("李小龙"), "li-xiao-long");
    }

    #[test]
    fn quoting_survives_hostile_text() {
        let hostile = "He said \"hi\" \\ {{name}} \u{7f}\u{2028}";
        let quoted = quote_json(hostile);
        let back: String = serde_json::from_str(&quoted).unwrap();
        assert_eq!(back, hostile);
        assert!(!quoted.contains('\u{7f}'));
        let toml_line = format!("x = {}", toml::Value::String(hostile.into()));
        let parsed: toml::Table = toml::from_str(&toml_line).unwrap();
        assert_eq!(parsed["x"].as_str(), Some(hostile));
    }
}
