//! Reading a template pack, confined by construction.
//!
//! A pack is data: folio reads its files into memory and nothing in it runs. Before any of it is
//! used, the whole folder is walked without following anything: a symbolic link (file or folder)
//! is refused, as is a file that would land in `.git/`, two paths that differ only by case (they
//! collide on macOS and Windows), a path that is not UTF-8, more than [`MAX_FILES`] files or more
//! than [`MAX_BYTES`] bytes. Paths in the manifest are checked not to leave the project. A git
//! source (a URL, or a local repository with `#REV`) is cloned with git2 into a temporary folder
//! that is removed as soon as the files are read; nothing is cached.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::pack::manifest::{PACK_MANIFEST, PackManifest};
use crate::template::registry::{TemplateFile, escapes};

/// The most files a pack may hold.
pub const MAX_FILES: usize = 2_000;
/// The most bytes a pack may hold (20 MB).
pub const MAX_BYTES: u64 = 20 * 1000 * 1000;
/// The pack's own files: an overlay (with `extends`) or the whole stack.
pub const FILES_DIR: &str = "files";
/// Partials the pack's templates may include as `{{> name}}`.
pub const PARTIALS_DIR: &str = "partials";

/// A loaded pack: its manifest and its files, in memory.
#[derive(Debug)]
pub struct Pack {
    pub manifest: PackManifest,
    /// `files/`, with paths relative to it.
    pub files: Vec<TemplateFile>,
    /// `partials/NAME.hbs`, by name.
    pub partials: BTreeMap<String, String>,
    /// sha256 of the manifest, files and partials (paths and bytes), hex.
    pub sha256: String,
    /// Where the pack came from, as given (a folder or a git URL, with `#REV`).
    pub source: String,
    /// The folder it was read from (gone already for a git source).
    pub folder: PathBuf,
}

/// Loads the pack `spec` names: a folder, or a git repository (`URL[#REV]`, `PATH#REV`).
pub fn load(spec: &str, cwd: &Path) -> Result<Pack> {
    let (location, rev) = match spec.rsplit_once('#') {
        Some((location, rev)) if !rev.is_empty() => (location, Some(rev)),
        _ => (spec, None),
    };
    let is_url = location.contains("://") || location.starts_with("git@");
    if is_url || rev.is_some() {
        let clone = tempfile::Builder::new()
            .prefix(".folio-pack-")
            .tempdir()
            .map_err(|e| Error::io("make a temporary folder for", location, e))?;
        let url = if is_url {
            location.to_string()
        } else {
            cwd.join(location).to_string_lossy().into_owned()
        };
        clone_at(&url, rev, clone.path(), spec)?;
        let mut pack = read_folder(clone.path(), spec)?;
        pack.folder = PathBuf::from(location);
        // `clone` is dropped here: the temporary folder and everything in it are removed.
        return Ok(pack);
    }
    // A folder is recorded by its absolute path, so `folio update` finds it from the project.
    let folder = cwd.join(location);
    let recorded = std::fs::canonicalize(&folder)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| spec.to_string());
    let mut pack = read_folder(&folder, spec)?;
    pack.source = recorded;
    Ok(pack)
}

fn refused(spec: &str, path: &str, reason: impl Into<String>) -> Error {
    Error::PackRefused {
        pack: spec.to_string(),
        path: path.to_string(),
        reason: reason.into(),
    }
}

fn clone_at(url: &str, rev: Option<&str>, into: &Path, spec: &str) -> Result<()> {
    let repo = git2::build::RepoBuilder::new()
        .clone(url, into)
        .map_err(|e| {
            refused(
                spec,
                url,
                format!("it could not be cloned: {}", e.message()),
            )
        })?;
    if let Some(rev) = rev {
        let object = repo
            .revparse_single(rev)
            .or_else(|_| repo.revparse_single(&format!("origin/{rev}")))
            .map_err(|_| refused(spec, rev, "no such branch, tag or commit in the repository"))?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        repo.checkout_tree(&object, Some(&mut checkout))
            .map_err(|e| {
                refused(
                    spec,
                    rev,
                    format!("it could not be checked out: {}", e.message()),
                )
            })?;
        repo.set_head_detached(
            object
                .peel_to_commit()
                .map(|c| c.id())
                .map_err(|e| refused(spec, rev, format!("it is not a commit: {}", e.message())))?,
        )
        .map_err(|e| refused(spec, rev, e.message().to_string()))?;
    }
    Ok(())
}

