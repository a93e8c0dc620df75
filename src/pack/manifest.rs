//! `folio-pack.toml`: what a template pack is, as a plain serde struct.
//!
//! A pack either `extends` a built-in stack (its `files/` folder is an overlay: files added or
//! replaced by output path, plus `remove`d output paths) or is a complete stack of its own (its
//! `[stack]` table has the fields of a built-in `template.toml`, and `files/` holds all of its
//! files). Unknown keys are refused, as in every folio manifest.

use serde::{Deserialize, Serialize};

use crate::template::manifest::Manifest;

/// The manifest's file name, at the pack's root.
pub const PACK_MANIFEST: &str = "folio-pack.toml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackManifest {
    /// Lower-case letters, digits and `-`; recorded in every project made from the pack.
    pub id: String,
    pub description: String,
    /// The pack's own version (dot-separated numbers), recorded in `.folio.toml` and in the
    /// render commit's trailer, so `folio update` knows which release a project has.
    pub version: String,
    /// The folio versions the pack works with, e.g. `">=0.1, <0.2"`. [default: any]
    #[serde(default)]
    pub folio: Option<String>,
    /// The built-in stack this pack overlays, e.g. `python-fastapi`.
    #[serde(default)]
    pub extends: Option<String>,
    /// A complete stack instead (exclusive with `extends`).
    #[serde(default)]
    pub stack: Option<Manifest>,
    /// Output paths of the base stack to leave out.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Output paths that get the executable bit.
    #[serde(default)]
    pub executable: Vec<String>,
    /// Questions the pack adds to `folio new`.
    #[serde(default)]
    pub variables: Vec<Variable>,
}

/// A pack variable: prompted for like a built-in option, given with `--var KEY=VALUE`, and
/// recorded in `.folio.toml`'s `[vars]`. Templates read it as `{{pack.NAME}}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Lower-case letters, digits and `_`, starting with a letter.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: VariableKind,
    /// The question asked in a terminal.
    pub prompt: String,
    /// The answer without a flag or a terminal; a variable without one must be given.
    #[serde(default)]
    pub default: Option<toml::Value>,
    /// The allowed answers of a `choice`.
    #[serde(default)]
    pub choices: Vec<String>,
    /// A regular expression a `string` answer must match whole.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Bounds of an `integer`.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableKind {
    String,
    Bool,
    Choice,
    Integer,
}
