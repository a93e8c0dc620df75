//! The `probes` phase: servers started on purpose in configurations the contract suite's server
//! cannot show.
//!
//! - Production start-up (`APP_ENV=production`, compared case-insensitively): without a
//!   `JWT_SECRET` (none in the environment, no `.env`) or with a 31-byte one the process must exit
//!   non-zero, saying how to make one (`openssl rand -hex 32`); with 32 bytes it must serve.
//! - A `--db postgres` project in production without `DATABASE_URL` must exit non-zero too. (The
//!   secret cases run on the sqlite row only: that code does not depend on the database.)
//! - The per-client-IP limit on register and login together (`AUTH_RATE_LIMIT_PER_IP`): with a
//!   limit of 5, the 6th request from 127.0.0.1 is 429 with `Retry-After`, an `X-Forwarded-For`
//!   header does not escape it, and other routes are not limited.
//! - Limiter state shared across replicas (postgres rows): two server processes on one database,
//!   10 failed logins for one email spread over both, then the 11th attempt is 429 on either.
//! - With webhooks (sqlite row): production with `WEBHOOK_ALLOW_LOOPBACK=true` must refuse to
//!   start, since that exception is for development and tests only.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::e2e::http::{Client, Request, Response, free_port};
use crate::e2e::postgres::Database;
use crate::e2e::process::Group;
use crate::e2e::project::Stack;
use crate::e2e::report::{Report, tail};
use crate::e2e::runner::{Settings, database_for, server_env, spawn_server, start_server};
use crate::e2e::summary::Status;

/// The per-IP limit the probe starts a server with.
pub const PROBE_IP_LIMIT: usize = 5;
/// A secret of exactly the minimum length.
const SECRET_32: &str = "0123456789abcdef0123456789abcdef";
/// What a refusal to start must tell the operator.
const SECRET_HINT: &str = "openssl rand -hex 32";

