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
    /// Code that handles passwords or logins: the service has user accounts.
    UserAccounts,
    /// A framework's or standard library's own password hashing (werkzeug, Django, Spring
    /// Security's PasswordEncoder, Node's crypto.scrypt).
    FrameworkHashing,
    /// A framework's own token signing (Spring Security's JwtEncoder, DRF authtoken, itsdangerous).
    FrameworkTokens,
    /// Code that loads a `.env` file (`load_dotenv()`, `env_file=".env"`, `dotenv.config()`).
    EnvFileUse,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: HitKind,
    pub path: String,
    pub line: u32,
    pub note: String,
    /// Found in a test, fixture or documentation file: reported as a note, never a failure.
    pub fixture: bool,
}

/// Test code, fixtures, recorded HTTP cassettes and examples: values there are made up for the
/// test (or the reader), and routes there are requests, not the application's.
pub fn is_test_or_fixture(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let dirs = path.split('/').rev().skip(1);
    let mut in_dir = false;
    for d in dirs {
        let d = d.to_ascii_lowercase();
        if matches!(
            d.as_str(),
            "test"
                | "tests"
                | "__tests__"
                | "testdata"
                | "testing"
                | "fixtures"
                | "fixture"
                | "cassettes"
                | "__snapshots__"
                | "snapshots"
                | "e2e"
                | "spec"
                | "specs"
                | "mocks"
                | "__mocks__"
                | "examples"
                | "example"
        ) {
            in_dir = true;
        }
    }
    in_dir
        || name.ends_with("_test.go")
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "tests.py"
        || name == "conftest.py"
        || [".test.", ".spec.", ".e2e-spec."]
            .iter()
            .any(|m| name.contains(m))
        || name.ends_with("Test.java")
        || name.ends_with("Tests.java")
        || name.ends_with("IT.java")
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
    users: Regex,
    hashing: Regex,
    tokens: Regex,
    env_file: Regex,
    /// Literals, one of which each of `users`, `hashing`, `tokens` and `env_file` needs.
    guard: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        // A route string, optionally with a method as Go 1.22's ServeMux writes it, under an
        // optional /api or /api/v1 prefix; or a NestJS-style decorator without the slash.
        health: Regex::new(
            r#"(?i)["'`](?:(?:GET|HEAD) +)?(/(?:api/)?(?:v\d+/)?(?:_?health(?:[-_]?checks?|z)?|_?status/health|readyz?|readiness|livez?|liveness|ping|actuator/health))["'`/?]|@(?:Controller|Get|Head)\(\s*["'`](/?(?:api/)?(?:v\d+/)?(?:health(?:[-_]?checks?|z)?|readyz?|livez?|ping))["'`]"#,
        )
        .expect("valid regex"),
        metrics: Regex::new(r#"["'`](?:GET +)?(/metrics)["'`]"#).expect("valid regex"),
        rust_test: Regex::new(r"#\[(?:[a-z_]+::)?test\b").expect("valid regex"),
        users: Regex::new(r"(?i)\b(?:password|passwd|hashed_password|password_hash|login|log_in|signin|sign_in|signup|sign_up|authenticate)\b")
            .expect("valid regex"),
        hashing: Regex::new(r#"\b(?:generate_password_hash|check_password_hash|make_password|check_password|set_password|PasswordEncoder|BCryptPasswordEncoder|Argon2PasswordEncoder|crypto\.scrypt(?:Sync)?|scryptSync|pbkdf2Sync|crypto\.pbkdf2|hashlib\.scrypt|hashlib\.pbkdf2_hmac|password_hash\(|Bun\.password)\b|import\s*\{[^}]*\b(?:scrypt|pbkdf2)\b[^}]*\}\s*from\s*["'](?:node:)?crypto["']"#)
            .expect("valid regex"),
        tokens: Regex::new(r"\b(?:JwtEncoder|NimbusJwtEncoder|JwtDecoder|rest_framework\.authtoken|itsdangerous|URLSafeTimedSerializer|TimedJSONWebSignatureSerializer|crypto\.subtle\.sign)\b")
            .expect("valid regex"),
        guard: Regex::new(
            r"assw|ASSW|ogin|OGIN|og_in|OG_IN|ogIn|ignin|ign_in|ignup|ign_up|ignIn|ignUp|IGNIN|IGNUP|IGN_IN|IGN_UP|uthenticat|UTHENTICAT|Password|scrypt|pbkdf2|Jwt|authtoken|itsdangerous|Serializer|subtle|env|ENV",
        )
        .expect("valid regex"),
        env_file: Regex::new(r#"\b(?:env_file|load_dotenv|read_env|dotenv|godotenv|dotenvy)\b|["'`]\.env(?:\.local)?["'`]"#)
            .expect("valid regex"),
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
    let fixture = is_test_or_fixture(path);
    // Documentation shows example values (a JWT in a sample response); a key shape there is
    // still a leak, a random-looking value is a note.
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let docs = name.ends_with(".md") || name.ends_with(".rst") || name.ends_with(".adoc");
    let mut hits: Vec<Hit> = secrets::scan(text, path)
        .into_iter()
        .map(|s| Hit {
            kind: HitKind::Secret(s.kind),
            path: path.to_string(),
            line: s.line,
            note: s.note,
            fixture: fixture || (docs && s.kind == SecretKind::HighEntropy),
        })
        .collect();
    if !judged.iter().any(|l| l.is_source(path)) {
        return hits;
    }
    if fixture {
        // Routes in tests are requests; Rust unit tests are looked for below regardless.
        if path.ends_with(".rs") {
            if let Some(m) = patterns().rust_test.find(text) {
                hits.push(Hit {
                    kind: HitKind::RustTest,
                    path: path.to_string(),
                    line: secrets::line_at(text, m.start()),
                    note: format!("`{}` test function", m.as_str()),
                    fixture,
                });
            }
        }
        return hits;
    }
    let p = patterns();
    // Plain substring guards first: most source files mention no route at all.
    let health = ["health", "ready", "live", "ping", "Health", "HEALTH"]
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
            let m = c.get(1).or_else(|| c.get(2)).expect("one group matched");
            hits.push(Hit {
                kind,
                path: path.to_string(),
                line: secrets::line_at(text, m.start()),
                note: format!("route `{}`", m.as_str()),
                fixture,
            });
        }
    }
    // One literal search first (a single multi-literal scan), as for the routes: most files
    // mention none of these, and then none of the four patterns below needs to run.
    let any = p.guard.is_match(text);
    let (users, hashing, tokens, env_file) = (any, any, any, any);
    for (kind, re, maybe) in [
        (HitKind::UserAccounts, &p.users, users),
        (HitKind::FrameworkHashing, &p.hashing, hashing),
        (HitKind::FrameworkTokens, &p.tokens, tokens),
        (HitKind::EnvFileUse, &p.env_file, env_file),
    ] {
        if !maybe {
            continue;
        }
        if let Some(m) = re.find(text) {
            hits.push(Hit {
                kind,
                path: path.to_string(),
                line: secrets::line_at(text, m.start()),
                note: format!("`{}`", m.as_str()),
                fixture,
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
                fixture,
            });
        }
    }
    hits
}
