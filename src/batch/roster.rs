//! Reading a roster: one row per student, from CSV (with a header), TOML or JSON.
//!
//! Every row becomes a map of lower-cased column names to strings, with its location in the file
//! ("line 7" for CSV, "entry 3" for TOML and JSON), so a problem can be reported where the
//! instructor will look for it. Column meaning (name, stack, db, ...) is the planner's business.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// One student's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// Where the row is: "line 4" or "entry 2".
    pub location: String,
    /// 1-based line (CSV) or entry number (TOML, JSON).
    pub number: usize,
    pub fields: BTreeMap<String, String>,
}

/// The largest roster folio reads (a cohort of thousands is well under a megabyte).
pub const ROSTER_MAX_BYTES: u64 = 16 << 20;

/// Reads a roster, choosing the format by extension (`.csv`, `.toml`, `.json`).
pub fn read(path: &Path) -> Result<Vec<RosterRow>> {
    let text =
        crate::answers::read_capped(path, ROSTER_MAX_BYTES, "a roster").map_err(|source| {
            Error::RosterRead {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let invalid = |message: String| Error::RosterInvalid {
        path: path.to_path_buf(),
        message: crate::answers::one_line(&message, crate::answers::ERROR_ECHO_MAX),
    };
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match extension.as_str() {
        "toml" => from_toml(&text).map_err(invalid)?,
        "json" => from_json(&text).map_err(invalid)?,
        _ => from_csv(&text).map_err(invalid)?,
    };
    Ok(rows)
}

fn from_csv(text: &str) -> std::result::Result<Vec<RosterRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "name") {
        return Err(format!(
            "its header ({}) has no `name` column",
            headers.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record_line(text, record.position().map_or(0, |p| p.byte() as usize));
        let fields = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        rows.push(RosterRow {
            location: format!("line {line}"),
            number: line,
            fields,
        });
    }
    rows.extend(commented_out_rows(text, &headers));
    rows.sort_by_key(|r| r.number);
    Ok(rows)
}

/// `#` starts a comment line in a CSV roster, but a student whose name starts with `#` must not
/// vanish: a comment line with as many fields as the header looks like a row, so it is kept as
/// one (its name keeps the `#`, which the name check then reports with the line).
fn commented_out_rows(text: &str, headers: &[String]) -> Vec<RosterRow> {
    let header_commas = text.lines().next().map_or(0, |h| h.matches(',').count());
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| l.trim_start().starts_with('#') && l.matches(',').count() == header_commas)
        .map(|(i, l)| RosterRow {
            location: format!("line {}", i + 1),
            number: i + 1,
            fields: headers
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.clone(), v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        })
        .collect()
}

/// The editor line of the record that csv says starts at `byte`. csv's own line count skips blank
/// and comment lines, and its offset can point at the blank lines before the record, so skip them.
fn record_line(text: &str, byte: usize) -> usize {
    let mut line = text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    for rest in text[byte.min(text.len())..].lines() {
        let trimmed = rest.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            break;
        }
        line += 1;
    }
    line
}

fn from_toml(text: &str) -> std::result::Result<Vec<RosterRow>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let entries = table
        .get("students")
        .and_then(toml::Value::as_array)
        .ok_or("it has no [[students]] tables")?;
    let values: Vec<serde_json::Value> = entries
        .iter()
        .map(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
        .collect::<std::result::Result<_, _>>()?;
    entries_to_rows(&values)
}

fn from_json(text: &str) -> std::result::Result<Vec<RosterRow>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let entries = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => map
            .get("students")
            .and_then(serde_json::Value::as_array)
            .ok_or("it is an object without a \"students\" array")?,
        _ => return Err("it is neither an array of students nor {\"students\": [...]}".into()),
    };
    entries_to_rows(entries)
}

/// TOML and JSON entries: objects whose scalar values become strings.
fn entries_to_rows(entries: &[serde_json::Value]) -> std::result::Result<Vec<RosterRow>, String> {
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let object = entry
                .as_object()
                .ok_or_else(|| format!("entry {} is not a table of fields", i + 1))?;
            let fields = object
                .iter()
                .filter_map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.trim().to_string(),
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    (!text.is_empty()).then(|| (k.to_ascii_lowercase(), text))
                })
                .collect();
            Ok(RosterRow {
                location: format!("entry {}", i + 1),
                number: i + 1,
                fields,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_know_their_line() {
        let rows = from_csv(
            "Name,Email,cohort\nAda Lovelace, ada@example.org ,7\n\n# a comment\nGrace,,7\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].location, "line 2");
        assert_eq!(rows[0].fields["email"], "ada@example.org");
        assert_eq!(rows[1].location, "line 5");
        assert!(!rows[1].fields.contains_key("email"));
    }

    #[test]
    fn csv_needs_a_name_column() {
        assert!(from_csv("email\na@b.c\n").unwrap_err().contains("`name`"));
    }

    #[test]
    fn toml_and_json_rosters() {
        let rows = from_toml("[[students]]\nname = \"Ada\"\nseat = 3\n").unwrap();
        assert_eq!(rows[0].fields["seat"], "3");
        let rows = from_json(r#"{"students": [{"name": "Ada"}, {"name": "Grace"}]}"#).unwrap();
        assert_eq!(rows[1].location, "entry 2");
        assert!(from_json("[1]").is_err());
    }
}
