//! The template registry: the stacks folio can render, from the embedded templates (the one
//! `include_dir!` of folio) or from a folder on disk with the same layout.
//!
//! Both sources are read into the same in-memory form ([`TemplateFile`]s) and go through the same
//! validation with the same messages: every stack folder has a `template.toml` with known keys
//! only, its id is its folder name, it lists a database, and no path in it leaves the folder
//! (`..` or an absolute path). A folder on disk must also hold plain files only: a symbolic link
//! is refused with its path, since it could point anywhere. The embedded registry is loaded once
//! per process, on first use; each registry parses its templates at most once ([`Parsed`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};

use crate::answers::{Db, Jobs};
use crate::error::{Error, Result};
use crate::template::manifest::{Manifest, SharedManifest};
use crate::template::render::Parsed;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The folder of files every stack shares.
pub const SHARED_DIR: &str = "_shared";
pub const MANIFEST_FILE: &str = "template.toml";
const SHARED_MANIFEST_FILE: &str = "shared.toml";
/// Shared partials, `{{> name}}` for `_shared/partials/name.hbs`.
const PARTIALS_DIR: &str = "partials/";
const TEMPLATE_SUFFIX: &str = ".hbs";

/// One file of a template folder: its `/`-separated path inside the folder, and its bytes.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub path: String,
    pub contents: Cow<'static, [u8]>,
}

/// One stack: its manifest and its files (the manifest itself not among them).
#[derive(Debug)]
pub struct Stack {
    pub manifest: Manifest,
    pub files: Vec<TemplateFile>,
}

/// Where a registry's templates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Compiled into folio: written and tested with folio, so the line-segment fast path of
    /// `template::fast` may render them.
    Embedded,
    /// A folder on disk (a template pack, a test fixture): always plain Handlebars.
    Folder(PathBuf),
}

/// What a templates folder holds, parsed and checked.
#[derive(Debug)]
pub struct Registry {
    pub source: Source,
    pub stacks: Vec<Stack>,
    pub shared: SharedManifest,
    /// `_shared`'s files, without its manifest and partials.
    pub shared_files: Vec<TemplateFile>,
    /// The shared partials' sources, by name (`partials/readme_api.hbs` is `readme_api`).
    pub partials: BTreeMap<String, String>,
    /// Templates parsed so far, kept for the life of the registry.
    pub(crate) parsed: Parsed,
}

/// The embedded registry, loaded on first use. A broken manifest is reported as a template error.
pub fn registry() -> Result<&'static Registry> {
    static REGISTRY: OnceLock<std::result::Result<Registry, Broken>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| Registry::build(Source::Embedded, embedded_folders()))
        .as_ref()
        .map_err(|broken| broken.error(&Source::Embedded))
}

/// Why a registry could not be built: the template (folder or file) and what is wrong with it.
#[derive(Debug, Clone)]
struct Broken {
    template: String,
    message: String,
}

impl Broken {
    fn new(template: impl Into<String>, message: impl Into<String>) -> Broken {
        Broken {
            template: template.into(),
            message: message.into(),
        }
    }

    fn error(&self, source: &Source) -> Error {
        match source {
            Source::Embedded => Error::Template {
                template: self.template.clone(),
                message: self.message.clone(),
            },
            Source::Folder(folder) => Error::TemplateFolder {
                folder: folder.clone(),
                template: self.template.clone(),
                message: self.message.clone(),
            },
        }
    }
}

/// The top-level folders of a templates root, each with its files (paths relative to it).
type Folders = std::result::Result<Vec<(String, Vec<TemplateFile>)>, Broken>;

