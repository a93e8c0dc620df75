//! Configuration from the environment. `main.rs` loads `.env` first (development defaults);
//! variables already set in the environment win, as dotenvy never overrides them.

use std::fmt;

/// Where the database lives when `DATABASE_URL` is not set: a file under `./data/`,
/// created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db";

#[derive(Clone)]
pub struct Config {
    pub port: u16,
    pub database_url: String,
    pub jwt_secret: String,
    /// True when `JWT_SECRET` was missing and a random per-process secret was made up.
    pub jwt_secret_generated: bool,
    pub jwt_ttl_seconds: u64,
    pub log_level: String,
    pub app_env: String,
    pub migrate_on_start: bool,
}

// Hand-written so that the secret can never end up in a log line.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("port", &self.port)
            .field("database_url", &redact_url(&self.database_url))
            .field("jwt_secret", &"<redacted>")
            .field("jwt_ttl_seconds", &self.jwt_ttl_seconds)
            .field("log_level", &self.log_level)
            .field("app_env", &self.app_env)
            .field("migrate_on_start", &self.migrate_on_start)
            .finish()
    }
}

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
        let (jwt_secret, jwt_secret_generated) = match get("JWT_SECRET") {
            Some(secret) => (secret, false),
            None if app_env == "production" => {
                return Err(ConfigError(
                    "JWT_SECRET is not set and APP_ENV=production: refusing to start. \
                     Set JWT_SECRET to a long random string (e.g. `openssl rand -hex 32`)."
                        .to_owned(),
                ));
            }
            None => (random_secret(), true),
        };

        Ok(Self {
            port: parse_or("PORT", get("PORT"), 8080)?,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            jwt_secret,
            jwt_secret_generated,
            jwt_ttl_seconds: parse_or("JWT_TTL_SECONDS", get("JWT_TTL_SECONDS"), 900)?,
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "info".to_owned()),
            app_env,
            migrate_on_start: parse_bool("MIGRATE_ON_START", get("MIGRATE_ON_START"), true)?,
        })
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

    #[test]
    fn production_requires_a_secret() {
        let err = config(&[("APP_ENV", "production")]).unwrap_err();
        assert!(err.0.contains("JWT_SECRET"));
        let ok = config(&[("APP_ENV", "production"), ("JWT_SECRET", "s3cret")]).unwrap();
        assert_eq!(ok.jwt_secret, "s3cret");
        assert!(!ok.jwt_secret_generated);
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
