//! folio's version: a leaf module, so the many places that record it (provenance, reports, the
//! first commit's trailer) need not import the crate root.

/// folio's version, recorded in every generated project.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
