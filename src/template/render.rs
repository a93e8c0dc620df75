//! Rendering a stack into a [`Tree`], in memory: the context every template sees, which files a
//! render takes, and one engine, Handlebars, with each template parsed at most once per registry.
//!
//! Values are inserted once and never re-parsed as templates, so an answer cannot inject template
//! syntax. Only `*.hbs` files are rendered; everything else is copied byte for byte. A rendered
//! path that would leave the project folder (`..`, an absolute path) is refused. The embedded
//! templates go through the line-segment fast path ([`super::fast`]), whose output equals
//! Handlebars' on the whole text; a folder from disk is rendered whole by plain Handlebars. The
//! engine set-up and helpers are in [`super::helpers`].

use std::collections::{BTreeMap, HashSet};
use std::sync::{PoisonError, RwLock};

use handlebars::{Handlebars, RenderError, RenderErrorReason};
use serde::Serialize;

use crate::answers::Answers;
use crate::error::{Error, Result};
use crate::template::fast::segments::{Segment, includes_partial, segments};
use crate::template::fast::substitute::substitute;
use crate::template::helpers::{STRING_HELPERS, base_engine};
use crate::template::manifest::FileRule;
use crate::template::registry::{Registry, SHARED_DIR, Source, Stack, TemplateFile, escapes};
use crate::tree::Tree;
use crate::version::VERSION;

const TEMPLATE_SUFFIX: &str = ".hbs";

/// The `pack` of a built-in stack's render: no variables.
#[cfg(test)]
static NO_PACK: std::sync::LazyLock<serde_json::Map<String, serde_json::Value>> =
    std::sync::LazyLock::new(serde_json::Map::new);

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
    jobs: &'a str,
    webhooks: bool,
    folio_version: &'a str,
    student: &'a str,
    vars: &'a BTreeMap<String, String>,
    /// A template pack's variables (`{{pack.NAME}}`); empty for a built-in stack.
    pack: &'a serde_json::Map<String, serde_json::Value>,
    /// The manifest's `[commands]`, for AGENTS.md and READMEs.
    commands: CommandsContext,
    /// The toolchain the project needs, e.g. `Python 3.11+` (the manifest's first tool).
    toolchain: String,
}

/// `{{commands.test}}`, `{{commands.native_test}}`, ...: the manifest's commands, the native ones
/// with the project's names filled in (empty, with `has_native` false, when it declares none).
#[derive(Debug, Serialize)]
struct CommandsContext {
    setup: String,
    test: String,
    run: String,
    lint: String,
    has_native: bool,
    native_setup: String,
    native_test: String,
    native_run: String,
}

impl CommandsContext {
    fn new(commands: &crate::template::manifest::Commands, name: &str) -> Self {
        let native = commands.native.as_ref().map(|n| n.for_project(name));
        CommandsContext {
            setup: commands.setup.clone(),
            test: commands.test.clone(),
            run: commands.run.clone(),
            lint: commands.lint.clone(),
            has_native: native.is_some(),
            native_setup: native.as_ref().map(|n| n.setup.clone()).unwrap_or_default(),
            native_test: native.as_ref().map(|n| n.test.clone()).unwrap_or_default(),
            native_run: native.map(|n| n.run).unwrap_or_default(),
        }
    }
}

impl<'a> RenderContext<'a> {
    pub fn new(
        stack: &'a Stack,
        answers: &'a Answers,
        pack: &'a serde_json::Map<String, serde_json::Value>,
    ) -> Self {
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
            jobs: answers.jobs.id(),
            webhooks: answers.jobs == crate::answers::Jobs::Webhooks,
            folio_version: VERSION,
            student: &answers.student,
            vars: &stack.manifest.vars,
            pack,
            commands: CommandsContext::new(&stack.manifest.commands, answers.name.as_str()),
            toolchain: stack
                .manifest
                .requires
                .tools
                .first()
                .map(|t| match &t.min {
                    Some(min) => format!("{} {min}+", t.name),
                    None => t.name.clone(),
                })
                .unwrap_or_default(),
        }
    }

    /// The boolean a `[[files]] when = "..."` condition names, if it is one.
    fn flag(&self, var: &str) -> Option<bool> {
        match var {
            "sqlite" => Some(self.sqlite),
            "postgres" => Some(self.postgres),
            "ci_github" => Some(self.ci_github),
            "ci_gitlab" => Some(self.ci_gitlab),
            "webhooks" => Some(self.webhooks),
            _ => None,
        }
    }
}

