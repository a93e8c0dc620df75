//! Rendering a stack into a [`Tree`], in memory.
//!
//! Handlebars is set up for code, not HTML: strict mode (a missing variable is an error, not an
//! empty string), no escaping, and helpers that quote a user's free text for the format it lands
//! in. Values are inserted once and never re-parsed as templates, so an answer cannot inject
//! template syntax. Only `*.hbs` files are rendered; everything else is copied byte for byte.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use handlebars::{Handlebars, Helper, HelperDef, RenderErrorReason, ScopedJson, no_escape};
use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use include_dir::Dir;
use serde::Serialize;

use crate::answers::Answers;
use crate::answers::flat_case;
use crate::error::{Error, Result};
use crate::template::manifest::FileRule;
use crate::template::registry::{Registry, SHARED_DIR, Stack};
use crate::template::segments::{Segment, includes_partial, segments};
use crate::template::substitute::{StringHelper, substitute};
use crate::tree::Tree;

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
            folio_version: crate::version::VERSION,
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
    let chosen = choose(registry, stack, &context)?;
    let renderer = Renderer::new(registry, &context)?;
    let mut tree = Tree::new();
    for (template, rel, file) in chosen {
        let (out_path, contents) = renderer.render_file(template, rel, file)?;
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

/// The template files this render uses, in order: shared, then stack, so the stack's version wins.
fn choose<'r>(
    registry: &'r Registry,
    stack: &'r Stack,
    context: &RenderContext<'_>,
) -> Result<Vec<Chosen<'r>>> {
    let rules: Vec<&FileRule> = registry
        .shared
        .files
        .iter()
        .chain(&stack.manifest.files)
        .collect();
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
            if included(rel, &rules, context).map_err(|message| Error::Template {
                template: template.to_string(),
                message,
            })? {
                chosen.push((template, rel, file));
            }
        }
    }
    Ok(chosen)
}

/// A chosen template file: the template it comes from, its path there, its embedded bytes.
type Chosen<'a> = (&'a str, &'a str, &'static include_dir::File<'static>);

/// Handlebars plus the data of one render, fed segment by segment (see [`segments`]).
struct Renderer<'r> {
    handlebars: Handlebars<'static>,
    /// The engine with every partial registered, built (parsing them all) only when a templated
    /// run includes a partial other than on a standalone line of its own.
    with_partials: OnceCell<Result<Handlebars<'static>>>,
    data: handlebars::Context,
    /// The shared partials' sources, by name, rendered in place of their standalone lines.
    partials: BTreeMap<String, &'static str>,
    registry: &'r Registry,
}

/// How deep partials may include partials before Handlebars itself takes over (and reports a loop).
const MAX_PARTIAL_DEPTH: usize = 8;

impl<'r> Renderer<'r> {
    fn new(registry: &'r Registry, context: &RenderContext<'_>) -> Result<Self> {
        let data = handlebars::Context::wraps(context).map_err(|e| Error::Template {
            template: context.stack.to_string(),
            message: e.to_string(),
        })?;
        let partials = partial_sources(registry)?;
        Ok(Renderer {
            handlebars: base_engine(),
            with_partials: OnceCell::new(),
            data,
            partials,
            registry,
        })
    }

