//! Integration tests: the real router, a real database, requests sent in-process.
//! One test binary (faster to link than one per file), one module per area.

mod auth;
mod common;
mod limits;
mod ops;
mod startup;
mod tasks;