fn embedded_folders() -> Folders {
    fn collect(
        dir: &'static Dir<'static>,
        root: &str,
        out: &mut Vec<TemplateFile>,
    ) -> Result<(), Broken> {
        for file in dir.files() {
            let full = file.path().to_str().ok_or_else(|| {
                Broken::new(
                    root,
                    format!("the path {} is not UTF-8", file.path().display()),
                )
            })?;
            let rel = full
                .strip_prefix(root)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(full);
            out.push(TemplateFile {
                path: rel.to_string(),
                contents: Cow::Borrowed(file.contents()),
            });
        }
        for sub in dir.dirs() {
            collect(sub, root, out)?;
        }
        Ok(())
    }
    let mut folders = Vec::new();
    for dir in TEMPLATES.dirs() {
        let name = dir.path().to_string_lossy().into_owned();
        let mut files = Vec::new();
        collect(dir, &name, &mut files)?;
        folders.push((name, files));
    }
    Ok(folders)
}

fn disk_folders(root: &Path) -> Folders {
    let read_dir = |dir: &Path| {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| Broken::new(dir.display().to_string(), format!("cannot read it: {e}")))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<Vec<PathBuf>>>()
            .map_err(|e| Broken::new(dir.display().to_string(), format!("cannot read it: {e}")))?;
        entries.sort();
        Ok::<_, Broken>(entries)
    };
    fn name_of(root: &Path, path: &Path) -> Result<String, Broken> {
        let rel = path.strip_prefix(root).unwrap_or(path);
        rel.to_str()
            .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"))
            .ok_or_else(|| Broken::new(rel.display().to_string(), "the path is not UTF-8"))
    }
    let mut folders = Vec::new();
    let mut pending = Vec::new();
    for top in read_dir(root)? {
        let meta = std::fs::symlink_metadata(&top)
            .map_err(|e| Broken::new(name_of(root, &top).unwrap_or_default(), e.to_string()))?;
        let name = name_of(root, &top)?;
        if meta.file_type().is_symlink() {
            return Err(Broken::new(
                name,
                "it is a symbolic link; template folders hold plain files only",
            ));
        }
        if meta.is_dir() {
            pending.push((name, top));
        }
    }
    for (name, dir) in pending {
        let mut files = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(current) = stack.pop() {
            for path in read_dir(&current)? {
                let rel = name_of(&dir, &path)?;
                let meta = std::fs::symlink_metadata(&path)
                    .map_err(|e| Broken::new(format!("{name}/{rel}"), e.to_string()))?;
                if meta.file_type().is_symlink() {
                    return Err(Broken::new(
                        format!("{name}/{rel}"),
                        "it is a symbolic link; template folders hold plain files only",
                    ));
                } else if meta.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        Broken::new(format!("{name}/{rel}"), format!("cannot read it: {e}"))
                    })?;
                    files.push(TemplateFile {
                        path: rel,
                        contents: Cow::Owned(bytes),
                    });
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        folders.push((name, files));
    }
    Ok(folders)
}

impl Registry {
    /// Loads a templates folder on disk laid out like folio's `templates/`: one folder per stack
    /// (each with its `template.toml`), and optionally `_shared/` with `shared.toml` and
    /// `partials/`.
    pub fn from_dir(root: &Path) -> Result<Registry> {
        let source = Source::Folder(root.to_path_buf());
        if !root.is_dir() {
            return Err(
                Broken::new(root.display().to_string(), "it is not a folder").error(&source),
            );
        }
        Registry::build(source.clone(), disk_folders(root)).map_err(|b| b.error(&source))
    }

    /// A registry from folders held in memory (a template pack), laid out and checked exactly
    /// like one read from disk: `(folder name, files relative to it)`.
    pub fn from_folders(
        source: Source,
        folders: Vec<(String, Vec<TemplateFile>)>,
    ) -> Result<Registry> {
        Registry::build(source.clone(), Ok(folders)).map_err(|b| b.error(&source))
    }