    /// One template file: its output path (rendered when it holds `{{`, without `.hbs`) and
    /// contents.
    fn render_file(
        &self,
        template: &str,
        rel: &str,
        file: &include_dir::File<'static>,
    ) -> Result<(String, Vec<u8>)> {
        let broken = |message: String| Error::Template {
            template: format!("{template}/{rel}"),
            message,
        };
        let mut out_path = rel.to_string();
        if out_path.contains("{{") {
            out_path = match substitute(&out_path, self.data.data(), STRING_HELPERS) {
                Some(filled) => filled,
                None => self
                    .handlebars
                    .render_template_with_context(&out_path, &self.data)
                    .map_err(|e| broken(e.to_string()))?,
            };
        }
        let contents = match out_path.strip_suffix(TEMPLATE_SUFFIX) {
            Some(stripped) => {
                out_path = stripped.to_string();
                let text = std::str::from_utf8(file.contents())
                    .map_err(|_| broken("a .hbs file must be UTF-8".into()))?;
                let mut out = String::with_capacity(text.len());
                if self.render_segments(text, 0, &mut out).is_err() {
                    // A run rendered alone reports lines relative to itself; the whole text
                    // through Handlebars names the real line.
                    return Err(broken(self.whole_text_error(text)));
                }
                out.into_bytes()
            }
            None => file.contents().to_vec(),
        };
        Ok((out_path, contents))
    }

    /// Renders `text` into `out`: literal lines copied, simple runs filled in by [`substitute`],
    /// partials and chosen branches cut the same way, and only what is left through Handlebars.
    fn render_segments(
        &self,
        text: &str,
        depth: usize,
        out: &mut String,
    ) -> std::result::Result<(), handlebars::RenderError> {
        // One Handlebars call per run, not one for all: the parser finds each element's line
        // by scanning from the start of its text, so a joined text costs more than its parts.
        for segment in segments(text) {
            match segment {
                Segment::Literal(literal) => out.push_str(literal),
                Segment::Comment(_) => {}
                Segment::Partial { name, .. }
                    if depth < MAX_PARTIAL_DEPTH && self.partials.contains_key(name) =>
                {
                    self.render_segments(self.partials[name], depth + 1, out)?;
                }
                Segment::Partial { line, .. } => self.render_whole(line, out)?,
                Segment::Conditional(block) => {
                    let selector = block.selector();
                    let taken = match substitute(&selector, self.data.data(), STRING_HELPERS) {
                        Some(taken) => taken,
                        None => self
                            .handlebars
                            .render_template_with_context(&selector, &self.data)?,
                    };
                    if let Some(body) = taken
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| block.bodies.get(i))
                    {
                        self.render_segments(body, depth, out)?;
                    }
                }
                Segment::Template(run) if includes_partial(run) => self.render_whole(run, out)?,
                Segment::Template(run) => match substitute(run, self.data.data(), STRING_HELPERS) {
                    Some(filled) => out.push_str(&filled),
                    None => out.push_str(
                        &self
                            .handlebars
                            .render_template_with_context(run, &self.data)?,
                    ),
                },
            }
        }
        Ok(())
    }

    /// Renders `text` in one piece with every partial registered (the slow, plain way).
    fn render_whole(
        &self,
        text: &str,
        out: &mut String,
    ) -> std::result::Result<(), handlebars::RenderError> {
        let full = self
            .with_partials
            .get_or_init(|| engine(self.registry))
            .as_ref()
            .map_err(|e| {
                handlebars::RenderError::from(handlebars::RenderErrorReason::Other(e.to_string()))
            })?;
        out.push_str(&full.render_template_with_context(text, &self.data)?);
        Ok(())
    }

    fn whole_text_error(&self, text: &str) -> String {
        let mut sink = String::new();
        match self.render_whole(text, &mut sink) {
            Err(e) => e.to_string(),
            Ok(()) => "the template did not render".to_string(),
        }
    }
}

/// The shared partials' sources by name (`partials/readme_api.hbs` is `readme_api`).
fn partial_sources(registry: &Registry) -> Result<BTreeMap<String, &'static str>> {
    let partials_root = format!("{SHARED_DIR}/{PARTIALS_DIR}");
    let mut out = BTreeMap::new();
    for file in files(registry.shared_dir) {
        let path = file.path().to_string_lossy();
        let Some(name) = path
            .strip_prefix(&partials_root)
            .and_then(|p| p.strip_suffix(TEMPLATE_SUFFIX))
        else {
            continue;
        };
        let text = std::str::from_utf8(file.contents()).map_err(|_| Error::Template {
            template: path.to_string(),
            message: "a partial must be UTF-8".into(),
        })?;
        out.insert(name.to_string(), text);
    }
    Ok(out)
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

