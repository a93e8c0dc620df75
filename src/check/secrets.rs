//! Secret detectors: private keys, well-known cloud and service tokens, and high-entropy values
//! assigned to secret-sounding names.
//!
//! Precision matters more than recall here: a required rule that cries wolf gets ignored. So the
//! cloud patterns are the providers' documented prefixes, the AWS documentation's example key is
//! allowed, and the entropy detector only looks at `name = value` pairs whose name says secret,
//! whose value is long, random-looking (letters and digits mixed) and not a placeholder.

use std::sync::OnceLock;

use regex::Regex;

/// One suspicious line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    pub kind: SecretKind,
    pub line: u32,
    /// What was found, with the secret itself masked.
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    PrivateKey,
    CloudKey,
    HighEntropy,
}

struct Detectors {
    /// The secret-sounding names alone: a fast literal search that rules out most files before
    /// the assignment pattern (which has no literal prefix) runs.
    secret_word: Regex,
    private_key: Regex,
    cloud_any: Regex,
    cloud: Vec<(&'static str, Regex)>,
    assignment: Regex,
}

const CLOUD_PATTERNS: &[(&str, &str)] = &[
    ("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    (
        "an AWS secret access key",
        r"(?i)aws_secret_access_key\s*[=:]\s*[\x22']?[A-Za-z0-9/+=]{40}\b",
    ),
    (
        "a GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
    ),
    ("a GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    ("a Stripe live key", r"\b[sr]k_live_[0-9a-zA-Z]{24,}\b"),
    (
        "an OpenAI key",
        r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}",
    ),
    ("an Anthropic key", r"\bsk-ant-[A-Za-z0-9_\-]{32,}"),
];

fn detectors() -> &'static Detectors {
    static DETECTORS: OnceLock<Detectors> = OnceLock::new();
    DETECTORS.get_or_init(|| {
        let all: Vec<String> = CLOUD_PATTERNS
            .iter()
            .map(|(_, p)| format!("(?:{p})"))
            .collect();
        Detectors {
            secret_word: Regex::new(
                r"(?i)secret|token|passw|pwd|api[_\-]?key|access[_\-]?key|private[_\-]?key|auth[_\-]?key|credential",
            )
            .expect("valid regex"),
            private_key: Regex::new(
                r"-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----",
            )
            .expect("valid regex"),
            cloud_any: Regex::new(&all.join("|")).expect("valid regex"),
            cloud: CLOUD_PATTERNS
                .iter()
                .map(|(name, p)| (*name, Regex::new(p).expect("valid regex")))
                .collect(),
            assignment: Regex::new(
                r#"(?i)([A-Za-z0-9_.\-]*(?:secret|token|passw(?:or)?d|pwd|api[_\-]?key|access[_\-]?key|private[_\-]?key|auth[_\-]?key|credential)[A-Za-z0-9_.\-]*)["']?\s*(?::=|=>|[:=])\s*[`"']?([A-Za-z0-9+/=_\-.~]{20,})"#,
            )
            .expect("valid regex"),
        }
    })
}

/// Every secret-looking line of one file's text.
pub fn scan(text: &str) -> Vec<SecretHit> {
    let d = detectors();
    let mut hits = Vec::new();
    for m in d.private_key.captures_iter(text) {
        let whole = m.get(0).expect("group 0");
        hits.push(SecretHit {
            kind: SecretKind::PrivateKey,
            line: line_at(text, whole.start()),
            note: format!("a {} block", &m[1]),
        });
    }
    if d.cloud_any.is_match(text) {
        for (name, re) in &d.cloud {
            for m in re.find_iter(text) {
                if m.as_str().ends_with("EXAMPLE") {
                    continue;
                }
                hits.push(SecretHit {
                    kind: SecretKind::CloudKey,
                    line: line_at(text, m.start()),
                    note: format!("{name} ({})", mask(m.as_str())),
                });
            }
        }
    }
    // A line already reported as a key is not reported again as a random-looking value.
    let known: Vec<u32> = hits.iter().map(|h| h.line).collect();
    if !d.secret_word.is_match(text) {
        hits.sort_by_key(|h| h.line);
        return hits;
    }
    for c in d.assignment.captures_iter(text) {
        let value = &c[2];
        let name = c.get(1).expect("group 1");
        let line = line_at(text, name.start());
        if looks_random(value) && !is_placeholder(value) && !known.contains(&line) {
            hits.push(SecretHit {
                kind: SecretKind::HighEntropy,
                line,
                note: format!(
                    "`{}` is set to a random-looking value ({})",
                    name.as_str(),
                    mask(value)
                ),
            });
        }
    }
    hits.sort_by_key(|h| h.line);
    hits
}

/// The 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> u32 {
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
        + 1
}

/// The first four characters, so the report never repeats a secret.
fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…")
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Long, letters and digits mixed, and close to the entropy of a random string of its alphabet:
/// hex keys top out at 4 bits a character, base64 ones near 6.
fn looks_random(value: &str) -> bool {
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = value.bytes().any(|b| b.is_ascii_alphabetic());
    if !has_digit || !has_alpha {
        return false;
    }
    let is_hex = value.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex {
        value.len() >= 32 && entropy(value) >= 3.0
    } else {
        value.len() >= 20 && entropy(value) >= 3.7
    }
}

fn is_placeholder(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "example",
        "changeme",
        "change-me",
        "change_me",
        "placeholder",
        "your",
        "dummy",
        "sample",
        "xxxx",
        "fake",
        "test",
        "redacted",
        "insecure",
        "notasecret",
        "not-a-secret",
        "local",
    ];
    let lower = value.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<SecretKind> {
        scan(text).into_iter().map(|h| h.kind).collect()
    }

    #[test]
    fn finds_keys_and_tokens() {
        let pem = format!("x\n-----BEGIN {}PRIVATE KEY-----\nabc\n", "RSA ");
        assert_eq!(scan(&pem)[0].line, 2);
        assert_eq!(
            kinds(&format!("key = \"{}{}\"", "AKIA", "Q3EGRY5NL7ZXW2PT")),
            [SecretKind::CloudKey]
        );
        assert_eq!(
            kinds(&format!("t: {}{}", "ghp_", "a1B2".repeat(9))),
            [SecretKind::CloudKey]
        );
    }

    #[test]
    fn documentation_examples_and_placeholders_pass() {
        assert!(scan("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(scan("JWT_SECRET=").is_empty());
        assert!(scan("JWT_SECRET=change-me-in-production-please-1234").is_empty());
        assert!(scan("TEST_SECRET = \"test-secret-\" + \"x\" * 52").is_empty());
        assert!(scan("password = \"correct horse battery staple\"").is_empty());
        assert!(scan("token = os.environ[\"TOKEN\"]").is_empty());
        assert!(
            scan("\"integrity\": \"sha512-Kq5sNDWZ3aOZ3b5xJ9kUqv1mX2VQ0rS3d4f5g6h7j8k9l0==\"")
                .is_empty()
        );
    }

    #[test]
    fn random_values_under_secret_names_are_found() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(
            kinds(&format!("JWT_SECRET={hex}")),
            [SecretKind::HighEntropy]
        );
        assert_eq!(
            kinds("api_key: \"Zm9vYmFyMTIzNDU2Nzg5MHF3ZXJ0eXVpb3A\""),
            [SecretKind::HighEntropy]
        );
        assert!(
            scan("build_token_count = 12345678901234567890123").is_empty(),
            "digits only"
        );
    }
}