/// Renders `stack` with `answers`: shared files, then the stack's (which win), minus the files whose
/// condition is false, plus `.folio.toml`.
pub fn render(registry: &Registry, stack: &Stack, answers: &Answers) -> Result<Tree> {
    render_with(registry, stack, answers, &serde_json::Map::new())
}

/// [`render`], with a template pack's variables for `{{pack.NAME}}`.
pub fn render_with(
    registry: &Registry,
    stack: &Stack,
    answers: &Answers,
    pack: &serde_json::Map<String, serde_json::Value>,
) -> Result<Tree> {
    let context = RenderContext::new(stack, answers, pack);
    let chosen = choose(registry, stack, &context)?;
    let renderer = Renderer::new(registry, &context)?;
    let mut tree = Tree::new();
    for (template, file) in chosen {
        let (out_path, contents) = renderer.render_file(template, file)?;
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

/// The error for a broken template of `registry`: folio's bug when embedded, the folder's when not.
fn broken(registry: &Registry, template: String, message: String) -> Error {
    match &registry.source {
        Source::Embedded => Error::Template { template, message },
        Source::Folder(folder) => Error::TemplateFolder {
            folder: folder.clone(),
            template,
            message,
        },
    }
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
    for (files, template) in [
        (&registry.shared_files, SHARED_DIR),
        (&stack.files, stack.manifest.id.as_str()),
    ] {
        for file in files {
            let take = included(&file.path, &rules, context)
                .map_err(|message| broken(registry, template.to_string(), message))?;
            if take {
                chosen.push((template, file));
            }
        }
    }
    Ok(chosen)
}

/// A chosen template file and the template it comes from.
type Chosen<'a> = (&'a str, &'a TemplateFile);

/// Handlebars plus the data of one render, fed segment by segment (see [`segments`]).
struct Renderer<'r> {
    data: handlebars::Context,
    registry: &'r Registry,
    /// Plain Handlebars on each whole text (a folder from disk), rather than the fast path.
    plain: bool,
}

/// How deep partials may include partials before Handlebars itself takes over (and reports a loop).
const MAX_PARTIAL_DEPTH: usize = 8;

impl<'r> Renderer<'r> {
    fn new(registry: &'r Registry, context: &RenderContext<'_>) -> Result<Self> {
        let data = handlebars::Context::wraps(context)
            .map_err(|e| broken(registry, context.stack.to_string(), e.to_string()))?;
        Ok(Renderer {
            data,
            registry,
            plain: registry.source != Source::Embedded,
        })
    }

    /// One template file: its output path (rendered when it holds `{{`, without `.hbs`) and
    /// contents.
    fn render_file(&self, template: &str, file: &TemplateFile) -> Result<(String, Vec<u8>)> {
        let rel = file.path.as_str();
        let broken = |message: String| broken(self.registry, format!("{template}/{rel}"), message);
        let mut out_path = rel.to_string();
        if out_path.contains("{{") {
            let fast = (!self.plain)
                .then(|| substitute(&out_path, self.data.data(), STRING_HELPERS))
                .flatten();
            out_path = match fast {
                Some(filled) => filled,
                None => self
                    .cached(&out_path, false)
                    .map_err(|e| broken(e.to_string()))?,
            };
            if out_path.is_empty() || escapes(&out_path) {
                return Err(broken(format!(
                    "the path renders to `{out_path}`, which leaves the project folder"
                )));
            }
        }
        let contents = match out_path.strip_suffix(TEMPLATE_SUFFIX) {
            Some(stripped) => {
                out_path = stripped.to_string();
                let text = std::str::from_utf8(&file.contents)
                    .map_err(|_| broken("a .hbs file must be UTF-8".into()))?;
                let mut out = String::with_capacity(text.len());
                let rendered = if self.plain {
                    self.render_whole(text, &mut out)
                } else {
                    self.render_segments(text, 0, &mut out)
                };
                if rendered.is_err() {
                    // A run rendered alone reports lines relative to itself, and a cached
                    // template is named by its text; the whole text, unnamed, names the real line.
                    return Err(broken(self.whole_text_error(text)));
                }
                out.into_bytes()
            }
            None => file.contents.to_vec(),
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
    ) -> std::result::Result<(), RenderError> {
        // One Handlebars template per run, not one for all: the parser finds each element's line
        // by scanning from the start of its text, so a joined text costs more than its parts.
        for segment in segments(text) {
            match segment {
                Segment::Literal(literal) => out.push_str(literal),
                Segment::Comment(_) => {}
                Segment::Partial { name, .. }
                    if depth < MAX_PARTIAL_DEPTH && self.registry.partials.contains_key(name) =>
                {
                    self.render_segments(&self.registry.partials[name], depth + 1, out)?;
                }
                Segment::Partial { line, .. } => self.render_whole(line, out)?,
                Segment::Conditional(block) => {
                    let selector = block.selector();
                    let taken = match substitute(&selector, self.data.data(), STRING_HELPERS) {
                        Some(taken) => taken,
                        None => self.cached(&selector, false)?,
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
                    None => out.push_str(&self.cached(run, false)?),
                },
            }
        }
        Ok(())
    }

    /// Renders `text` in one piece with every partial registered (the plain way).
    fn render_whole(&self, text: &str, out: &mut String) -> std::result::Result<(), RenderError> {
        out.push_str(&self.cached(text, true)?);
        Ok(())
    }

    fn cached(&self, text: &str, partials: bool) -> std::result::Result<String, RenderError> {
        self.registry.parsed.render(
            text,
            partials.then_some(&self.registry.partials),
            &self.data,
        )
    }

    fn whole_text_error(&self, text: &str) -> String {
        match self
            .registry
            .parsed
            .render_uncached(text, &self.registry.partials, &self.data)
        {
            Err(e) => e.to_string(),
            Ok(_) => "the template did not render".to_string(),
        }
    }
}

/// The templates of one registry, each parsed the first time it is rendered and kept: `batch`
/// and `check` render the same templates many times and pay each parse once.
///
/// A template is registered under its own text, so equal texts share one parse. The shared
/// partials are registered the first time a text needs them (most renders never do).
pub(crate) struct Parsed {
    engine: RwLock<Engine>,
}

struct Engine {
    handlebars: Handlebars<'static>,
    with_partials: bool,
    /// Texts registered so far (Handlebars keeps them by name; this avoids a lookup by name
    /// that would copy the text).
    known: HashSet<String>,
}

impl Default for Parsed {
    fn default() -> Self {
        Parsed {
            engine: RwLock::new(Engine {
                handlebars: base_engine(),
                with_partials: false,
                known: HashSet::new(),
            }),
        }
    }
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let engine = self.engine.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Parsed")
            .field("templates", &engine.known.len())
            .field("with_partials", &engine.with_partials)
            .finish()
    }
}

impl Parsed {
    /// How many templates have been parsed and kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        let engine = self.engine.read().unwrap_or_else(PoisonError::into_inner);
        engine.known.len()
    }

    /// Renders `text` with `data`, parsing it only the first time; `partials` are registered
    /// first when given and not yet there.
    fn render(
        &self,
        text: &str,
        partials: Option<&BTreeMap<String, String>>,
        data: &handlebars::Context,
    ) -> std::result::Result<String, RenderError> {
        {
            let engine = self.engine.read().unwrap_or_else(PoisonError::into_inner);
            if engine.known.contains(text) && (partials.is_none() || engine.with_partials) {
                return engine.handlebars.render_with_context(text, data);
            }
        }
        let mut engine = self.engine.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(partials) = partials {
            engine.add_partials(partials)?;
        }
        if !engine.known.contains(text) {
            engine
                .handlebars
                .register_template_string(text, text)
                .map_err(|e| RenderError::from(RenderErrorReason::TemplateError(e)))?;
            engine.known.insert(text.to_string());
        }
        engine.handlebars.render_with_context(text, data)
    }

    /// Renders `text` without naming or keeping it, for the error message of a broken template.
    fn render_uncached(
        &self,
        text: &str,
        partials: &BTreeMap<String, String>,
        data: &handlebars::Context,
    ) -> std::result::Result<String, RenderError> {
        let mut engine = self.engine.write().unwrap_or_else(PoisonError::into_inner);
        engine.add_partials(partials)?;
        engine.handlebars.render_template_with_context(text, data)
    }
}

impl Engine {
    fn add_partials(
        &mut self,
        partials: &BTreeMap<String, String>,
    ) -> std::result::Result<(), RenderError> {
        if self.with_partials {
            return Ok(());
        }
        for (name, text) in partials {
            self.handlebars.register_partial(name, text).map_err(|e| {
                RenderError::from(RenderErrorReason::Other(format!(
                    "the partial {SHARED_DIR}/partials/{name}{TEMPLATE_SUFFIX}: {e}"
                )))
            })?;
        }
        self.with_partials = true;
        Ok(())
    }
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
                "the condition `{}` for `{}` names no boolean (use sqlite, postgres, ci_github, ci_gitlab or webhooks)",
                rule.when, rule.path
            )
        })?;
        if value == negated {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The fast path and plain Handlebars on `text`, for the differential tests of [`super::fast`]:
/// `(fast, plain)`, each the output or the error message. Plain is a fresh engine with the
/// partials registered and the text unnamed, so it shares nothing with the cache it checks.
#[cfg(test)]
pub(crate) fn fast_and_plain(
    registry: &Registry,
    stack: &Stack,
    answers: &Answers,
    text: &str,
) -> (
    std::result::Result<String, String>,
    std::result::Result<String, String>,
) {
    let context = RenderContext::new(stack, answers, &NO_PACK);
    let renderer = Renderer {
        data: handlebars::Context::wraps(&context).unwrap(),
        registry,
        plain: false,
    };
    let mut fast = String::new();
    let fast = renderer
        .render_segments(text, 0, &mut fast)
        .map(|()| fast)
        .map_err(|e| e.to_string());
    let mut oracle = base_engine();
    for (name, partial) in &registry.partials {
        oracle.register_partial(name, partial).unwrap();
    }
    let plain = oracle
        .render_template_with_context(text, &renderer.data)
        .map_err(|e| e.to_string());
    (fast, plain)
}

/// [`substitute`] on a templated path, against plain Handlebars; `None` when it declines.
#[cfg(test)]
pub(crate) fn fast_path_and_plain(
    stack: &Stack,
    answers: &Answers,
    path: &str,
) -> (Option<String>, std::result::Result<String, String>) {
    let context = RenderContext::new(stack, answers, &NO_PACK);
    let data = handlebars::Context::wraps(&context).unwrap();
    let fast = substitute(path, data.data(), STRING_HELPERS);
    let plain = base_engine()
        .render_template_with_context(path, &data)
        .map_err(|e| e.to_string());
    (fast, plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls `check` with every stack and every database, CI and licence choice, and answers
    /// full of characters that could break a generated file or look like template syntax.
    fn for_every_option(mut check: impl FnMut(&'static Registry, &Stack, &Answers)) {
        use crate::answers::{Ci, Db, Jobs, License};
        let registry = crate::template::registry::registry().unwrap();
        let licenses = [License::Mit, License::Apache2, License::Bsd3Clause];
        for stack in &registry.stacks {
            for (d, db) in [Db::Sqlite, Db::Postgres].into_iter().enumerate() {
                for (c, ci) in [Ci::Github, Ci::Gitlab, Ci::None].into_iter().enumerate() {
                    let answers = Answers {
                        name: crate::answers::ProjectName::parse("Demo_App-2").unwrap(),
                        db,
                        ci,
                        // Both features, across the CI choices (not their full product).
                        jobs: if c == 1 { Jobs::None } else { Jobs::Webhooks },
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
            let context = RenderContext::new(stack, answers, &NO_PACK);
            let chosen = choose(registry, stack, &context).unwrap();
            let renderer = Renderer::new(registry, &context).unwrap();
            let sources = chosen
                .iter()
                .filter(|(_, f)| f.path.ends_with(TEMPLATE_SUFFIX))
                .map(|(t, f)| {
                    let text = std::str::from_utf8(&f.contents).unwrap();
                    (format!("{t}/{}", f.path), text)
                })
                .chain(
                    registry
                        .partials
                        .iter()
                        .map(|(n, t)| (n.clone(), t.as_str())),
                );
            for (_, f) in chosen.iter().filter(|(_, f)| f.path.contains("{{")) {
                let rel = f.path.as_str();
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
        let context = RenderContext::new(&registry.stacks[0], &answers, &NO_PACK);
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
            // Found by the property test in `fast::differential`: blanks after a standalone tag
            // without a line end, and a syntax error in a branch the fast path would skip.
            "{{> readme_student}} ",
            "{{! a standalone comment }} ",
            "{{#if postgres}}\n{{#if sqlite}}{{else}}{{{/if}}\n{{/if}}\n",
            "{{#if sqlite}}\n{{else}}\n{{#if sqlite}}\n{{else}}\n{{#if sqlite}}{{/if}}{{/if}}{{#unless sqlite}}{{else}}\\{{/unless}}\n{{/if}}\n{{/if}}",
        ] {
            let mut fast = String::new();
            let fast = renderer
                .render_segments(source, 0, &mut fast)
                .map(|()| fast);
            let mut whole = String::new();
            let whole = renderer.render_whole(source, &mut whole).map(|()| whole);
            match (fast, whole) {
                (Ok(fast), Ok(whole)) => assert_eq!(fast, whole, "{source:?}"),
                (Err(_), Err(_)) => {}
                (fast, whole) => panic!("{source:?}: fast {fast:?}, whole {whole:?}"),
            }
        }
    }

    /// `batch` renders the same templates for every row: the second render, with other answers,
    /// parses nothing new. A folder from disk (plain Handlebars, every text through the cache)
    /// shows it for whole files; the embedded registry for the runs the fast path leaves.
    #[test]
    fn templates_are_parsed_once_per_registry() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/tiny");
        let disk = Registry::from_dir(std::path::Path::new(root)).unwrap();
        let mut answers = demo_answers();
        render(&disk, &disk.stacks[0], &answers).unwrap();
        let parsed = disk.parsed.len();
        assert!(
            parsed >= 3,
            "the README, the partial, the templated path: {parsed}"
        );
        answers.student = "Ada".into();
        answers.description = "Another one".into();
        render(&disk, &disk.stacks[0], &answers).unwrap();
        assert_eq!(disk.parsed.len(), parsed, "the second render parsed again");
    }

    #[test]
    fn an_error_in_a_run_names_its_line_in_the_whole_file() {
        let registry = crate::template::registry::registry().unwrap();
        let stack = &registry.stacks[0];
        let answers = demo_answers();
        let context = RenderContext::new(stack, &answers, &NO_PACK);
        let renderer = Renderer::new(registry, &context).unwrap();
        let message = renderer.whole_text_error("a\nb\nc\n{{missing}}\n");
        assert!(message.contains("line 4"), "{message}");
    }

    fn demo_answers() -> crate::answers::Answers {
        crate::answers::Answers {
            name: crate::answers::ProjectName::parse("demo").unwrap(),
            db: crate::answers::Db::Sqlite,
            ci: crate::answers::Ci::Github,
            jobs: crate::answers::Jobs::Webhooks,
            author: "Ada".into(),
            description: "A demo".into(),
            license: crate::answers::License::Mit,
            year: 2026,
            student: "Grace".into(),
        }
    }
}