/// folio's helpers, each one string to another. Registered with Handlebars and used as they are
/// by [`substitute`] on the runs it fills in itself.
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

/// The engine for templates: [`base_engine`] plus the shared partials.
fn engine(registry: &Registry) -> Result<Handlebars<'static>> {
    let mut hb = base_engine();
    for (name, text) in partial_sources(registry)? {
        hb.register_partial(&name, text)
            .map_err(|e| Error::Template {
                template: format!("{SHARED_DIR}/{PARTIALS_DIR}{name}{TEMPLATE_SUFFIX}"),
                message: e.to_string(),
            })?;
    }
    Ok(hb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls `check` with every stack and every database, CI and licence choice, and answers
    /// full of characters that could break a generated file or look like template syntax.
    fn for_every_option(mut check: impl FnMut(&'static Registry, &Stack, &Answers)) {
        use crate::answers::{Ci, Db, License};
        let registry = crate::template::registry::registry().unwrap();
        let licenses = [License::Mit, License::Apache2, License::Bsd3Clause];
        for stack in &registry.stacks {
            for (d, db) in [Db::Sqlite, Db::Postgres].into_iter().enumerate() {
                for (c, ci) in [Ci::Github, Ci::Gitlab, Ci::None].into_iter().enumerate() {
                    let answers = Answers {
                        name: crate::answers::ProjectName::parse("Demo_App-2").unwrap(),
                        db,
                        ci,
                        author: "A \"quoted\" {{x}} \\ author".into(),
                        description: "Has {{braces}}, {{#if}} 'quotes' and: colons".into(),
                        license: licenses[(d + c) % licenses.len()],
                        year: 2026,
                        student: if ci == Ci::None { "" } else { "Ada" }.into(),
                    };
                    check(registry, stack, &answers);
                }
            }
        }
    }

    #[test]
    fn every_embedded_stack_renders_with_every_option() {
        use crate::answers::Ci;
        for_every_option(|registry, stack, answers| {
            let (db, ci) = (answers.db, answers.ci);
            let tree = render(registry, stack, answers)
                .unwrap_or_else(|e| panic!("{} {db:?} {ci:?}: {e}", stack.manifest.id));
            let has = |p: &str| tree.get(p).is_some();
            assert!(has("README.md") && has(".folio.toml") && has("openapi.yaml"));
            assert_eq!(has(".github/workflows/ci.yml"), ci == Ci::Github);
            assert_eq!(has(".gitlab-ci.yml"), ci == Ci::Gitlab);
            for path in tree.paths() {
                assert!(!path.contains("{{") && !path.ends_with(".hbs"), "{path}");
            }
        });
    }

    /// The segment-by-segment render must equal Handlebars on the whole text, byte for byte, for
    /// every embedded template file, partial and templated path, with every option.
    #[test]
    fn segmented_rendering_equals_handlebars_on_the_whole_text() {
        let mut compared = 0;
        for_every_option(|registry, stack, answers| {
            let context = RenderContext::new(stack, answers);
            let chosen = choose(registry, stack, &context).unwrap();
            let renderer = Renderer::new(registry, &context).unwrap();
            let sources = chosen
                .iter()
                .filter(|(_, rel, _)| rel.ends_with(TEMPLATE_SUFFIX))
                .map(|(t, rel, f)| (format!("{t}/{rel}"), f.contents_utf8().unwrap()))
                .chain(renderer.partials.iter().map(|(n, t)| (n.clone(), *t)));
            for (_, rel, _) in chosen.iter().filter(|(_, rel, _)| rel.contains("{{")) {
                let mut whole = String::new();
                renderer.render_whole(rel, &mut whole).unwrap();
                let fast = substitute(rel, renderer.data.data(), STRING_HELPERS);
                assert_eq!(fast.as_deref(), Some(whole.as_str()), "the path {rel}");
            }
            for (name, text) in sources {
                let mut fast = String::new();
                renderer.render_segments(text, 0, &mut fast).unwrap();
                let mut whole = String::new();
                renderer.render_whole(text, &mut whole).unwrap();
                let (db, ci, license) = (answers.db, answers.ci, answers.license);
                assert_eq!(fast, whole, "{name} with {db:?} {ci:?} {license:?}");
                compared += 1;
            }
        });
        assert!(compared > 500, "only {compared} renders compared");
    }

    #[test]
    fn segmented_rendering_equals_handlebars_on_tricky_sources() {
        let registry = crate::template::registry::registry().unwrap();
        let answers = demo_answers();
        let context = RenderContext::new(&registry.stacks[0], &answers);
        let renderer = Renderer::new(registry, &context).unwrap();
        for source in [
            "a\r\n{{#if sqlite}}\r\nb {{name}}\r\n{{else}}\r\nc\r\n{{/if}}\r\nd",
            "  {{#if postgres}}  \n  x\n  {{else if sqlite}}\n\ty\n\t{{/if}}\t\nz\n",
            "{{#unless ci_gitlab}}\n{{#if sqlite}}\nnested\n{{/if}}\n{{^}}\nno\n{{/unless}}\n",
            "{{#if sqlite}}\n{{> readme_student}}\n{{/if}}\nend",
            "  {{> readme_student}}\nindented partial\n",
            "{{#if sqlite}}\nx {{else}} y\n{{/if}}\n",
            "{{#if sqlite}}\n{{!-- note --}}\n{{/if}}\n\\{{kept}} {{name}}\n",
            "{{#each vars}}\n{{@key}}\n{{/each}}\n{{#if sqlite}}no newline at the end{{/if}}",
            "{{#if sqlite}}\n{{/if}}",
            "a\n  {{!-- a comment --}}  \r\n{{! another }}\nb {{! inline }} c\n{{!-- {{x}} --}}",
            "{{json name}} {{ snake name }} {{vars.compose_sqlite_url}} {{toml author}} {{year}}\n",
            "x{{#if sqlite}} {{json name}}{{else}} no{{/if}}\n",
            "{{#unless ci_gitlab}}a{{else if postgres}}b{{^}}c{{/unless}} d\n",
            "a {{#if sqlite}}x\n{{else}}\ny{{/if}} z\n",
            "a {{#if sqlite}}x\n  {{#if postgres}}  \ny{{/if}}{{/if}} z\n",
            "{{#if sqlite}}{{/if}}{{#if postgres}}p{{/if}}\nq {{#if student}}{{student}}{{/if}}\n",
        ] {
            let mut fast = String::new();
            renderer.render_segments(source, 0, &mut fast).unwrap();
            let mut whole = String::new();
            renderer.render_whole(source, &mut whole).unwrap();
            assert_eq!(fast, whole, "{source:?}");
        }
    }

    #[test]
    fn an_error_in_a_run_names_its_line_in_the_whole_file() {
        let registry = crate::template::registry::registry().unwrap();
        let stack = &registry.stacks[0];
        let answers = demo_answers();
        let context = RenderContext::new(stack, &answers);
        let renderer = Renderer::new(registry, &context).unwrap();
        let message = renderer.whole_text_error("a\nb\nc\n{{missing}}\n");
        assert!(message.contains("line 4"), "{message}");
    }

    fn demo_answers() -> crate::answers::Answers {
        crate::answers::Answers {
            name: crate::answers::ProjectName::parse("demo").unwrap(),
            db: crate::answers::Db::Sqlite,
            ci: crate::answers::Ci::Github,
            author: "Ada".into(),
            description: "A demo".into(),
            license: crate::answers::License::Mit,
            year: 2026,
            student: "Grace".into(),
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
