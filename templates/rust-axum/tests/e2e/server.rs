//! The real server binary, started on a free port with a fresh database and stopped whatever
//! happens: `Drop` kills the process (also while a failed assertion unwinds) and removes the
//! SQLite file or drops the PostgreSQL database it was given.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use crate::{BINARY, DEFAULT_TEST_DATABASE_URL, client};

pub const JWT_SECRET: &str = "e2e-secret-0123456789abcdef0123456789abcdef";

enum FreshDb {
    Sqlite(PathBuf),
    /// The admin URL it was created on, and its name.
    Postgres {
        admin_url: String,
        name: String,
    },
}

pub struct Server {
    pub port: u16,
    child: Child,
    db: FreshDb,
}

/// A port the OS reports free right now (a tiny race with other processes is acceptable).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A fresh database: a new PostgreSQL database next to `TEST_DATABASE_URL` (or the default)
/// when that is a postgres URL, otherwise a new SQLite file in the temp directory.
async fn fresh_database() -> (FreshDb, String) {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_DATABASE_URL.to_owned());
    match admin_url {
        admin_url if admin_url.starts_with("postgres") => {
            let name = format!("e2e_{unique}");
            let mut admin = PgConnection::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create the e2e database");
            let (base, query) = match admin_url.split_once('?') {
                Some((base, query)) => (base, format!("?{query}")),
                None => (admin_url.as_str(), String::new()),
            };
            let base = &base[..base.rfind('/').expect("a postgres URL has a path")];
            let url = format!("{base}/{name}{query}");
            (FreshDb::Postgres { admin_url, name }, url)
        }
        _ => {
            let path = std::env::temp_dir().join(format!("e2e-{unique}.db"));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            (FreshDb::Sqlite(path), url)
        }
    }
}

impl Server {
    /// Starts the server with `env` on top of the e2e defaults and waits for `/healthz`.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let (db, database_url) = fresh_database().await;
        let mut command = Command::new(BINARY);
        command
            .arg("serve")
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATABASE_URL", &database_url)
            .env("JWT_SECRET", JWT_SECRET)
            .env("APP_ENV", "development")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start the server binary");
        // From here on, Drop stops the process and removes the database.
        let mut server = Self { port, child, db };
        server.wait_until_healthy(Duration::from_secs(30)).await;
        server
    }

    async fn wait_until_healthy(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the server") {
                panic!("the server exited during start-up: {status}");
            }
            if let Ok(response) = client::send(self.port, "GET", "/healthz", None, None).await
                && response.status == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer /healthz within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        match &self.db {
            FreshDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            FreshDb::Postgres { admin_url, name } => {
                // Drop may run inside the test's runtime, which cannot block: a thread and a
                // small runtime of its own.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let dropped = std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map(|runtime| {
                            runtime.block_on(async {
                                let mut admin = PgConnection::connect(&admin_url).await?;
                                admin
                                    .execute(sqlx::AssertSqlSafe(format!(
                                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                    )))
                                    .await
                                    .map(|_| ())
                            })
                        })
                });
                if let Ok(Ok(Err(err))) = dropped.join() {
                    eprintln!("could not drop the e2e database {}: {err}", self.db_name());
                }
            }
        }
    }
}

impl Server {
    fn db_name(&self) -> &str {
        match &self.db {
            FreshDb::Sqlite(path) => path.to_str().unwrap_or("?"),
            FreshDb::Postgres { name, .. } => name,
        }
    }
}
