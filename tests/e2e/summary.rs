//! The per stack × database summary table with phase timings, followed by every failure.

use std::fmt::Write as _;
use std::time::Duration;

use crate::e2e::report::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Setup,
    Tests,
    /// The project's own end-to-end tests (`make e2e`).
    OwnE2e,
    Contract,
    Schemathesis,
    Probes,
    Validators,
}

const PHASES: [Phase; 7] = [
    Phase::Setup,
    Phase::Tests,
    Phase::OwnE2e,
    Phase::Contract,
    Phase::Schemathesis,
    Phase::Probes,
    Phase::Validators,
];

#[derive(Clone, Debug)]
pub enum Status {
    NotRun,
    Ok(Duration),
    Fail(Duration),
    Skip(String),
}

/// One line of the table.
#[derive(Debug)]
pub struct Row {
    pub label: String,
    phases: [Status; 7],
    pub total: Duration,
    pub report: Report,
}

impl Row {
    pub fn new(label: &str) -> Row {
        Row {
            label: label.to_string(),
            phases: std::array::from_fn(|_| Status::NotRun),
            total: Duration::ZERO,
            report: Report::new(label),
        }
    }

    pub fn set(&mut self, phase: Phase, status: Status) {
        self.phases[PHASES.iter().position(|p| *p == phase).unwrap()] = status;
    }

    pub fn skip_all(&mut self, why: String) {
        self.phases = std::array::from_fn(|_| Status::Skip(why.clone()));
    }

    /// The first skip reason (for messages).
    pub fn skip_reason(&self) -> String {
        self.phases
            .iter()
            .find_map(|s| {
                if let Status::Skip(w) = s {
                    Some(w.clone())
                } else {
                    None
                }
            })
            .unwrap_or_default()
    }

    fn skipped(&self) -> bool {
        self.phases.iter().any(|s| matches!(s, Status::Skip(_)))
    }

    pub fn failed(&self, require_all: bool) -> bool {
        !self.report.is_ok()
            || self.phases.iter().any(|s| matches!(s, Status::Fail(_)))
            || (require_all && self.skipped())
    }
}

fn cell(status: &Status) -> String {
    match status {
        Status::NotRun => "-".to_string(),
        Status::Ok(d) => format!("ok {:.0}s", d.as_secs_f64()),
        Status::Fail(d) => format!("FAIL {:.0}s", d.as_secs_f64()),
        Status::Skip(_) => "skip".to_string(),
    }
}

/// The table, the skip reasons and the failures, as printed at the end of a run.
pub fn render(rows: &[Row], require_all: bool) -> String {
    let mut out = String::new();
    let width = rows
        .iter()
        .map(|r| r.label.len())
        .max()
        .unwrap_or(0)
        .max(12);
    let _ = writeln!(out, "\ne2e summary");
    let _ = writeln!(
        out,
        "{:width$}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>10}  {:>10}  {:>7}  result",
        "stack/db",
        "setup",
        "tests",
        "own e2e",
        "contract",
        "schemathesis",
        "probes",
        "validators",
        "total"
    );
    for row in rows {
        let result = if row.failed(require_all) {
            let n = row.report.failures.len();
            if n > 0 {
                format!("FAIL ({n} failures)")
            } else if row.skipped() {
                "FAIL (skipped, FOLIO_E2E_REQUIRE_ALL=1)".to_string()
            } else {
                "FAIL".to_string()
            }
        } else if row.skipped() {
            "skipped".to_string()
        } else {
            "ok".to_string()
        };
        let cells: Vec<String> = row.phases.iter().map(cell).collect();
        let _ = writeln!(
            out,
            "{:width$}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>10}  {:>10}  {:>6.0}s  {result}",
            row.label,
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5],
            cells[6],
            row.total.as_secs_f64()
        );
    }
    for row in rows {
        let mut reasons: Vec<String> = row
            .phases
            .iter()
            .filter_map(|s| {
                if let Status::Skip(w) = s {
                    Some(w.clone())
                } else {
                    None
                }
            })
            .collect();
        reasons.dedup();
        for reason in reasons {
            let _ = writeln!(out, "skipped {}: {reason}", row.label);
        }
    }
    let failures: usize = rows.iter().map(|r| r.report.failures.len()).sum();
    if failures > 0 {
        let _ = writeln!(out, "\n{failures} failures:");
        for row in rows {
            let _ = write!(out, "{}", row.report);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_line_per_combination_with_timings() {
        let mut ok = Row::new("python-fastapi/sqlite");
        ok.set(Phase::Setup, Status::Ok(Duration::from_secs(12)));
        ok.set(Phase::Contract, Status::Ok(Duration::from_secs(20)));
        ok.total = Duration::from_secs(40);
        let mut bad = Row::new("go-nethttp/postgres");
        bad.set(Phase::Tests, Status::Fail(Duration::from_secs(3)));
        bad.report
            .fail("tests: the project's own tests fail", "log tail");
        let mut skipped = Row::new("java-spring/sqlite");
        skipped.skip_all("missing tools: mvn".into());

        let text = render(&[ok, bad, skipped], false);
        assert!(text.contains("python-fastapi/sqlite"), "{text}");
        assert!(text.contains("ok 12s"), "{text}");
        assert!(text.contains("FAIL 3s"), "{text}");
        assert!(text.contains("FAIL (1 failures)"), "{text}");
        assert!(
            text.contains("skipped java-spring/sqlite: missing tools: mvn"),
            "{text}"
        );
        assert!(
            text.contains("[go-nethttp/postgres] tests: the project's own tests fail"),
            "{text}"
        );

        let mut skipped = Row::new("java-spring/sqlite");
        skipped.skip_all("missing tools: mvn".into());
        assert!(skipped.failed(true) && !skipped.failed(false));
    }
}
