//! Configuration from the environment. `main.rs` loads `.env` first (development defaults);
//! variables already set in the environment win, as dotenvy never overrides them.

use std::fmt;
use std::time::Duration;

/// Where the database lives when `DATABASE_URL` is not set outside production: a file under
/// `./data/`, created on first start. Production has no default (see `Config::from_lookup`).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db";

/// RFC 7518 (section 3.2): an HS256 key must be at least as long as the hash, 256 bits.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Config {
    /// The address to listen on: 127.0.0.1 unless `HOST` says otherwise (the image sets 0.0.0.0).
    pub host: String,
    pub port: u16,
    pub database_url: String,
    pub jwt_secret: String,
    /// True when `JWT_SECRET` was missing and a random per-process secret was made up.
    pub jwt_secret_generated: bool,
    pub jwt_ttl_seconds: u64,
    pub log_level: String,
    pub app_env: String,
    pub migrate_on_start: bool,
    /// How many password hashes may run at once (`HASH_CONCURRENCY`, default: the CPU count).
    pub hash_concurrency: usize,
    /// How long a request waits for a hashing slot before a 503 (`HASH_QUEUE_TIMEOUT_SECONDS`).
    pub hash_queue_timeout: Duration,
    /// Register + login requests per client IP and minute (`AUTH_RATE_LIMIT_PER_IP`; 0 = off).
    pub auth_rate_limit_per_ip: u32,
}

// Hand-written so that the secret can never end up in a log line.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database_url", &redact_url(&self.database_url))
            .field("jwt_secret", &"<redacted>")
            .field("jwt_ttl_seconds", &self.jwt_ttl_seconds)
            .field("log_level", &self.log_level)
            .field("app_env", &self.app_env)
            .field("migrate_on_start", &self.migrate_on_start)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("hash_queue_timeout", &self.hash_queue_timeout)
            .field("auth_rate_limit_per_ip", &self.auth_rate_limit_per_ip)
            .finish()
    }
}

/// Why the configuration is unusable: one line, saying what to change.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads configuration through `lookup`, so tests can pass a map instead of the real env.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let app_env = get("APP_ENV").unwrap_or_else(|| "development".to_owned());
        let production = app_env.eq_ignore_ascii_case("production");
        let (jwt_secret, jwt_secret_generated) = match get("JWT_SECRET") {
            Some(secret) if production && secret.len() < MIN_JWT_SECRET_BYTES => {
                return Err(ConfigError(format!(
                    "JWT_SECRET is {} bytes long and APP_ENV=production needs at least \
                     {MIN_JWT_SECRET_BYTES}: refusing to start. Make one with `openssl rand -hex 32`.",
                    secret.len()
                )));
            }
            Some(secret) => (secret, false),
            None if production => {
                return Err(ConfigError(
                    "JWT_SECRET is not set and APP_ENV=production: refusing to start. \
                     Make one with `openssl rand -hex 32`."
                        .to_owned(),
                ));
            }
            None => (random_secret(), true),
        };
        let database_url = match get("DATABASE_URL") {
            Some(url) => url,
            None if production => {
                return Err(ConfigError(
                    "DATABASE_URL is not set and APP_ENV=production: refusing to start. \
                     Set it to the database's URL (postgres://user:password@host:5432/name \
                     or sqlite:///path/to/app.db)."
                        .to_owned(),
                ));
            }
            None => DEFAULT_DATABASE_URL.to_owned(),
        };
        let hash_concurrency = match get("HASH_CONCURRENCY") {
            None => std::thread::available_parallelism().map_or(1, usize::from),
            Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                ConfigError(format!("HASH_CONCURRENCY={v:?} is not a whole number >= 1"))
            })?,
        };

        Ok(Self {
            host: get("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port: parse_or("PORT", get("PORT"), 8080)?,
            database_url,
            jwt_secret,
            jwt_secret_generated,
            jwt_ttl_seconds: parse_or("JWT_TTL_SECONDS", get("JWT_TTL_SECONDS"), 900)?,
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "info".to_owned()),
            app_env,
            migrate_on_start: parse_bool("MIGRATE_ON_START", get("MIGRATE_ON_START"), true)?,
            hash_concurrency,
            hash_queue_timeout: parse_seconds(
                "HASH_QUEUE_TIMEOUT_SECONDS",
                get("HASH_QUEUE_TIMEOUT_SECONDS"),
                Duration::from_secs(5),
            )?,
            auth_rate_limit_per_ip: parse_or(
                "AUTH_RATE_LIMIT_PER_IP",
                get("AUTH_RATE_LIMIT_PER_IP"),
                100,
            )?,
        })
    }

    /// `APP_ENV=production`, in any case: the refuse-to-start checks apply.
    pub fn is_production(&self) -> bool {
        self.app_env.eq_ignore_ascii_case("production")
    }
}