    fn build(source: Source, folders: Folders) -> std::result::Result<Registry, Broken> {
        let mut stacks = Vec::new();
        let mut shared = SharedManifest::default();
        let mut shared_files = Vec::new();
        let mut partials = BTreeMap::new();
        for (folder, files) in folders? {
            if folder == SHARED_DIR {
                for file in files {
                    if file.path == SHARED_MANIFEST_FILE {
                        shared = parse_toml(SHARED_DIR, &file.contents)?;
                    } else if let Some(name) = file
                        .path
                        .strip_prefix(PARTIALS_DIR)
                        .and_then(|p| p.strip_suffix(TEMPLATE_SUFFIX))
                    {
                        let text = String::from_utf8(file.contents.to_vec()).map_err(|_| {
                            Broken::new(
                                format!("{SHARED_DIR}/{}", file.path),
                                "a partial must be UTF-8",
                            )
                        })?;
                        partials.insert(name.to_string(), text);
                    } else if !file.path.starts_with(PARTIALS_DIR) {
                        shared_files.push(file);
                    }
                }
                for rule in &shared.files {
                    check_inside(SHARED_DIR, "[[files]] path", &rule.path)?;
                }
                continue;
            }
            if folder.starts_with('_') || folder.starts_with('.') {
                continue;
            }
            let Some(manifest_file) = files.iter().find(|f| f.path == MANIFEST_FILE) else {
                return Err(Broken::new(folder, format!("it has no {MANIFEST_FILE}")));
            };
            let manifest: Manifest = parse_toml(&folder, &manifest_file.contents)?;
            if manifest.id != folder {
                return Err(Broken::new(
                    folder,
                    format!("its id `{}` differs from its folder name", manifest.id),
                ));
            }
            if manifest.databases.is_empty() {
                return Err(Broken::new(folder, "it lists no databases"));
            }
            if manifest.jobs.is_empty() {
                return Err(Broken::new(
                    folder,
                    "its `jobs` list is empty (leave it out for none)",
                ));
            }
            for rule in &manifest.files {
                check_inside(&folder, "[[files]] path", &rule.path)?;
            }
            for path in &manifest.executable {
                check_inside(&folder, "executable", path)?;
            }
            let files = files
                .into_iter()
                .filter(|f| f.path != MANIFEST_FILE)
                .collect();
            stacks.push(Stack { manifest, files });
        }
        if stacks.is_empty() {
            return Err(Broken::new(
                ".",
                format!("no folder in it holds a {MANIFEST_FILE}"),
            ));
        }
        stacks.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        Ok(Registry {
            source,
            stacks,
            shared,
            shared_files,
            partials,
            parsed: Parsed::default(),
        })
    }

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

    /// The jobs feature a project gets when none is chosen: the first the manifest lists.
    pub fn default_jobs(&self) -> Jobs {
        self.manifest.jobs.first().copied().unwrap_or(Jobs::None)
    }
}

/// Refuses a manifest path that would leave its template folder.
fn check_inside(template: &str, key: &str, path: &str) -> std::result::Result<(), Broken> {
    if escapes(path) {
        return Err(Broken::new(
            template,
            format!("the {key} `{path}` leaves the template folder (`..` or an absolute path)"),
        ));
    }
    Ok(())
}

/// Whether a `/`-separated relative path could name something outside its root: absolute, a
/// drive or UNC prefix, a backslash, or a `..` component.
pub fn escapes(path: &str) -> bool {
    path.contains('\\')
        || path.starts_with('/')
        || Path::new(path)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    template: &str,
    bytes: &[u8],
) -> std::result::Result<T, Broken> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Broken::new(template, "its manifest is not UTF-8"))?;
    toml::from_str(text).map_err(|e| Broken::new(template, e.to_string()))
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
        assert!(!registry.partials.is_empty());
    }

    #[test]
    fn paths_that_leave_the_folder_are_caught() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "a\\..\\b", ".."] {
            assert!(escapes(bad), "{bad}");
        }
        for good in ["a", "a/b.txt", ".github/", "./a", "{{name}}/x"] {
            assert!(!escapes(good), "{good}");
        }
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
