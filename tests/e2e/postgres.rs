//! Fresh PostgreSQL databases for the `--db postgres` runs, through `psql`.
//!
//! `scripts/start-postgres` (called by `.ci/run`) provides a server and a superuser `app`; the
//! harness reads its URL from `FOLIO_E2E_PG_URL`. Each (stack, purpose) gets its own database,
//! created empty and dropped (`WITH (FORCE)`, so a leftover connection cannot keep it) when the
//! guard goes out of scope, so runs never see each other's rows.

use std::process::Command;

pub const DEFAULT_ADMIN_URL: &str = "postgres://app:app@127.0.0.1:5432/postgres";

pub fn admin_url() -> String {
    std::env::var("FOLIO_E2E_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.to_string())
}

/// Runs one SQL statement as the admin; `Err` with psql's message.
pub fn psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql])
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|e| format!("running psql: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "psql `{sql}`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `Ok` when PostgreSQL answers at the admin URL, else why not (for the skip message).
pub fn available() -> Result<(), String> {
    if !crate::e2e::process::on_path("psql") {
        return Err("psql is not on PATH (run scripts/start-postgres)".to_string());
    }
    psql(&admin_url(), "SELECT 1").map(|_| ()).map_err(|e| {
        format!(
            "PostgreSQL is not reachable at {} ({e}); run scripts/start-postgres",
            admin_url()
        )
    })
}

/// A database that exists while this value does.
pub struct Database {
    admin: String,
    pub name: String,
    pub url: String,
}

impl Database {
    /// Creates an empty database named `folio_e2e_<tag>_<pid>`.
    pub fn create(tag: &str) -> Result<Database, String> {
        let admin = admin_url();
        let clean: String = tag
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("folio_e2e_{clean}_{}", std::process::id());
        psql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?;
        psql(&admin, &format!("CREATE DATABASE {name}"))?;
        let url = with_database(&admin, &name);
        Ok(Database { admin, name, url })
    }

    /// Makes the database refuse connections and ends the current ones (`true`), or lets them
    /// in again (`false`): an outage the server's `/readyz` must notice.
    pub fn set_outage(&self, down: bool) -> Result<(), String> {
        if down {
            psql(
                &self.admin,
                &format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", self.name),
            )?;
            psql(
                &self.admin,
                &format!(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{}'",
                    self.name
                ),
            )?;
        } else {
            psql(
                &self.admin,
                &format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", self.name),
            )?;
        }
        Ok(())
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if std::env::var_os("FOLIO_E2E_KEEP").is_none() {
            let _ = psql(
                &self.admin,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            );
        }
    }
}

/// The admin URL with its database (the last path segment) replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            with_database(DEFAULT_ADMIN_URL, "x"),
            "postgres://app:app@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u@h:1", "x"), "postgres://u@h:1/x");
        assert_eq!(
            with_database("postgresql://u@h/db?sslmode=disable", "x"),
            "postgresql://u@h/x?sslmode=disable"
        );
    }
}
