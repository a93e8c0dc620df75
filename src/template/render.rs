//! Rendering a stack into a [`Tree`], in memory.
//!
//! Handlebars is set up for code, not HTML: strict mode (a missing variable is an error, not an
//! empty string), no escaping, and helpers that quote a user's free text for the format it lands
//! in. Values are inserted once and never re-parsed as templates, so an answer cannot inject
//! template syntax. Only `*.hbs` files are rendered; everything else is copied byte for byte.

use std::collections::BTreeMap;

use handlebars::{Handlebars, handlebars_helper, no_escape};
use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use include_dir::Dir;
use serde::Serialize;

use crate::answers::Answers;
use crate::error::{Error, Result};
use crate::name::flat_case;
use crate::template::manifest::FileRule;
use crate::template::registry::{Registry, SHARED_DIR, Stack};
use crate::template::tree::Tree;

/// Files in the template folders that are folio's, not the generated project's.
const MANIFEST_FILES: &[&str] = &["template.toml", "shared.toml"];
const PARTIALS_DIR: &str = "partials/";
const TEMPLATE_SUFFIX: &str = ".hbs";

/// What every template sees. Every key is always present, so strict mode only ever catches typos.
#[derive(Debug, Serialize)]
pub struct RenderContext<'a> {
    name: &'a str,
    description: &'a str,
    author: &'a str,
    license: &'a str,
    license_name: &'a str,
    year: String,
    stack: &'a str,
    language: &'a str,
    db: &'a str,
    sqlite: bool,
    postgres: bool,
    ci: &'a str,
    ci_github: bool,
    ci_gitlab: bool,
    folio_version: &'a str,
    student: &'a str,
    vars: &'a BTreeMap<String, String>,
}

impl<'a> RenderContext<'a> {
    pub fn new(stack: &'a Stack, answers: &'a Answers) -> Self {
        RenderContext {
            name: answers.name.as_str(),
            description: &answers.description,
            author: &answers.author,
            license: answers.license.id(),
            license_name: answers.license.spdx(),
            year: answers.year.to_string(),
            stack: &stack.manifest.id,
            language: &stack.manifest.language,
            db: answers.db.id(),
            sqlite: answers.db.id() == "sqlite",
            postgres: answers.db.id() == "postgres",
            ci: answers.ci.id(),
            ci_github: answers.ci.id() == "github",
            ci_gitlab: answers.ci.id() == "gitlab",
            folio_version: crate::VERSION,
            student: &answers.student,
            vars: &stack.manifest.vars,
        }
    }

    /// The boolean a `[[files]] when = "..."` condition names, if it is one.
    fn flag(&self, var: &str) -> Option<bool> {
        match var {
            "sqlite" => Some(self.sqlite),
            "postgres" => Some(self.postgres),
            "ci_github" => Some(self.ci_github),
            "ci_gitlab" => Some(self.ci_gitlab),
            _ => None,
        }
    }
}

/// Renders `stack` with `answers`: shared files, then the stack's (which win), minus the files whose
/// condition is false, plus `.folio.toml`.
pub fn render(registry: &Registry, stack: &Stack, answers: &Answers) -> Result<Tree> {
    let context = RenderContext::new(stack, answers);
    let handlebars = engine(registry)?;
    let rules: Vec<&FileRule> = registry
        .shared
        .files
        .iter()
        .chain(&stack.manifest.files)
        .collect();
    // Choose the files first, in order: shared, then stack, so the stack's version wins.
    let mut chosen = Vec::new();
    for (dir, template) in [
        (registry.shared_dir, SHARED_DIR),
        (stack.dir, stack.manifest.id.as_str()),
    ] {
        for file in files(dir) {
            let full = file.path().to_str().ok_or_else(|| Error::Template {
                template: template.to_string(),
                message: format!("the path {} is not UTF-8", file.path().display()),
            })?;
            let rel = full
                .strip_prefix(template)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(full);
            if MANIFEST_FILES.contains(&rel)
                || (template == SHARED_DIR && rel.starts_with(PARTIALS_DIR))
            {
                continue;
            }
            if included(rel, &rules, &context).map_err(|message| Error::Template {
                template: template.to_string(),
                message,
            })? {
                chosen.push((template, rel, file));
            }
        }
    }
    let data = handlebars::Context::wraps(&context).map_err(|e| Error::Template {
        template: stack.manifest.id.clone(),
        message: e.to_string(),
    })?;
    let mut tree = Tree::new();
    for (template, rel, file) in chosen {
        let (out_path, contents) = render_file(&handlebars, &data, template, rel, file)?;
        let executable = stack.manifest.executable.contains(&out_path);
        tree.insert(out_path, contents, executable);
    }
    tree.insert(
        crate::answers::PROVENANCE_FILE,
        answers.provenance(&stack.manifest.id).into_bytes(),
        false,
    );
    Ok(tree)
}

