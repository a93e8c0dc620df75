//! The line-segment fast path: an optimisation of [`super::render`], never a second source of
//! truth. Its output must equal Handlebars' on the whole text, byte for byte.
//!
//! Why it exists: Handlebars parses with pest, and parsing was most of the time of a `folio new`
//! (one process renders each template once, so caching parses cannot help there). Most template
//! lines hold no tag, and most tags are a value or a simple `if`. [`segments`] cuts a source into
//! literal lines and templated runs; [`substitute`] fills the simple runs itself; everything else
//! goes to Handlebars (parsed once per process). What keeps it honest: the differential tests in
//! `render` (every embedded template with every option) and the property test in [`differential`]
//! (random templates from the syntax it claims to handle, against Handlebars on the whole text).
//! Only the embedded templates take this path; a template folder from disk gets plain Handlebars.

pub mod segments;
pub mod substitute;

#[cfg(test)]
mod differential;