pub fn phase(
    stack: &Stack,
    db: &str,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> Status {
    let start = Instant::now();
    let before = report.failures.len();
    let database = match database_for(stack, db, "probe") {
        Ok(database) => database,
        Err(e) => {
            report.fail("probes: create the database", e);
            return Status::Fail(start.elapsed());
        }
    };
    // The secret checks do not depend on the database, and every JVM start costs seconds: the
    // sqlite row runs them; the postgres row checks the database URL instead.
    match &database {
        None => {
            production_secret(stack, tree, logs, None, settings, report);
            if has_webhooks(tree) {
                production_loopback(stack, tree, logs, settings, report);
            }
        }
        Some(d) => {
            missing_database_url(stack, tree, logs, SECRET_32, settings, report);
            shared_login_limit(stack, tree, logs, d, settings, report);
        }
    }
    per_ip_limit(stack, tree, logs, database.as_ref(), settings, "5", report);
    if report.failures.len() == before {
        Status::Ok(start.elapsed())
    } else {
        Status::Fail(start.elapsed())
    }
}

/// How a server started in production ended up.
enum Outcome {
    /// The process exited by itself, with this status.
    Exited(std::process::ExitStatus),
    /// `/healthz` answered 200.
    Serving,
    /// Neither within the timeout.
    Undecided,
}

/// Waits until the server exits or answers `/healthz`.
fn watch(server: &mut Group, port: u16, timeout: Duration) -> Outcome {
    let client = Client::new(([127, 0, 0, 1], port).into()).with_timeout(Duration::from_secs(5));
    let started = Instant::now();
    loop {
        if let Some(status) = server.exit_status() {
            return Outcome::Exited(status);
        }
        if client
            .send(&Request::get("/healthz"))
            .is_ok_and(|r| r.status == 200)
        {
            return Outcome::Serving;
        }
        if started.elapsed() > timeout {
            return Outcome::Undecided;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `.env` moved out of the way while alive, so "no JWT_SECRET" really means none.
struct EnvAside {
    from: PathBuf,
    to: PathBuf,
}

impl EnvAside {
    fn new(tree: &Path) -> Option<EnvAside> {
        let from = tree.join(".env");
        let to = tree.join(".env.e2e-aside");
        std::fs::rename(&from, &to).ok()?;
        Some(EnvAside { from, to })
    }
}

impl Drop for EnvAside {
    fn drop(&mut self) {
        let _ = std::fs::rename(&self.to, &self.from);
    }
}

/// The `DATABASE_URL` of the project's `.env` (the SQLite file of development), if any.
fn dotenv_database_url(tree: &Path) -> Option<String> {
    let text = std::fs::read_to_string(tree.join(".env")).ok()?;
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("DATABASE_URL=")?;
        Some(value.trim().trim_matches(['"', '\'']).to_string())
    })
}

fn production_secret(
    stack: &Stack,
    tree: &Path,
    logs: &Path,
    database: Option<&Database>,
    settings: &Settings,
    report: &mut Report,
) {
    // Production refuses a missing DATABASE_URL too: give it one, so only the secret is missing.
    let sqlite_url = dotenv_database_url(tree);
    let secret_31 = "s".repeat(31);
    let cases: [(&str, &str, Option<&str>, bool); 4] = [
        ("without JWT_SECRET", "production", None, false),
        ("with an empty JWT_SECRET", "production", Some(""), false),
        (
            "with a 31-byte JWT_SECRET",
            "PRODUCTION",
            Some(&secret_31),
            false,
        ),
        (
            "with a 32-byte JWT_SECRET",
            "Production",
            Some(SECRET_32),
            true,
        ),
    ];
    for (i, (what, app_env, secret, should_serve)) in cases.into_iter().enumerate() {
        let check = format!("probes: production start (APP_ENV={app_env}) {what}");
        let port = free_port();
        let mut extra: Vec<(&str, &str)> = vec![("APP_ENV", app_env)];
        if database.is_none()
            && let Some(url) = &sqlite_url
        {
            extra.push(("DATABASE_URL", url));
        }
        let mut env = server_env(port, database, &extra);
        match secret {
            Some(value) => {
                env.retain(|(k, _)| k != "JWT_SECRET");
                env.push(("JWT_SECRET".into(), value.to_string()));
            }
            None => env.retain(|(k, _)| k != "JWT_SECRET"),
        }
        let aside = if secret.is_none() {
            EnvAside::new(tree)
        } else {
            None
        };
        let log = logs.join(format!("production-start-{i}.log"));
        let mut server = match spawn_server(stack, tree, &env, &log) {
            Ok(server) => server,
            Err(why) => {
                report.fail(check, why);
                continue;
            }
        };
        let outcome = watch(&mut server, port, settings.start_timeout);
        drop(server);
        drop(aside);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let last = || format!("last lines of {}:\n{}", log.display(), tail(&text, 15));
        match (outcome, should_serve) {
            (Outcome::Serving, true) => {}
            (Outcome::Exited(status), false) if !status.success() => {
                if !text.contains(SECRET_HINT) {
                    report.fail(
                        format!(
                            "{check}: the refusal should say how to make a secret ({SECRET_HINT:?})"
                        ),
                        last(),
                    );
                }
            }
            (Outcome::Exited(status), false) => report.fail(
                format!("{check}: the process exited with {status}; a refusal must exit non-zero"),
                last(),
            ),
            (Outcome::Serving, false) => report.fail(
                format!("{check}: the server started; it must refuse to (at least 32 bytes)"),
                last(),
            ),
            (Outcome::Exited(status), true) => report.fail(
                format!("{check}: the server exited ({status}); a 32-byte secret must be accepted"),
                last(),
            ),
            (Outcome::Undecided, _) => report.fail(
                format!(
                    "{check}: neither exited nor served /healthz within {} s",
                    settings.start_timeout.as_secs()
                ),
                last(),
            ),
        }
    }
}

/// A `--db postgres` project in production has no default `DATABASE_URL`: without one (none in
/// the environment, no `.env`) it must exit non-zero rather than write to a throwaway SQLite file.
fn missing_database_url(
    stack: &Stack,
    tree: &Path,
    logs: &Path,
    secret: &str,
    settings: &Settings,
    report: &mut Report,
) {
    let check = "probes: production start (--db postgres) without DATABASE_URL";
    let port = free_port();
    let mut env = server_env(
        port,
        None,
        &[("APP_ENV", "production"), ("JWT_SECRET", secret)],
    );
    env.retain(|(k, _)| k != "DATABASE_URL");
    let aside = EnvAside::new(tree);
    let log = logs.join("production-start-no-database-url.log");
    expect_refusal(
        check,
        "it must refuse to without a database URL",
        (stack, tree, &env, &log),
        settings,
        report,
    );
    drop(aside);
}

/// Starts the server with `env` and expects it to refuse: exit non-zero before serving.
fn expect_refusal(
    check: &str,
    must: &str,
    (stack, tree, env, log): (&Stack, &Path, &[(String, String)], &Path),
    settings: &Settings,
    report: &mut Report,
) {
    let port: u16 = env
        .iter()
        .rev()
        .find(|(k, _)| k == "PORT")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut server = match spawn_server(stack, tree, env, log) {
        Ok(server) => server,
        Err(why) => {
            report.fail(check, why);
            return;
        }
    };
    let outcome = watch(&mut server, port, settings.start_timeout);
    drop(server);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let last = format!("last lines of {}:\n{}", log.display(), tail(&text, 15));
    match outcome {
        Outcome::Exited(status) if !status.success() => {}
        Outcome::Exited(status) => report.fail(
            format!("{check}: the process exited with {status}; a refusal must exit non-zero"),
            last,
        ),
        Outcome::Serving => report.fail(format!("{check}: the server started; {must}"), last),
        Outcome::Undecided => report.fail(
            format!(
                "{check}: neither exited nor served /healthz within {} s",
                settings.start_timeout.as_secs()
            ),
            last,
        ),
    }
}

/// Starts a server with `AUTH_RATE_LIMIT_PER_IP=limit` and expects the limit of
/// [`PROBE_IP_LIMIT`] requests to register and login together. The breakage tests pass `"0"`
/// (disabled) to show that the probe catches a server without the limit.
pub fn per_ip_limit(
    stack: &Stack,
    tree: &Path,
    logs: &Path,
    database: Option<&Database>,
    settings: &Settings,
    limit: &str,
    report: &mut Report,
) {
    let check = format!("probes: per-IP limit (AUTH_RATE_LIMIT_PER_IP={PROBE_IP_LIMIT})");
    let port = free_port();
    let env = server_env(port, database, &[("AUTH_RATE_LIMIT_PER_IP", limit)]);
    let log = logs.join(format!("per-ip-limit-{limit}.log"));
    let server = match start_server(stack, tree, &env, &log, settings.start_timeout) {
        Ok(server) => server,
        Err(why) => {
            report.fail(format!("{check}: the server did not start"), why);
            return;
        }
    };
    let client = Client::new(([127, 0, 0, 1], port).into());
    let stamp = format!("{:x}", crate::e2e::jwt::now());
    let body = |n: usize| json!({"email": format!("ip{n}.{stamp}@example.com"), "password": "per-ip password"});
    let send = |req: Request| -> Result<Response, String> { client.send(&req) };
    // Within the limit: registrations and wrong logins for distinct emails (so the per-email
    // login limit plays no part), alternating.
    for n in 0..PROBE_IP_LIMIT {
        let path = if n % 2 == 0 {
            "/api/v1/auth/register"
        } else {
            "/api/v1/auth/login"
        };
        match send(Request::new("POST", path).json(&body(n))) {
            Ok(resp) if resp.status == 201 || resp.status == 401 => {}
            Ok(resp) => {
                report.fail(
                    format!(
                        "{check}: request {} of {PROBE_IP_LIMIT} (POST {path}) should be 201 or 401",
                        n + 1
                    ),
                    resp.to_string(),
                );
                return;
            }
            Err(e) => {
                report.fail(format!("{check}: POST {path}"), e);
                return;
            }
        }
    }
    let over = [
        (
            "login",
            Request::new("POST", "/api/v1/auth/login").json(&body(100)),
        ),
        (
            "register",
            Request::new("POST", "/api/v1/auth/register").json(&body(101)),
        ),
        (
            "register with X-Forwarded-For (must not be trusted)",
            Request::new("POST", "/api/v1/auth/register")
                .header("X-Forwarded-For", "203.0.113.7")
                .json(&body(102)),
        ),
    ];
    for (what, req) in over {
        match send(req) {
            Ok(resp) if resp.status == 429 => {
                let retry = resp.header("retry-after").unwrap_or("");
                if !retry.trim().parse::<u64>().is_ok_and(|n| n >= 1) {
                    report.fail(
                        format!("{check}: {what} over the limit: 429 without Retry-After >= 1"),
                        resp.to_string(),
                    );
                }
            }
            Ok(resp) => report.fail(
                format!("{check}: {what} over the limit: expected 429"),
                resp.to_string(),
            ),
            Err(e) => report.fail(format!("{check}: {what} over the limit"), e),
        }
    }
    match send(Request::get("/healthz")) {
        Ok(resp) if resp.status == 200 => {}
        Ok(resp) => report.fail(
            format!("{check}: GET /healthz is not an auth route and must not be limited"),
            resp.to_string(),
        ),
        Err(e) => report.fail(format!("{check}: GET /healthz"), e),
    }
    drop(server);
}

/// Whether the project has the webhooks feature (its contract declares the endpoint route).
fn has_webhooks(tree: &Path) -> bool {
    std::fs::read_to_string(tree.join("openapi.yaml"))
        .is_ok_and(|text| text.contains("/api/v1/users/me/webhook:"))
}

/// Production with the loopback exception of the SSRF guard must refuse to start.
fn production_loopback(
    stack: &Stack,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) {
    let check = "probes: production start with WEBHOOK_ALLOW_LOOPBACK=true";
    let port = free_port();
    let sqlite_url = dotenv_database_url(tree);
    let mut extra: Vec<(&str, &str)> = vec![
        ("APP_ENV", "production"),
        ("JWT_SECRET", SECRET_32),
        ("WEBHOOK_ALLOW_LOOPBACK", "true"),
    ];
    if let Some(url) = &sqlite_url {
        extra.push(("DATABASE_URL", url));
    }
    let env = server_env(port, None, &extra);
    let log = logs.join("production-start-loopback.log");
    expect_refusal(
        check,
        "production must refuse the loopback exception",
        (stack, tree, &env, &log),
        settings,
        report,
    );
}

/// Two server processes on one PostgreSQL database enforce one login limit: 10 failed logins
/// for one email, alternating between them, then the 11th is 429 on either process.
fn shared_login_limit(
    stack: &Stack,
    tree: &Path,
    logs: &Path,
    database: &Database,
    settings: &Settings,
    report: &mut Report,
) {
    let check = "probes: login limit shared by two processes on one database";
    let mut servers = Vec::new();
    let mut clients = Vec::new();
    for n in 0..2 {
        let port = free_port();
        let env = server_env(port, Some(database), &[]);
        let log = logs.join(format!("shared-limit-{n}.log"));
        match start_server(stack, tree, &env, &log, settings.start_timeout) {
            Ok(server) => servers.push(server),
            Err(why) => {
                report.fail(format!("{check}: server {} did not start", n + 1), why);
                return;
            }
        }
        clients.push(Client::new(([127, 0, 0, 1], port).into()));
    }
    let email = format!("shared.{:x}@example.com", crate::e2e::jwt::now());
    let register = Request::new("POST", "/api/v1/auth/register")
        .json(&json!({"email": email, "password": "the right password"}));
    match clients[0].send(&register) {
        Ok(resp) if resp.status == 201 => {}
        Ok(resp) => {
            report.fail(format!("{check}: register on server 1"), resp.to_string());
            return;
        }
        Err(e) => {
            report.fail(format!("{check}: register on server 1"), e);
            return;
        }
    }
    let wrong = Request::new("POST", "/api/v1/auth/login")
        .json(&json!({"email": email, "password": "a wrong password"}));
    for n in 0..10 {
        match clients[n % 2].send(&wrong) {
            Ok(resp) if resp.status == 401 => {}
            Ok(resp) => {
                report.fail(
                    format!(
                        "{check}: failed login {} (server {}) should be 401",
                        n + 1,
                        n % 2 + 1
                    ),
                    resp.to_string(),
                );
                return;
            }
            Err(e) => {
                report.fail(format!("{check}: failed login {}", n + 1), e);
                return;
            }
        }
    }
    for (n, client) in clients.iter().enumerate() {
        match client.send(&wrong) {
            Ok(resp) if resp.status == 429 => {}
            Ok(resp) => report.fail(
                format!(
                    "{check}: after 10 failures spread over both, a login on server {} should be 429 (each process keeps its own count?)",
                    n + 1
                ),
                resp.to_string(),
            ),
            Err(e) => report.fail(format!("{check}: login on server {}", n + 1), e),
        }
    }
    drop(servers);
}