fn parse_or<T: std::str::FromStr>(
    key: &str,
    value: Option<String>,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ConfigError(format!("{key}={v:?} is not a valid number"))),
    }
}

/// A non-negative number of seconds, fractions allowed (`0.5`).
fn parse_seconds(
    key: &str,
    value: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .ok_or_else(|| ConfigError(format!("{key}={v:?} is not a number of seconds >= 0"))),
    }
}

fn parse_bool(key: &str, value: Option<String>, default: bool) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError(format!("{key}={other:?} is not true or false"))),
    }
}

/// 256 random bits, hex-encoded: good enough for a development-only signing key.
fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// `postgres://app:secret@db/app` becomes `postgres://app:***@db/app` for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|key| map.get(key).cloned())
    }

    #[test]
    fn defaults_apply_in_development() {
        let c = config(&[]).unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.jwt_ttl_seconds, 900);
        assert!(c.jwt_secret_generated);
        assert_eq!(c.jwt_secret.len(), 64);
        assert!(c.migrate_on_start);
    }

    const STRONG: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn production_refuses_a_missing_or_short_secret() {
        let err = config(&[
            ("APP_ENV", "production"),
            ("DATABASE_URL", "sqlite::memory:"),
        ])
        .unwrap_err();
        assert!(
            err.0.contains("JWT_SECRET") && err.0.contains("openssl rand -hex 32"),
            "{err}"
        );
        for env in ["production", "Production", "PRODUCTION"] {
            let short = &STRONG[..31];
            let err = config(&[
                ("APP_ENV", env),
                ("JWT_SECRET", short),
                ("DATABASE_URL", "sqlite::memory:"),
            ])
            .unwrap_err();
            assert!(
                err.0.contains("31 bytes") && err.0.contains("openssl rand -hex 32"),
                "{err}"
            );
            assert!(
                !err.0.contains(short),
                "the message must not echo the secret"
            );
        }
        let ok = config(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", STRONG),
            ("DATABASE_URL", "sqlite::memory:"),
        ])
        .unwrap();
        assert_eq!(ok.jwt_secret, STRONG);
        assert!(ok.is_production() && !ok.jwt_secret_generated);
    }

    #[test]
    fn production_refuses_a_missing_database_url() {
        let err = config(&[("APP_ENV", "production"), ("JWT_SECRET", STRONG)]).unwrap_err();
        assert!(err.0.contains("DATABASE_URL"), "{err}");
        assert!(!err.0.contains('\n'), "one line: {err}");
    }

    #[test]
    fn hashing_and_rate_limit_settings() {
        let c = config(&[]).unwrap();
        assert!(c.hash_concurrency >= 1);
        assert_eq!(c.hash_queue_timeout, Duration::from_secs(5));
        assert_eq!(c.auth_rate_limit_per_ip, 100);
        assert_eq!(c.host, "127.0.0.1");
        let c = config(&[
            ("HASH_CONCURRENCY", "3"),
            ("HASH_QUEUE_TIMEOUT_SECONDS", "0.25"),
            ("AUTH_RATE_LIMIT_PER_IP", "0"),
            ("HOST", "0.0.0.0"),
        ])
        .unwrap();
        assert_eq!(c.hash_concurrency, 3);
        assert_eq!(c.hash_queue_timeout, Duration::from_millis(250));
        assert_eq!(c.auth_rate_limit_per_ip, 0);
        assert_eq!(c.host, "0.0.0.0");
        for bad in [
            ("HASH_CONCURRENCY", "0"),
            ("HASH_CONCURRENCY", "-1"),
            ("HASH_QUEUE_TIMEOUT_SECONDS", "-1"),
            ("HASH_QUEUE_TIMEOUT_SECONDS", "soon"),
            ("AUTH_RATE_LIMIT_PER_IP", "lots"),
        ] {
            assert!(config(&[bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_numbers_and_booleans_are_errors() {
        assert!(config(&[("PORT", "eighty")]).is_err());
        assert!(config(&[("MIGRATE_ON_START", "maybe")]).is_err());
        assert!(
            !config(&[("MIGRATE_ON_START", "false")])
                .unwrap()
                .migrate_on_start
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = config(&[
            ("JWT_SECRET", "topsecret"),
            ("DATABASE_URL", "postgres://app:hunter2@db:5432/app"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("topsecret"));
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("postgres://app:***@db:5432/app"));
    }
}
