//! Rendering a pack: the stack it extends (or its own), then its overlay, into one [`Tree`].

use std::borrow::Cow;

use serde::Serialize;

use crate::answers::{Answers, PROVENANCE_FILE};
use crate::error::{Error, Result};
use crate::pack::load::Pack;
use crate::pack::vars::{self, Values};
use crate::template::manifest::{Manifest, UpdatePolicy};
use crate::template::registry::{MANIFEST_FILE, Registry, SHARED_DIR, Source, Stack, TemplateFile};
use crate::template::render;
use crate::tree::Tree;

/// `.folio.toml`'s `[pack]` table: which pack, which release, which exact content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRecord {
    pub id: String,
    pub version: String,
    pub source: String,
    pub sha256: String,
}

/// A pack ready to render: the registry its files live in and the stack to render.
pub struct Prepared<'b> {
    /// The built-in registry the pack extends (none for a complete stack).
    pub base: Option<(&'b Registry, &'b Stack)>,
    /// The pack's own files as a registry of one stack.
    pub own: Registry,
}

impl Prepared<'_> {
    /// The stack whose manifest (databases, commands, keywords) governs a project of this pack.
    pub fn stack(&self) -> &Stack {
        match self.base {
            Some((_, stack)) => stack,
            None => &self.own.stacks[0],
        }
    }
}

/// Builds the pack's registry, checked like a template folder on disk.
pub fn prepare<'b>(pack: &Pack, builtin: &'b Registry) -> Result<Prepared<'b>> {
    let source = Source::Folder(pack.folder.clone());
    let (base, manifest, mut partials): (Option<(&Registry, &Stack)>, Manifest, Vec<TemplateFile>) =
        match (&pack.manifest.extends, &pack.manifest.stack) {
            (Some(id), _) => {
                let stack = builtin
                    .stacks
                    .iter()
                    .find(|s| &s.manifest.id == id)
                    .ok_or_else(|| Error::PackRefused {
                        pack: pack.source.clone(),
                        path: "folio-pack.toml".into(),
                        reason: format!(
                            "it extends `{id}`, which this folio does not have (folio list shows the stacks)"
                        ),
                    })?;
                // The overlay renders with the base's manifest (its vars, its id) but none of
                // its conditions: the pack's files are all the pack's.
                let mut manifest = stack.manifest.clone();
                manifest.files.clear();
                manifest.executable = pack.manifest.executable.clone();
                manifest.update = UpdatePolicy::default();
                let shared = builtin
                    .partials
                    .iter()
                    .map(|(name, text)| partial_file(name, text))
                    .collect();
                (Some((builtin, stack)), manifest, shared)
            }
            (None, Some(own)) => {
                let mut manifest = own.clone();
                manifest
                    .executable
                    .extend(pack.manifest.executable.iter().cloned());
                (None, manifest, Vec::new())
            }
            (None, None) => unreachable!("load refuses a pack without extends or [stack]"),
        };
    partials.extend(
        pack.partials
            .iter()
            .map(|(name, text)| partial_file(name, text)),
    );
    let manifest_text = toml::to_string(&manifest).map_err(|e| Error::PackRefused {
        pack: pack.source.clone(),
        path: "folio-pack.toml".into(),
        reason: e.to_string(),
    })?;
    let mut stack_files = pack.files.clone();
    stack_files.push(TemplateFile {
        path: MANIFEST_FILE.to_string(),
        contents: Cow::Owned(manifest_text.into_bytes()),
    });
    let own = Registry::from_folders(
        source,
        vec![
            (manifest.id.clone(), stack_files),
            (SHARED_DIR.to_string(), partials),
        ],
    )?;
    Ok(Prepared { base, own })
}

fn partial_file(name: &str, text: &str) -> TemplateFile {
    TemplateFile {
        path: format!("partials/{name}.hbs"),
        contents: Cow::Owned(text.as_bytes().to_vec()),
    }
}

/// Renders the project: base stack, minus `remove`, plus the overlay; then `.folio.toml` with
/// the pack's record and variables.
pub fn render(
    pack: &Pack,
    prepared: &Prepared<'_>,
    answers: &Answers,
    values: &Values,
) -> Result<Tree> {
    let json = vars::to_json(values);
    let mut tree = match prepared.base {
        Some((registry, stack)) => render::render_with(registry, stack, answers, &json)?,
        None => Tree::new(),
    };
    for path in &pack.manifest.remove {
        tree.remove(path);
    }
    let overlay = render::render_with(&prepared.own, &prepared.own.stacks[0], answers, &json)?;
    for (path, file) in overlay.iter() {
        if path.split('/').any(|p| p.eq_ignore_ascii_case(".git")) {
            return Err(Error::PackRefused {
                pack: pack.source.clone(),
                path: path.to_string(),
                reason: "it renders into a .git folder".into(),
            });
        }
        tree.insert(path, file.contents.clone(), file.executable);
    }
    tree.insert(
        PROVENANCE_FILE,
        provenance(pack, prepared.stack(), answers, values).into_bytes(),
        false,
    );
    Ok(tree)
}

/// The `.folio.toml` of a project made from `pack`.
pub fn provenance(pack: &Pack, stack: &Stack, answers: &Answers, values: &Values) -> String {
    let mut file = answers.record(&stack.manifest.id);
    file.pack = Some(record(pack));
    file.vars = (!values.is_empty()).then(|| values.clone().into_iter().collect());
    let body = toml::to_string(&file).expect("answers always serialize");
    format!(
        "# Written by folio: the template pack and answers this project was generated from.\n\
         # `folio update` and `folio check` read it; keep it committed.\n{body}"
    )
}

pub fn record(pack: &Pack) -> PackRecord {
    PackRecord {
        id: pack.manifest.id.clone(),
        version: pack.manifest.version.clone(),
        source: pack.source.clone(),
        sha256: pack.sha256.clone(),
    }
}
