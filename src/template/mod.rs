//! Templates: the registry (embedded or a folder on disk), manifests, and rendering into a
//! [`crate::tree::Tree`].
//!
//! The split keeps the one `include_dir!` and the loading rules (registry) apart from what a
//! manifest means (manifest), how files become text (render, with the engine set-up and helpers
//! in helpers) and the optimisation of that for the embedded templates (fast).

pub mod fast;
pub mod helpers;
pub mod manifest;
pub mod registry;
pub mod render;
