//! Database access: a connection pool on SQLite or PostgreSQL, each through its own sqlx
//! driver, chosen at start-up from the `DATABASE_URL` scheme.
//!
//! `Db` is an enum over the two concrete pools rather than sqlx's `Any` driver, so every
//! column keeps its native type: `timestamptz` and `boolean` on PostgreSQL, text and integer
//! on SQLite (see docs/adr/0001). `on_pool!` runs one statement on whichever pool is active;
//! the statement is type-checked against both drivers.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// A pool on one of the two supported databases. Cloning is cheap (the pools are `Arc`s).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Evaluates `$body` with `$pool` bound to the active concrete pool. The body is compiled once
/// per driver, so a statement that does not suit both databases fails the build.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

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
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    let acquire_timeout = Duration::from_secs(5);
    match Backend::from_url(url)? {
        Backend::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(acquire_timeout)
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        }
        Backend::Sqlite => {
            let url = normalize_sqlite_url(url);
            if let Some(dir) = sqlite_file(&url).and_then(Path::parent)
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
            let in_memory = url.contains(":memory:");
            // Foreign keys on (ON DELETE CASCADE), and a writer waits for a lock instead of
            // failing at once; WAL lets readers carry on while one connection writes.
            let mut options = SqliteConnectOptions::from_str(&url)?
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if !in_memory {
                options = options.journal_mode(SqliteJournalMode::Wal);
            }
            let pool_options = SqlitePoolOptions::new().acquire_timeout(acquire_timeout);
            let pool_options = if in_memory {
                // Every connection to `:memory:` is a separate database: keep exactly one, forever.
                pool_options
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                pool_options.max_connections(10)
            };
            Ok(Db::Sqlite(pool_options.connect_with(options).await?))
        }
    }
}

impl Db {
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the pending migrations embedded in the binary for this database. On PostgreSQL
    /// sqlx holds an advisory lock meanwhile, so replicas starting together do not race.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await,
            Self::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await,
        }
    }

    /// `SELECT 1`, for the readiness probe.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
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
