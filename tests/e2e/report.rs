//! Failures collected while checking one stack × database, and how they read.
//!
//! Nothing stops at the first failure: every phase adds what it found to a `Report`, and the
//! summary prints them all, each prefixed with the stack and database so that a line pasted into
//! an issue says by itself which template is at fault.

use std::fmt;

#[derive(Clone, Debug)]
pub struct Failure {
    /// Which check: `tokens: expired token`, `validators: actionlint .github/workflows/ci.yml`.
    pub check: String,
    /// What happened: the request and the response, or the tool's output.
    pub detail: String,
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    /// `python-fastapi/sqlite`.
    pub label: String,
    pub failures: Vec<Failure>,
}

impl Report {
    pub fn new(label: impl Into<String>) -> Self {
        Report {
            label: label.into(),
            failures: Vec::new(),
        }
    }

    pub fn fail(&mut self, check: impl Into<String>, detail: impl Into<String>) {
        self.failures.push(Failure {
            check: check.into(),
            detail: detail.into(),
        });
    }

    pub fn is_ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// True when some failure's check name contains `needle` (for the harness's own tests).
    pub fn mentions(&self, needle: &str) -> bool {
        self.failures
            .iter()
            .any(|f| f.check.contains(needle) || f.detail.contains(needle))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for failure in &self.failures {
            writeln!(f, "[{}] {}", self.label, failure.check)?;
            for line in failure.detail.lines() {
                writeln!(f, "      {line}")?;
            }
        }
        Ok(())
    }
}

/// The last `n` lines of a text (a log), for failure details.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_line_names_the_stack() {
        let mut r = Report::new("go-nethttp/postgres");
        r.fail(
            "tokens: expired token",
            "request: GET /api/v1/users/me\nresponse: 200",
        );
        let text = r.to_string();
        assert!(
            text.starts_with("[go-nethttp/postgres] tokens: expired token\n"),
            "{text}"
        );
        assert!(text.contains("      response: 200"));
        assert!(r.mentions("expired"));
        assert!(!r.is_ok());
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
