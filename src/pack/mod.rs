//! Template packs: a bootcamp's own assignment on top of folio's stacks, as data only.
//!
//! A pack is a folder (or a git repository) with a `folio-pack.toml` ([`manifest`]), its files
//! under `files/` and optional partials. Nothing a pack contains runs while generating: its
//! templates are Handlebars rendered in strict mode with the same helpers as folio's own, no
//! helper or partial reaches the disk, and [`load`] refuses anything that could escape (links,
//! `..`, `.git/`, case collisions, oversized packs). A pack either overlays a built-in stack
//! (the stack renders, the pack's files are rendered on top by output path, `remove`d paths go)
//! or is a complete stack of its own. Its variables ([`vars`]) are asked like folio's options
//! and recorded, with the pack's source, version and content hash, in `.folio.toml`, so
//! `folio update` re-renders from the same pack and `folio check` knows where a repo came from.

pub mod lint;
pub mod load;
pub mod manifest;
pub mod render;
pub mod vars;

pub use load::{Pack, load};
