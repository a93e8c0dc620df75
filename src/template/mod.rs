//! Templates: the embedded registry, manifests, rendering into a [`crate::tree::Tree`].
//!
//! The split keeps the one `include_dir!` (registry) apart from what a manifest means (manifest),
//! how files become text (render) and the in-memory result (tree).

pub mod manifest;
pub mod registry;
pub mod render;
pub mod segments;
pub mod substitute;
