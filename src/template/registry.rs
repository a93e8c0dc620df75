//! The embedded templates: the one `include_dir!` of folio, and stack lookup by name.
//!
//! Everything under `templates/` is compiled into the binary, so generating needs no network and
//! no files beside the executable. Manifests are parsed once per process, on first use.

use std::sync::OnceLock;

use include_dir::{Dir, include_dir};

use crate::answers::Db;
use crate::error::{Error, Result};
use crate::template::manifest::{Manifest, SharedManifest};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The folder of files every stack shares.
pub const SHARED_DIR: &str = "_shared";
const MANIFEST_FILE: &str = "template.toml";
const SHARED_MANIFEST_FILE: &str = "shared.toml";

/// One stack: its manifest and its embedded files.
#[derive(Debug)]
pub struct Stack {
    pub manifest: Manifest,
    pub dir: &'static Dir<'static>,
}

/// What the templates folder holds, parsed.
#[derive(Debug)]
pub struct Registry {
    pub stacks: Vec<Stack>,
    pub shared: SharedManifest,
    pub shared_dir: &'static Dir<'static>,
}

/// The registry, loaded on first use. A broken manifest is reported as a template error.
pub fn registry() -> Result<&'static Registry> {
    static REGISTRY: OnceLock<std::result::Result<Registry, (String, String)>> = OnceLock::new();
    REGISTRY
        .get_or_init(load)
        .as_ref()
        .map_err(|(template, message)| Error::Template {
            template: template.clone(),
            message: message.clone(),
        })
}

fn load() -> std::result::Result<Registry, (String, String)> {
    let shared_dir = TEMPLATES
        .get_dir(SHARED_DIR)
        .ok_or_else(|| (SHARED_DIR.to_string(), "the folder is missing".to_string()))?;
    let shared = match shared_dir.get_file(format!("{SHARED_DIR}/{SHARED_MANIFEST_FILE}")) {
        Some(file) => parse_toml(SHARED_DIR, file.contents())?,
        None => SharedManifest::default(),
    };
    let mut stacks = Vec::new();
    for dir in TEMPLATES.dirs() {
        let folder = dir.path().to_string_lossy().into_owned();
        if folder.starts_with('_') {
            continue;
        }
        // A folder without a manifest is a stack still being written; the unit test
        // `every_template_folder_has_a_manifest` keeps one from being released.
        let Some(file) = dir.get_file(format!("{folder}/{MANIFEST_FILE}")) else {
            continue;
        };
        let manifest: Manifest = parse_toml(&folder, file.contents())?;
        if manifest.id != folder {
            return Err((
                folder.clone(),
                format!("its id `{}` differs from its folder name", manifest.id),
            ));
        }
        if manifest.databases.is_empty() {
            return Err((folder, "it lists no databases".into()));
        }
        stacks.push(Stack { manifest, dir });
    }
    stacks.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
    Ok(Registry {
        stacks,
        shared,
        shared_dir,
    })
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    template: &str,
    bytes: &[u8],
) -> std::result::Result<T, (String, String)> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        (
            template.to_string(),
            "its manifest is not UTF-8".to_string(),
        )
    })?;
    toml::from_str(text).map_err(|e| (template.to_string(), e.to_string()))
}

impl Stack {
    /// The database a project gets when none is chosen: the first its manifest lists (loading
    /// refuses a manifest that lists none).
    pub fn default_db(&self) -> Db {
        self.manifest
            .databases
            .first()
            .copied()
            .unwrap_or(Db::Sqlite)
    }

    pub fn supports(&self, db: Db) -> bool {
        self.manifest.databases.contains(&db)
    }
}

impl Registry {
    /// Finds a stack by id, by language (its default stack) or by alias, ignoring case.
    pub fn find(&self, given: &str) -> Result<&Stack> {
        let wanted = given.trim().to_ascii_lowercase();
        let by_id = self.stacks.iter().find(|s| s.manifest.id == wanted);
        let by_language = || {
            self.stacks
                .iter()
                .find(|s| s.manifest.default_for_language && s.manifest.language == wanted)
        };
        let by_alias = || {
            self.stacks
                .iter()
                .find(|s| s.manifest.aliases.contains(&wanted))
        };
        by_id
            .or_else(by_language)
            .or_else(by_alias)
            .ok_or_else(|| Error::UnknownStack {
                given: given.to_string(),
                suggestion: self.closest_name(&wanted),
                known: self.stacks.iter().map(|s| s.manifest.id.clone()).collect(),
            })
    }

    /// The stack a user gets without `--stack`: Python's, the gentlest start, when it exists.
    pub fn default_stack(&self) -> Result<&Stack> {
        self.find("python")
            .or_else(|err| self.stacks.first().ok_or(err))
    }

    /// The known name nearest to a misspelling, if any is near enough to be a likely typo.
    fn closest_name(&self, wanted: &str) -> Option<String> {
        let names = self.stacks.iter().flat_map(|s| {
            std::iter::once(s.manifest.id.as_str())
                .chain(std::iter::once(s.manifest.language.as_str()))
                .chain(s.manifest.aliases.iter().map(String::as_str))
        });
        names
            .map(|name| (strsim::jaro_winkler(wanted, name), name))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_folder_has_a_manifest() {
        for dir in TEMPLATES.dirs() {
            let folder = dir.path().to_string_lossy();
            if folder.starts_with('_') {
                continue;
            }
            assert!(
                dir.get_file(format!("{folder}/{MANIFEST_FILE}")).is_some(),
                "templates/{folder} has no {MANIFEST_FILE}"
            );
        }
    }

    #[test]
    fn every_manifest_loads() {
        let registry = registry().expect("manifests parse");
        assert!(!registry.stacks.is_empty());
    }

    #[test]
    fn languages_and_aliases_select_stacks() {
        let registry = registry().unwrap();
        for stack in &registry.stacks {
            let m = &stack.manifest;
            assert_eq!(registry.find(&m.id).unwrap().manifest.id, m.id);
            for alias in &m.aliases {
                assert_eq!(
                    registry.find(alias).unwrap().manifest.id,
                    m.id,
                    "alias {alias}"
                );
            }
            if m.default_for_language {
                assert_eq!(registry.find(&m.language).unwrap().manifest.id, m.id);
            }
        }
    }
}
