//! The one pass over file contents: every tracked text file is read once, in parallel, and
//! searched for secrets and for the few code patterns the rules need (health and metrics routes,
//! Rust `#[test]` functions).
//!
//! Everything else the rules look at is a file name or a handful of small manifests, so this pass
//! is what bounds `folio check` on a large repository. Files over 1 MiB and binary files are
//! skipped: secrets and routes live in source and config, not in assets.

use std::sync::OnceLock;

use rayon::prelude::*;
use regex::Regex;

use crate::check::lang::{Language, Languages};
use crate::check::repo::{MAX_READ_BYTES, Snapshot};
use crate::check::secrets::{self, SecretKind};

/// What one finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Secret(SecretKind),
    HealthRoute,
    MetricsRoute,
    RustTest,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: HitKind,
    pub path: String,
    pub line: u32,
    pub note: String,
}

/// All findings, sorted by path and line.
#[derive(Debug, Default)]
pub struct Scan {
    pub hits: Vec<Hit>,
    pub files_read: usize,
}

impl Scan {
    pub fn of(&self, kind: HitKind) -> impl Iterator<Item = &Hit> {
        self.hits.iter().filter(move |h| h.kind == kind)
    }
}

struct Patterns {
    health: Regex,
    metrics: Regex,
    rust_test: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        // A route string, optionally with a method as Go 1.22's ServeMux writes it.
        health: Regex::new(
            r#"["'`](?:(?:GET|HEAD) +)?(/(?:api/)?(?:healthz?|readyz|livez|ready|live|ping|actuator/health))["'`/?]"#,
        )
        .expect("valid regex"),
        metrics: Regex::new(r#"["'`](?:GET +)?(/metrics)["'`]"#).expect("valid regex"),
        rust_test: Regex::new(r"#\[(?:[a-z_]+::)?test\b").expect("valid regex"),
    })
}

/// Reads every tracked text file once and collects the findings.
pub fn scan(snapshot: &Snapshot, languages: &Languages) -> Scan {
    let judged: Vec<Language> = languages.judged().collect();
    let per_file: Vec<(bool, Vec<Hit>)> = snapshot
        .files
        .par_iter()
        .filter(|f| f.size <= MAX_READ_BYTES)
        .map(|file| {
            // The snapshot never follows a symlink and caps the read (see repo.rs).
            let Some(text) = snapshot.read_file(file) else {
                return (false, Vec::new());
            };
            (true, scan_file(&file.path, &text, &judged))
        })
        .collect();
    let mut scan = Scan::default();
    for (read, hits) in per_file {
        scan.files_read += usize::from(read);
        scan.hits.extend(hits);
    }
    scan
}

fn scan_file(path: &str, text: &str, judged: &[Language]) -> Vec<Hit> {
    let mut hits: Vec<Hit> = secrets::scan(text)
        .into_iter()
        .map(|s| Hit {
            kind: HitKind::Secret(s.kind),
            path: path.to_string(),
            line: s.line,
            note: s.note,
        })
        .collect();
    if !judged.iter().any(|l| l.is_source(path)) {
        return hits;
    }
    let p = patterns();
    // Plain substring guards first: most source files mention no route at all.
    let health = ["/health", "/ready", "/live", "/ping"]
        .iter()
        .any(|w| text.contains(w));
    let metrics = text.contains("/metrics");
    for (kind, re, maybe) in [
        (HitKind::HealthRoute, &p.health, health),
        (HitKind::MetricsRoute, &p.metrics, metrics),
    ] {
        if !maybe {
            continue;
        }
        if let Some(c) = re.captures(text) {
            let m = c.get(1).expect("group 1");
            hits.push(Hit {
                kind,
                path: path.to_string(),
                line: secrets::line_at(text, m.start()),
                note: format!("route `{}`", m.as_str()),
            });
        }
    }
    if path.ends_with(".rs") && text.contains("test") {
        if let Some(m) = p.rust_test.find(text) {
            hits.push(Hit {
                kind: HitKind::RustTest,
                path: path.to_string(),
                line: secrets::line_at(text, m.start()),
                note: format!("`{}` test function", m.as_str()),
            });
        }
    }
    hits
}
