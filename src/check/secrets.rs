//! Secret detectors: private keys, well-known cloud and service tokens, and high-entropy values
//! assigned to secret-sounding names.
//!
//! Precision matters more than recall here: a required rule that cries wolf gets ignored. So the
//! cloud patterns are the providers' documented prefixes, the providers' published documentation
//! keys are allowed, and the entropy detector only looks at `name = value` pairs whose name says
//! secret, whose value is long, random-looking (letters and digits mixed), not a placeholder and
//! not code (`Hasher()`, `settings.TOKEN_SOURCE`). Two shapes students leak are found too: a
//! password inside a connection URL (a required failure when the host is a remote one, such as a
//! hosted MongoDB or PostgreSQL; a recommended one for a local development database), and a
//! `JWT_SECRET=`/`SECRET_KEY=` style setting with a real value. Whether a finding sits in a test
//! fixture is decided by the caller ([`crate::check::scan`]), which reports those as notes.

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
    /// `scheme://user:password@host`.
    url_credentials: Regex,
    /// `JWT_SECRET=value` lines of env files and shell-style config.
    env_secret: Regex,
    /// Kept out of `cloud_any`: it starts with digits, and one pattern without a literal
    /// prefix would switch off the fast literal search for all of them.
    telegram: Regex,
}

/// Keys the providers publish in their documentation; finding one is not a leak.
const DOCUMENTED_KEYS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
];

const CLOUD_PATTERNS: &[(&str, &str)] = &[
    ("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    (
        "an AWS secret access key",
        r"(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY)\s*[=:]\s*[\x22']?[A-Za-z0-9/+=]{40}\b",
    ),
    (
        "a GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
    ),
    ("a GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    ("a Stripe live key", r"\b[sr]k_live_[0-9a-zA-Z]{24,}\b"),
    ("a Stripe test key", r"\b[sr]k_test_[0-9a-zA-Z]{24,}\b"),
    (
        "a SendGrid API key",
        r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b",
    ),
    ("an npm access token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    (
        "a Slack webhook URL",
        r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}",
    ),
    ("a Hugging Face token", r"\bhf_[A-Za-z0-9]{34,}\b"),
    ("a Mailgun API key", r"\bkey-[0-9a-f]{32}\b"),
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
            // Literal spellings, not `(?i)`: a case-insensitive set this large has no fast
            // literal search, and this test runs on every file.
            secret_word: Regex::new(
                r"secret|Secret|SECRET|token|Token|TOKEN|passw|Passw|PASSW|pwd|Pwd|PWD|api_key|apiKey|ApiKey|API_KEY|api-key|apikey|APIKEY|access_key|accessKey|AccessKey|ACCESS_KEY|access-key|private_key|privateKey|PrivateKey|PRIVATE_KEY|private-key|auth_key|authKey|AuthKey|AUTH_KEY|auth-key|credential|Credential|CREDENTIAL",
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
                r#"(?i)([A-Za-z0-9_.\-]*(?:secret|token|passw(?:or)?d|pwd|api[_\-]?key|access[_\-]?key|private[_\-]?key|auth[_\-]?key|credential)[A-Za-z0-9_.\-]*)["']?\s*(?::=|=>|[:=])\s*[`"']?([A-Za-z0-9+/=_\-.~]{20,})([(\[]?)"#,
            )
            .expect("valid regex"),
            url_credentials: Regex::new(
                r#"\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver)://([^:@/\s'"`]+):([^@/\s'"`]+)@([^/:\s'"`?,]+)"#,
            )
            .expect("valid regex"),
            env_secret: Regex::new(
                r#"(?m)^\s*(?:export\s+)?([A-Z0-9_]*(?:JWT_SECRET|JWT_KEY|JWT_SIGNING_KEY|SECRET_KEY|SESSION_SECRET|TOKEN_SECRET|APP_SECRET|APP_KEY|AUTH_SECRET|NEXTAUTH_SECRET|ACCESS_TOKEN_SECRET|REFRESH_TOKEN_SECRET)[A-Z0-9_]*)\s*[=:]\s*["']?([^\s"'#]{6,})["']?\s*$"#,
            )
            .expect("valid regex"),
            telegram: Regex::new(r"\b[0-9]{8,10}:AA[0-9A-Za-z_\-]{33}\b").expect("valid regex"),
        }
    })
}

