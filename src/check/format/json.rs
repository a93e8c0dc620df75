//! `--format json`: the [`Report`] itself, pretty-printed. Its shape is versioned by
//! `schema_version` and described by `docs/check-report.schema.json`.

use crate::check::report::Report;

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("the report always serializes")
}
