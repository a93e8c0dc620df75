//! The `schemathesis` phase: property-based tests of a running server against the OpenAPI
//! document it serves, with every check schemathesis has (`--checks all`: status codes, headers,
//! schemas, negative data rejected, positive data accepted, undeclared methods and media types,
//! authentication ignored, resources used after deletion...) and a valid bearer token.
//!
//! The generation budget is fixed so CI time stays predictable: `--max-examples` per operation
//! (`FOLIO_E2E_ST_MAX_EXAMPLES`, default [`MAX_EXAMPLES`]) and a fixed `--seed`
//! (`FOLIO_E2E_ST_SEED`, default [`SEED`]), so a failure reproduces with the same command; the
//! coverage phase (boundaries, missing fields, wrong types, undeclared methods) does not depend on
//! the budget. One worker: parallel requests would measure the hashing queue, not the contract.
//! The exact command is printed at the top of `target/tmp/e2e/<stack>-<db>/schemathesis.log`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::e2e::http::{Client, Request, free_port};
use crate::e2e::process;
use crate::e2e::project::Stack;
use crate::e2e::report::{Report, tail};
use crate::e2e::runner::{Settings, database_for, server_env, start_server};
use crate::e2e::summary::Status;
use crate::e2e::validators;

/// Test cases per operation in the fuzzing phase (schemathesis' default is 100).
pub const MAX_EXAMPLES: u32 = 30;
/// The seed, so every run generates the same cases (override to explore).
pub const SEED: u64 = 18;
/// The whole schemathesis run's deadline.
const RUN_TIMEOUT: Duration = Duration::from_secs(900);

fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `st run` arguments for a server on `port` and a bearer `token`.
pub fn arguments(port: u16, token: &str, max_examples: u32, seed: u64) -> Vec<String> {
    [
        "run",
        &format!("http://127.0.0.1:{port}/openapi.json"),
        "--checks",
        "all",
        "--header",
        &format!("Authorization: Bearer {token}"),
        "--workers",
        "1",
        "--max-examples",
        &max_examples.to_string(),
        "--seed",
        &seed.to_string(),
        "--request-timeout",
        "10",
        "--no-color",
    ]
    .map(String::from)
    .to_vec()
}

/// Quotes a word for `sh -c` (the token and paths hold no quote, but say so in code).
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

pub fn phase(
    stack: &Stack,
    db: &str,
    tree: &Path,
    logs: &Path,
    settings: &Settings,
    report: &mut Report,
) -> Status {
    let Some(st) = validators::find_tool("st") else {
        return Status::Skip(
            "schemathesis (st) not installed (run scripts/install-validators)".into(),
        );
    };
    let start = Instant::now();
    let database = match database_for(stack, db, "st") {
        Ok(database) => database,
        Err(e) => {
            report.fail("schemathesis: create the database", e);
            return Status::Fail(start.elapsed());
        }
    };
    let port = free_port();
    let env = server_env(port, database.as_ref(), &[]);
    let log = logs.join("schemathesis-server.log");
    let mut server = match start_server(stack, tree, &env, &log, settings.start_timeout) {
        Ok(server) => server,
        Err(why) => {
            report.fail("schemathesis: the server did not become healthy", why);
            return Status::Fail(start.elapsed());
        }
    };
    let client = Client::new(([127, 0, 0, 1], port).into());
    let token = match bearer_token(&client) {
        Ok(token) => token,
        Err(why) => {
            report.fail("schemathesis: register and log in a user", why);
            return Status::Fail(start.elapsed());
        }
    };
    let args = arguments(
        port,
        &token,
        var("FOLIO_E2E_ST_MAX_EXAMPLES", MAX_EXAMPLES),
        var("FOLIO_E2E_ST_SEED", SEED),
    );
    let script = std::iter::once(sh_quote(&st.to_string_lossy()))
        .chain(args.iter().map(|a| sh_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let st_log = logs.join("schemathesis.log");
    let shown = script.replace(&token, "TOKEN");
    let _ = std::fs::write(&st_log, format!("$ {shown}\n"));
    let outcome = process::run(&script, tree, &[], &st_log, RUN_TIMEOUT);
    let exited = server.exited();
    drop(server);
    let text = std::fs::read_to_string(&st_log).unwrap_or_default();
    if let Some(status) = exited {
        report.fail(
            "schemathesis: the server exited during the run",
            format!("exit: {status}; see {}", log.display()),
        );
    }
    if outcome.ok {
        println!(
            "e2e schemathesis: {}",
            text.lines()
                .rev()
                .find(|l| l.contains("passed") || l.contains("cases"))
                .unwrap_or("passed")
                .trim()
        );
        Status::Ok(start.elapsed())
    } else {
        report.fail(
            "schemathesis: failures (st run --checks all)",
            format!(
                "`{shown}`: {} after {:.0} s; full output in {}; last lines:\n{}",
                outcome.status,
                outcome.elapsed.as_secs_f64(),
                st_log.display(),
                tail(&text, 60)
            ),
        );
        Status::Fail(start.elapsed())
    }
}

/// Registers a user and logs in; the token schemathesis sends with every request.
fn bearer_token(client: &Client) -> Result<String, String> {
    let email = format!("schemathesis.{:x}@example.com", crate::e2e::jwt::now());
    let body = json!({"email": email, "password": "schemathesis password"});
    let reg = client.send(&Request::new("POST", "/api/v1/auth/register").json(&body))?;
    if reg.status != 201 {
        return Err(format!("register: {reg}"));
    }
    let login = client.send(&Request::new("POST", "/api/v1/auth/login").json(&body))?;
    login
        .json()
        .and_then(|b| {
            b.get("access_token")
                .and_then(Value::as_str)
                .map(String::from)
        })
        .ok_or_else(|| format!("login: {login}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_runs_every_check_with_the_token_and_a_fixed_budget() {
        let args = arguments(8123, "abc.def.ghi", 50, 18).join(" ");
        assert!(
            args.starts_with("run http://127.0.0.1:8123/openapi.json --checks all"),
            "{args}"
        );
        assert!(
            args.contains("--header Authorization: Bearer abc.def.ghi"),
            "{args}"
        );
        assert!(args.contains("--max-examples 50 --seed 18"), "{args}");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
