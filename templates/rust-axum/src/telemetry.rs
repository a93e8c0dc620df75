//! Structured logs: one JSON object per line on stdout.

use tracing_subscriber::EnvFilter;

/// `level` is a `LOG_LEVEL` value: `info`, `debug`, or a full filter such as `info,sqlx=warn`.
pub fn init(level: &str) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    // PostgreSQL NOTICEs ("relation already exists, skipping") are not worth an info line.
    let filter = match "sqlx::postgres::notice=warn".parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    };
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false)
        .init();
}