/// Every secret-looking line of one file's text; `path` tells config files from code.
pub fn scan(text: &str, path: &str) -> Vec<SecretHit> {
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
                let found = m.as_str();
                if found.contains("EXAMPLE") || DOCUMENTED_KEYS.iter().any(|k| found.contains(k)) {
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
    if text.contains(":AA") {
        for m in d.telegram.find_iter(text) {
            hits.push(SecretHit {
                kind: SecretKind::CloudKey,
                line: line_at(text, m.start()),
                note: format!("a Telegram bot token ({})", mask(m.as_str())),
            });
        }
    }
    // Documentation shows example connection strings and settings; a template (.env.example)
    // holds stand-ins by definition. Both still count for the token shapes above.
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let docs = [".md", ".rst", ".adoc", ".txt", ".html"]
        .iter()
        .any(|e| name.ends_with(e))
        || name.starts_with("readme");
    // Compose files and CI pipelines set up throwaway local databases and test keys.
    let template = ["example", "sample", "template", "dist", "tmpl", "compose"]
        .iter()
        .any(|w| name.contains(w))
        || path.starts_with(".github/")
        || path.contains("/.github/")
        || matches!(
            name.as_str(),
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "config.yml"
                | "azure-pipelines.yml"
                | "bitbucket-pipelines.yml"
        );
    if text.contains("://") && !docs {
        for c in d.url_credentials.captures_iter(text) {
            let (scheme, user, host) = (&c[1], &c[2], &c[4]);
            // `user:p@ss@host`: the host follows the last `@`.
            let (password, host) = match host.rsplit_once('@') {
                Some((rest, h)) => (format!("{}@{rest}", &c[3]), h.to_string()),
                None => (c[3].to_string(), host.to_string()),
            };
            let (password, host) = (password.as_str(), host.as_str());
            if is_placeholder_password(user, password) {
                continue;
            }
            let line = line_at(text, c.get(0).expect("group 0").start());
            let remote = scheme.ends_with("+srv") || is_remote_host(host);
            // A local development database's password matters in configuration, not in code
            // (where it is a test's or an example's).
            if !remote && (template || !is_config_file(path)) {
                continue;
            }
            hits.push(SecretHit {
                kind: if remote {
                    SecretKind::CloudKey
                } else {
                    SecretKind::HighEntropy
                },
                line,
                note: format!(
                    "a password in a {scheme} connection URL to {} ({})",
                    if remote {
                        "a remote host"
                    } else {
                        "a local database"
                    },
                    mask(password)
                ),
            });
        }
    }
    // A line already reported as a key is not reported again as a random-looking value.
    let mut known: Vec<u32> = hits.iter().map(|h| h.line).collect();
    // Every name the pattern knows contains SECRET or KEY: a literal test rules out most files.
    let may_set_secret = text.contains("SECRET") || text.contains("KEY");
    if may_set_secret && is_config_file(path) && !docs && !template {
        for c in d.env_secret.captures_iter(text) {
            let value = &c[2];
            let line = line_at(text, c.get(1).expect("group 1").start());
            if is_placeholder(value) || is_reference(value) || known.contains(&line) {
                continue;
            }
            known.push(line);
            hits.push(SecretHit {
                kind: SecretKind::HighEntropy,
                line,
                note: format!("`{}` is set to a literal value ({})", &c[1], mask(value)),
            });
        }
    }
    if !d.secret_word.is_match(text) {
        hits.sort_by_key(|h| h.line);
        return hits;
    }
    for c in d.assignment.captures_iter(text) {
        let value = &c[2];
        let name = c.get(1).expect("group 1");
        let line = line_at(text, name.start());
        // `token = oauth2.TokenSource(...)`, `key = hashes.Hasher()`, `x = cfg.keys()`: code.
        let is_code = !c[3].is_empty() || is_dotted_identifier(value);
        if looks_random(value) && !is_placeholder(value) && !is_code && !known.contains(&line) {
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

/// `settings.jwt_secret_key`, `config.auth.TOKEN_V2`: a reference to a value, not the value.
fn is_dotted_identifier(value: &str) -> bool {
    value.contains('.')
        && value.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `${JWT_SECRET}`, `$SECRET`, `{{ .Values.x }}`, `<your-secret>`, `process.env.X`, `%(x)s`.
fn is_reference(value: &str) -> bool {
    value.starts_with(['$', '<', '{', '%', '*'])
        || value.contains("env")
        || value.contains("ENV")
        || is_dotted_identifier(value)
}

/// Files where `NAME=value` is configuration: env files, shell, properties, YAML, TOML, INI.
fn is_config_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with(".env")
        || name.ends_with(".env")
        || name == ".envrc"
        || [
            ".properties",
            ".yml",
            ".yaml",
            ".toml",
            ".ini",
            ".cfg",
            ".conf",
            ".sh",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Host names of a developer's machine or a compose network, where a password is a local default.
fn is_remote_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.contains('.')
        && !(h.starts_with("127.")
            || h.starts_with("0.0.0.0")
            || h.starts_with("192.168.")
            || h.starts_with("10.")
            || h == "host.docker.internal"
            || h.ends_with(".local")
            || h.ends_with(".localhost")
            || h.ends_with(".internal")
            || h.ends_with(".svc")
            || h.contains("example")
            || h.contains("localhost"))
}

/// Passwords that are defaults or stand-ins: the user name again, a well-known development
/// password, or a variable reference.
fn is_placeholder_password(user: &str, password: &str) -> bool {
    const DEV: &[&str] = &[
        "password",
        "pass",
        "passwd",
        "pw",
        "pwd",
        "secret",
        "postgres",
        "root",
        "admin",
        "app",
        "user",
        "mysql",
        "mongo",
        "redis",
        "guest",
        "dev",
        "local",
        "docker",
        "test",
        "example",
        "changeme",
        "change-me",
        "123456",
        "1234",
        "12345678",
        "xxx",
        "xxxx",
    ];
    let lower = password.to_ascii_lowercase();
    password == user
        || DEV.contains(&lower.as_str())
        || is_reference(password)
        || is_placeholder(password)
        || password.chars().all(|c| c == 'x' || c == '*' || c == '.')
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
        "replace",
        "secret-key",
        "generate",
        "todo",
        "<",
        "changethis",
        "change_this",
        "changeit",
        "your_",
        "mysecret",
        "supersecret",
        "secretkey",
        "my-secret",
        "my_secret",
    ];
    let lower = value.to_ascii_lowercase();
    // A value that names itself (`"oauth2-google-client-secret"`) is a key name, a flag or a
    // setting's name, not the secret.
    WORDS.iter().any(|w| lower.contains(w))
        || [
            "secret", "password", "passwd", "token", "api-key", "api_key",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_t(text: &str) -> Vec<SecretHit> {
        scan(text, "settings.yml")
    }

    #[test]
    fn credentials_students_leak_are_found() {
        let remote = format!(
            "MONGO_URL=mongodb+srv://ana:{}@cluster0.ab12c.mongodb.net/db",
            "Qw7rT9zLp2"
        );
        assert_eq!(kinds(&remote), [SecretKind::CloudKey]);
        let local = "DATABASE_URL=postgres://app:Hunter2Pass@localhost:5432/app";
        assert_eq!(kinds(local), [SecretKind::HighEntropy]);
        assert!(scan_t("DATABASE_URL=postgres://app:app@db:5432/app").is_empty());
        assert!(scan_t("url: postgres://${DB_USER}:${DB_PASSWORD}@db.example.com/x").is_empty());
        assert_eq!(kinds("JWT_SECRET=k9Tz3Pq7Lm2w"), [SecretKind::HighEntropy]);
        assert!(scan_t("JWT_SECRET=${JWT_SECRET}").is_empty());
        let sendgrid = format!("SG.{}.{}", "a".repeat(22), "B".repeat(43));
        assert_eq!(kinds(&format!("key: {sendgrid}")), [SecretKind::CloudKey]);
        assert_eq!(
            kinds(&format!(
                "//registry.npmjs.org/:_authToken=npm_{}",
                "a1B2c3".repeat(6)
            )),
            [SecretKind::CloudKey]
        );
    }

    #[test]
    fn code_and_documentation_keys_are_not_secrets() {
        assert!(scan("token_source = oauth2.StaticTokenSource2(ts)", "main.go").is_empty());
        assert!(scan("password_hasher = argon2.PasswordHasher2()", "auth.py").is_empty());
        assert!(scan("secret_keys = settings.SECRET_KEYS_V2.keys()", "a.py").is_empty());
        assert!(
            scan(
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "x.ini"
            )
            .is_empty()
        );
        assert!(
            scan(
                "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"",
                "pay.py"
            )
            .is_empty()
        );
    }

    fn kinds(text: &str) -> Vec<SecretKind> {
        scan_t(text).into_iter().map(|h| h.kind).collect()
    }

    #[test]
    fn finds_keys_and_tokens() {
        let pem = format!("x\n-----BEGIN {}PRIVATE KEY-----\nabc\n", "RSA ");
        assert_eq!(scan_t(&pem)[0].line, 2);
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
        assert!(scan_t("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(scan_t("JWT_SECRET=").is_empty());
        assert!(scan_t("JWT_SECRET=change-me-in-production-please-1234").is_empty());
        assert!(scan_t("TEST_SECRET = \"test-secret-\" + \"x\" * 52").is_empty());
        assert!(scan_t("password = \"correct horse battery staple\"").is_empty());
        assert!(scan_t("token = os.environ[\"TOKEN\"]").is_empty());
        assert!(
            scan_t("\"integrity\": \"sha512-Kq5sNDWZ3aOZ3b5xJ9kUqv1mX2VQ0rS3d4f5g6h7j8k9l0==\"")
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
            scan_t("build_token_count = 12345678901234567890123").is_empty(),
            "digits only"
        );
    }
}
