//! `folio check`: audit a repository against the portfolio checklist.
//!
//! The pipeline is one way: [`repo`] lists what git tracks, [`project`] gathers the facts once
//! (languages and dependencies in [`lang`], one parallel content pass in [`scan`]), every rule in
//! [`rules`] turns the facts into an outcome, [`policy`] decides what is required and ignored,
//! [`report`] scores it, and [`format`] prints it as text, JSON, JUnit, GitHub annotations or
//! Markdown. Rules never read the disk or git themselves, which keeps them small and testable,
//! and keeps the whole check fast on a large repository.

pub mod commands;
pub mod compose;
pub mod dockerfile;
pub mod format;
pub mod gitignore;
pub mod kubernetes;
pub mod lang;
pub mod origin;
pub mod policy;
pub mod project;
pub mod repo;
pub mod report;
pub mod rule;
pub mod rules;
pub mod scan;
pub mod secrets;
