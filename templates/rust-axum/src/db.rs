//! Database access: one code path for SQLite and PostgreSQL through sqlx's `Any` driver.
//!
//! The driver is picked at run time from the `DATABASE_URL` scheme. Queries use `$1`-style
//! placeholders, which both SQLite and PostgreSQL understand, and only types that the `Any`
//! driver maps on both sides (integers, text, booleans bound as parameters).

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyPool, Row, any::AnyRow};

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Which database a URL points at, from its scheme.
    pub fn from_url(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite:, postgres:// or postgresql://".into(),
            ))
        }
    }

    pub fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATOR,
            Self::Postgres => &POSTGRES_MIGRATOR,
        }
    }
}

/// Makes a SQLite URL usable by sqlx: accepts the `sqlite:///./relative.db` spelling other
/// stacks use, and adds `mode=rwc` so that the file is created on first start.
pub fn normalize_sqlite_url(url: &str) -> String {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.strip_prefix("/./").unwrap_or(rest);
    if rest.starts_with(":memory:") {
        // `sqlite://:memory:` would not parse as a URL (empty host).
        return format!("sqlite:{rest}");
    }
    if rest.contains("mode=") {
        return format!("sqlite://{rest}");
    }
    let separator = if rest.contains('?') { '&' } else { '?' };
    format!("sqlite://{rest}{separator}mode=rwc")
}

/// The file path of a SQLite URL, if it names a file (not `:memory:`).
fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| Path::new(path))
}

/// Opens a connection pool; for SQLite, creates the folder holding the database file first.
pub async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    install_default_drivers();
    let backend = Backend::from_url(url)?;
    let url = match backend {
        Backend::Sqlite => normalize_sqlite_url(url),
        Backend::Postgres => url.to_owned(),
    };
    if let Some(dir) = sqlite_file(&url).and_then(Path::parent)
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let in_memory = url.contains(":memory:");
    let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
    let options = if in_memory {
        // Every connection to `:memory:` is a separate database: keep exactly one, forever.
        options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        options.max_connections(10)
    };
    options.connect(&url).await
}

/// Applies the pending migrations embedded in the binary for the pool's database.
pub async fn migrate(pool: &AnyPool, url: &str) -> Result<(), MigrateError> {
    let backend = Backend::from_url(url).map_err(|e| MigrateError::Source(Box::new(e)))?;
    backend.migrator().run(pool).await
}

/// Reads a boolean column written as BOOLEAN (PostgreSQL) or as INTEGER 0/1 (SQLite).
pub fn get_bool(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    row.try_get::<bool, _>(column)
        .or_else(|_| row.try_get::<i64, _>(column).map(|v| v != 0))
}

/// True when `err` is a unique-constraint violation (e.g. a duplicate email).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/app.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://a:b@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://a:b@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://a:b@h/db").is_err());
    }

    #[test]
    fn normalizes_sqlite_urls() {
        assert_eq!(
            normalize_sqlite_url("sqlite://data/app.db"),
            "sqlite://data/app.db?mode=rwc"
        );
        assert_eq!(
            normalize_sqlite_url("sqlite:///./data/app.db"),
            "sqlite://data/app.db?mode=rwc"
        );
        assert_eq!(
            normalize_sqlite_url("sqlite:data/app.db?cache=shared"),
            "sqlite://data/app.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            normalize_sqlite_url("sqlite:///tmp/x.db?mode=ro"),
            "sqlite:///tmp/x.db?mode=ro"
        );
        assert_eq!(normalize_sqlite_url("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(
            sqlite_file("sqlite://data/app.db?mode=rwc"),
            Some(Path::new("data/app.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
