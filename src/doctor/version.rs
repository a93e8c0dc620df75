//! Versions as tools print them: find the first dotted number in `--version`'s output and compare
//! it with a manifest's minimum, number by number.
//!
//! Tools print their versions in many shapes (`Python 3.11.7`, `v24.2.0`, `go version go1.26.8
//! linux/amd64`, `openjdk version "17.0.15"`, `openjdk 25 2025-09-16`): the first run of digits
//! and dots is the version in every one of them, which is why no per-tool parser is needed.

use std::cmp::Ordering;

/// A version as a list of numbers, e.g. `3.11.7` is `[3, 11, 7]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(Vec<u64>);

impl Version {
    /// The first dotted number in `text`, e.g. `1.26.8` in `go version go1.26.8 linux/amd64`.
    pub fn find_in(text: &str) -> Option<Version> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let rest = &text[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        Version::parse(rest[..end].trim_end_matches('.'))
    }

    /// `3.11` or `24`: dot-separated numbers and nothing else.
    pub fn parse(text: &str) -> Option<Version> {
        let parts: Option<Vec<u64>> = text.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| !p.is_empty()).map(Version)
    }

    /// Whether this version is at least `min` (missing numbers count as 0: `3.11` = `3.11.0`).
    pub fn at_least(&self, min: &Version) -> bool {
        let len = self.0.len().max(min.0.len());
        let at = |v: &Version, i: usize| v.0.get(i).copied().unwrap_or(0);
        (0..len)
            .map(|i| at(self, i).cmp(&at(min, i)))
            .find(|o| *o != Ordering::Equal)
            .is_none_or(|o| o == Ordering::Greater)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    fn found(text: &str) -> String {
        Version::find_in(text)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn finds_the_version_in_what_tools_print() {
        assert_eq!(found("Python 3.11.7"), "3.11.7");
        assert_eq!(found("v24.2.0\n"), "24.2.0");
        assert_eq!(found("go version go1.26.8 linux/amd64"), "1.26.8");
        assert_eq!(found("openjdk version \"17.0.15\" 2025-04-15"), "17.0.15");
        assert_eq!(found("openjdk 25 2025-09-16"), "25");
        assert_eq!(found("cargo 1.95.0 (f2d3ce0bd 2026-03-21)"), "1.95.0");
        assert_eq!(found("Docker version 28.2.2, build e6534b4"), "28.2.2");
        assert_eq!(found("GNU Make 4.3."), "4.3");
        assert_eq!(found("no digits"), "");
    }

    #[test]
    fn compares_number_by_number() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(v("3.11.7").at_least(&v("3.11")));
        assert!(v("3.11").at_least(&v("3.11.0")));
        assert!(v("3.12").at_least(&v("3.11")));
        assert!(!v("3.9.18").at_least(&v("3.11")));
        assert!(v("3.100").at_least(&v("3.11")));
        assert!(!v("1.8.0").at_least(&v("17")));
        assert!(v("25").at_least(&v("17")));
        assert!(Version::parse("3.x").is_none());
    }
}