/// One template file: its output path (rendered when it holds `{{`, without `.hbs`) and contents.
fn render_file(
    handlebars: &Handlebars<'static>,
    data: &handlebars::Context,
    template: &str,
    rel: &str,
    file: &include_dir::File<'static>,
) -> Result<(String, Vec<u8>)> {
    let broken = |e: handlebars::RenderError| Error::Template {
        template: format!("{template}/{rel}"),
        message: e.to_string(),
    };
    let mut out_path = rel.to_string();
    if out_path.contains("{{") {
        out_path = handlebars
            .render_template_with_context(&out_path, data)
            .map_err(broken)?;
    }
    let contents = match out_path.strip_suffix(TEMPLATE_SUFFIX) {
        Some(stripped) => {
            out_path = stripped.to_string();
            let text = std::str::from_utf8(file.contents()).map_err(|_| Error::Template {
                template: format!("{template}/{rel}"),
                message: "a .hbs file must be UTF-8".into(),
            })?;
            handlebars
                .render_template_with_context(text, data)
                .map_err(broken)?
                .into_bytes()
        }
        None => file.contents().to_vec(),
    };
    Ok((out_path, contents))
}

/// Whether every rule that covers `path` holds.
fn included(
    path: &str,
    rules: &[&FileRule],
    context: &RenderContext<'_>,
) -> std::result::Result<bool, String> {
    for rule in rules.iter().filter(|r| r.covers(path)) {
        let (var, negated) = rule.condition();
        let value = context.flag(var).ok_or_else(|| {
            format!(
                "the condition `{}` for `{}` names no boolean (use sqlite, postgres, ci_github or ci_gitlab)",
                rule.when, rule.path
            )
        })?;
        if value == negated {
            return Ok(false);
        }
    }
    Ok(true)
}

/// All files under `dir`, depth first.
fn files(dir: &'static Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(files(sub));
    }
    out
}

handlebars_helper!(snake: |s: str| s.to_snake_case());
handlebars_helper!(kebab: |s: str| s.to_kebab_case());
handlebars_helper!(pascal: |s: str| s.to_upper_camel_case());
handlebars_helper!(camel: |s: str| s.to_lower_camel_case());
handlebars_helper!(shouty: |s: str| s.to_shouty_snake_case());
handlebars_helper!(flat: |s: str| flat_case(s));
handlebars_helper!(json: |s: str| quote_json(s));
handlebars_helper!(yaml: |s: str| quote_json(s));
handlebars_helper!(slug_helper: |s: str| slug(s));
handlebars_helper!(toml_quote: |s: str| toml::Value::String(s.to_string()).to_string());

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
    hb.register_helper("snake", Box::new(snake));
    hb.register_helper("kebab", Box::new(kebab));
    hb.register_helper("pascal", Box::new(pascal));
    hb.register_helper("camel", Box::new(camel));
    hb.register_helper("shouty", Box::new(shouty));
    hb.register_helper("flat", Box::new(flat));
    hb.register_helper("json", Box::new(json));
    hb.register_helper("yaml", Box::new(yaml));
    hb.register_helper("toml", Box::new(toml_quote));
    hb.register_helper("slug", Box::new(slug_helper));
    hb
}

/// The engine for templates: [`base_engine`] plus the shared partials.
fn engine(registry: &Registry) -> Result<Handlebars<'static>> {
    let mut hb = base_engine();
    let partials_root = format!("{SHARED_DIR}/{PARTIALS_DIR}");
    for file in files(registry.shared_dir) {
        let path = file.path().to_string_lossy();
        let Some(name) = path
            .strip_prefix(&partials_root)
            .and_then(|p| p.strip_suffix(TEMPLATE_SUFFIX))
        else {
            continue;
        };
        let broken = |message: String| Error::Template {
            template: path.to_string(),
            message,
        };
        let text = std::str::from_utf8(file.contents())
            .map_err(|_| broken("a partial must be UTF-8".into()))?;
        hb.register_partial(name, text)
            .map_err(|e| broken(e.to_string()))?;
    }
    Ok(hb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_stack_renders_with_every_option() {
        use crate::answers::{Answers, Ci, Db, License};
        use crate::name::ProjectName;
        let registry = crate::template::registry::registry().unwrap();
        for stack in &registry.stacks {
            for db in [Db::Sqlite, Db::Postgres] {
                for ci in [Ci::Github, Ci::Gitlab, Ci::None] {
                    let answers = Answers {
                        name: ProjectName::parse("Demo_App-2").unwrap(),
                        db,
                        ci,
                        author: "A \"quoted\" author".into(),
                        description: "Has {{braces}}, 'quotes' and: colons".into(),
                        license: License::Apache2,
                        year: 2026,
                        student: "Ada".into(),
                    };
                    let tree = render(registry, stack, &answers)
                        .unwrap_or_else(|e| panic!("{} {db:?} {ci:?}: {e}", stack.manifest.id));
                    let has = |p: &str| tree.get(p).is_some();
                    assert!(has("README.md") && has(".folio.toml") && has("openapi.yaml"));
                    assert_eq!(has(".github/workflows/ci.yml"), ci == Ci::Github);
                    assert_eq!(has(".gitlab-ci.yml"), ci == Ci::Gitlab);
                    for path in tree.paths() {
                        assert!(!path.contains("{{") && !path.ends_with(".hbs"), "{path}");
                    }
                }
            }
        }
    }

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