/// Reads and confines the pack in `root`.
pub fn read_folder(root: &Path, spec: &str) -> Result<Pack> {
    let meta = std::fs::symlink_metadata(root).map_err(|e| {
        refused(
            spec,
            &root.display().to_string(),
            format!("it cannot be read: {e}"),
        )
    })?;
    if meta.file_type().is_symlink() {
        return Err(refused(spec, ".", "the pack folder is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(refused(spec, ".", "it is not a folder"));
    }
    let walked = walk(root, spec)?;
    let manifest_bytes = walked
        .iter()
        .find(|(path, _)| path == PACK_MANIFEST)
        .map(|(_, bytes)| bytes.clone())
        .ok_or_else(|| refused(spec, PACK_MANIFEST, "the pack has no folio-pack.toml"))?;
    let text = std::str::from_utf8(&manifest_bytes)
        .map_err(|_| refused(spec, PACK_MANIFEST, "it is not UTF-8"))?;
    let manifest: PackManifest = toml::from_str(text).map_err(|e| {
        refused(
            spec,
            PACK_MANIFEST,
            crate::answers::one_line(&e.to_string(), 400),
        )
    })?;
    check_manifest(&manifest, spec)?;

    let mut files = Vec::new();
    let mut partials = BTreeMap::new();
    let mut hash = Sha256::new();
    for (path, bytes) in walked {
        let content = if let Some(rel) = path.strip_prefix(&format!("{FILES_DIR}/")) {
            files.push(TemplateFile {
                path: rel.to_string(),
                contents: Cow::Owned(bytes.clone()),
            });
            true
        } else if let Some(rel) = path.strip_prefix(&format!("{PARTIALS_DIR}/")) {
            let name = rel.strip_suffix(".hbs").ok_or_else(|| {
                refused(
                    spec,
                    &path,
                    "a partial is a .hbs file directly in partials/",
                )
            })?;
            if name.contains('/') {
                return Err(refused(
                    spec,
                    &path,
                    "a partial is a .hbs file directly in partials/",
                ));
            }
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| refused(spec, &path, "a partial must be UTF-8"))?;
            partials.insert(name.to_string(), text);
            true
        } else {
            path == PACK_MANIFEST
        };
        if content {
            hash.update((path.len() as u64).to_le_bytes());
            hash.update(path.as_bytes());
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(&bytes);
        }
    }
    if manifest.stack.is_some() && files.is_empty() {
        return Err(refused(
            spec,
            FILES_DIR,
            "a complete stack needs its files in files/",
        ));
    }
    Ok(Pack {
        manifest,
        files,
        partials,
        sha256: hex(&hash.finalize()),
        source: spec.to_string(),
        folder: root.to_path_buf(),
    })
}

/// Every plain file under `root` (its own `.git` folder skipped), relative and sorted, with
/// the limits and refusals of the module comment.
fn walk(root: &Path, spec: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut total: u64 = 0;
    let mut lowered: HashMap<String, String> = HashMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            refused(
                spec,
                &dir.display().to_string(),
                format!("it cannot be read: {e}"),
            )
        })?;
        for entry in entries {
            let entry =
                entry.map_err(|e| refused(spec, &dir.display().to_string(), e.to_string()))?;
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel
                .to_str()
                .ok_or_else(|| refused(spec, &rel.display().to_string(), "the path is not UTF-8"))?
                .replace(std::path::MAIN_SEPARATOR, "/");
            if rel == ".git" {
                continue; // the pack's own repository, not its content
            }
            let meta =
                std::fs::symlink_metadata(&path).map_err(|e| refused(spec, &rel, e.to_string()))?;
            if meta.file_type().is_symlink() {
                return Err(refused(
                    spec,
                    &rel,
                    "it is a symbolic link; a pack holds plain files and folders only",
                ));
            }
            if rel.split('/').any(|part| part.eq_ignore_ascii_case(".git")) {
                return Err(refused(spec, &rel, "it would land in a .git folder"));
            }
            if let Some(other) = lowered.insert(rel.to_lowercase(), rel.clone()) {
                return Err(refused(
                    spec,
                    &rel,
                    format!(
                        "it differs from `{other}` only by case, so they collide on macOS and Windows"
                    ),
                ));
            }
            if meta.is_dir() {
                pending.push(path);
                continue;
            }
            if !meta.is_file() {
                return Err(refused(spec, &rel, "it is not a plain file"));
            }
            total += meta.len();
            if out.len() + 1 > MAX_FILES {
                return Err(refused(
                    spec,
                    &rel,
                    format!("the pack holds more than {MAX_FILES} files"),
                ));
            }
            if total > MAX_BYTES {
                return Err(refused(
                    spec,
                    &rel,
                    format!("the pack is larger than {MAX_BYTES} bytes"),
                ));
            }
            let bytes = std::fs::read(&path).map_err(|e| refused(spec, &rel, e.to_string()))?;
            out.push((rel, bytes));
        }
    }
    out.sort();
    Ok(out)
}

fn check_manifest(manifest: &PackManifest, spec: &str) -> Result<()> {
    let id_ok = manifest
        .id
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && manifest.id.len() <= 64
        && manifest
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err(refused(
            spec,
            PACK_MANIFEST,
            format!(
                "the id `{}` must be lower-case letters, digits and `-`, starting with a letter",
                manifest.id
            ),
        ));
    }
    let version_ok = !manifest.version.is_empty()
        && manifest.version.len() <= 32
        && manifest
            .version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    if !version_ok {
        return Err(refused(
            spec,
            PACK_MANIFEST,
            format!("the version `{}` is not like 1.2.0", manifest.version),
        ));
    }
    match (&manifest.extends, &manifest.stack) {
        (Some(_), Some(_)) => {
            return Err(refused(
                spec,
                PACK_MANIFEST,
                "a pack either extends a stack or has a [stack] of its own, not both",
            ));
        }
        (None, None) => {
            return Err(refused(
                spec,
                PACK_MANIFEST,
                "a pack needs `extends = \"STACK\"` or a [stack] table",
            ));
        }
        _ => {}
    }
    if let Some(range) = &manifest.folio {
        semver::VersionReq::parse(range).map_err(|why| {
            refused(
                spec,
                PACK_MANIFEST,
                format!("folio = \"{range}\" is not a version range: {why}"),
            )
        })?;
    }
    for path in manifest.remove.iter().chain(&manifest.executable) {
        if path.is_empty() || escapes(path) {
            return Err(refused(
                spec,
                path,
                "the path leaves the project folder (`..` or absolute)",
            ));
        }
        if path.split('/').any(|p| p.eq_ignore_ascii_case(".git")) {
            return Err(refused(spec, path, "it would land in a .git folder"));
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for var in &manifest.variables {
        if let Some(problem) = var.problem() {
            return Err(refused(spec, PACK_MANIFEST, problem));
        }
        if !names.insert(var.name.as_str()) {
            return Err(refused(
                spec,
                PACK_MANIFEST,
                format!("the variable `{}` is declared twice", var.name),
            ));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
