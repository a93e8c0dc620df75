//! Process start-up: read the configuration, set up logging, connect to the database,
//! apply migrations, and serve until SIGINT/SIGTERM.
//!
//! Usage: `<binary> [serve]` (the default), `<binary> migrate`, `<binary> healthcheck`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use api::config::redact_url;
use api::{AppState, Config, db, router, telemetry};

const USAGE: &str = concat!(
    "usage: ",
    env!("CARGO_BIN_NAME"),
    " [serve | migrate | healthcheck]

  serve        start the HTTP server on $HOST:$PORT (the default command)
  migrate      apply pending database migrations to $DATABASE_URL and exit
  healthcheck  exit 0 if the server on $PORT answers /healthz (for Docker's HEALTHCHECK)"
);

fn main() -> ExitCode {
    // `.env` holds development defaults; variables already in the environment win.
    let _ = dotenvy::dotenv();
    let command = std::env::args().nth(1);
    match command.as_deref() {
        None | Some("serve") => run(serve),
        Some("migrate") => run(migrate),
        Some("healthcheck") => healthcheck(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Loads the configuration, starts logging and the runtime, and runs `task`.
fn run<F: Future<Output = Result<(), BoxError>>>(task: fn(Config) -> F) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            telemetry::init("info");
            tracing::error!(error = %err, "invalid configuration");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_level);
    if config.jwt_secret_generated {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret, tokens will not survive a restart"
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!(error = %err, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(task(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "fatal error");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), BoxError> {
    tracing::info!(database_url = %redact_url(&config.database_url), "connecting to the database");
    let pool = db::connect(&config.database_url).await?;
    if config.migrate_on_start {
        pool.migrate().await?;
        tracing::info!("migrations applied");
    }
    let app = router(AppState::new(pool.clone(), &config));

    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, app_env = %config.app_env, "listening");
    // The peer address reaches handlers as `ConnectInfo`: the per-IP limit on auth needs it.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    pool.close().await;
    tracing::info!("shut down cleanly");
    Ok(())
}

async fn migrate(config: Config) -> Result<(), BoxError> {
    let pool = db::connect(&config.database_url).await?;
    pool.migrate().await?;
    tracing::info!(database_url = %redact_url(&config.database_url), "migrations applied");
    pool.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` sends): in-flight requests finish first.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, draining connections");
}

/// A tiny HTTP/1.1 client, so the container image needs no curl for its HEALTHCHECK.
fn healthcheck() -> ExitCode {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(8080);
    let check = || -> std::io::Result<bool> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut head = [0_u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200"))
    };
    match check() {
        Ok(true) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
