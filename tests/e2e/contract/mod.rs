//! The black-box API contract suite (DESIGN.md section 4 and docs/contract.md), over HTTP.
//!
//! It knows nothing about stacks: it gets the address of a running server and the `JWT_SECRET`
//! that server was started with, and checks every row of the contract table plus its fine print.
//! Checks are grouped (`ops`, `register`, `login`, `tokens`, `tasks`, `ownership`, `pagination`,
//! `errors`, `metrics`, the hostile-client groups of `hardening`, `webhooks` (when the project has
//! them), `logs`, `readiness`); a group whose preconditions fail (say, registration is
//! broken) reports that and the remaining groups still run, so one run lists everything a stack
//! author must fix. Every response, whatever the check, also goes through a sweep for the headers
//! every response must carry, 5xx answers and leaked stack traces.

mod auth;
mod hardening;
mod ops;
mod tasks;
mod webhooks;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Value, json};

use crate::e2e::http::{Client, Request, Response};
use crate::e2e::report::Report;

/// What a server was started with, that the checks need to know.
pub struct Target<'a> {
    pub client: Client,
    pub jwt_secret: &'a str,
    pub jwt_ttl_seconds: i64,
    /// The server's captured stdout+stderr, read by the `logs` group once the other groups ran.
    pub log_file: Option<&'a Path>,
    /// Makes the database unreachable (`true`) and reachable again (`false`), for the 503 case of
    /// `/readyz`; only PostgreSQL targets have one.
    pub outage: Option<&'a dyn Fn(bool) -> Result<(), String>>,
    /// The project's committed `openapi.yaml` as JSON, which `/openapi.json` must serve.
    pub committed_openapi: Option<Value>,
}

/// One request and what came back (or the transport error), printed in failure details.
pub struct Exchange {
    pub req: Request,
    pub resp: Result<Response, String>,
}

impl Exchange {
    pub fn status(&self) -> Option<u16> {
        self.resp.as_ref().ok().map(|r| r.status)
    }

    pub fn json(&self) -> Option<Value> {
        self.resp.as_ref().ok().and_then(Response::json)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.resp.as_ref().ok().and_then(|r| r.header(name))
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "request:  {}", self.req)?;
        match &self.resp {
            Ok(resp) => write!(f, "response: {resp}"),
            Err(e) => write!(f, "response: none ({e})"),
        }
    }
}

/// A signed-up user: what registration returned and a token from login.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password: String,
    pub token: String,
}

/// Strings that betray a stack trace, an exception or SQL in a response body.
const LEAKS: &[&str] = &[
    "Traceback (most recent call last)",
    "File \"/",
    "sqlalchemy",
    "psycopg",
    "sqlite3.",
    "SELECT ",
    "INSERT INTO",
    "DELETE FROM",
    "at java.",
    "at org.springframework",
    "panicked at",
    "goroutine ",
    "node:internal",
    "    at ",
];

/// The state of one run of the suite against one server.
pub struct Suite<'a> {
    target: &'a Target<'a>,
    report: &'a mut Report,
    group: &'static str,
    /// Makes every email unique within the run.
    counter: u32,
    run_id: String,
    /// Responses seen, and for each required-header rule how many lacked it plus the first example.
    responses: usize,
    misses: BTreeMap<&'static str, (usize, String)>,
    /// Passwords and tokens used, which must never show up in the server's log.
    secrets: Vec<String>,
}

/// Runs the whole suite and adds its failures to `report`.
pub fn run(target: &Target, report: &mut Report) {
    let mut suite = Suite {
        target,
        report,
        group: "ops",
        counter: 0,
        run_id: format!("{:x}", crate::e2e::jwt::now() % 0xffff_ffff),
        responses: 0,
        misses: BTreeMap::new(),
        secrets: vec![target.jwt_secret.to_string()],
    };
    ops::health_and_docs(&mut suite);
    auth::register(&mut suite);
    auth::login(&mut suite);
    auth::tokens(&mut suite);
    tasks::crud(&mut suite);
    tasks::ownership(&mut suite);
    tasks::pagination(&mut suite);
    ops::errors(&mut suite);
    ops::metrics(&mut suite);
    hardening::hostile_emails(&mut suite);
    hardening::concurrent_logins(&mut suite);
    hardening::media_types(&mut suite);
    hardening::undeclared_methods(&mut suite);
    hardening::query_bounds(&mut suite);
    hardening::metric_cardinality(&mut suite);
    webhooks::webhooks(&mut suite);
    ops::readiness_outage(&mut suite);
    suite.finish_sweep();
    ops::logs(&mut suite);
}

impl<'a> Suite<'a> {
    fn group(&mut self, name: &'static str) {
        self.group = name;
    }

    /// A fresh, valid email for this run, e.g. `user3.1a2b3c@example.com`.
    fn email(&mut self, who: &str) -> String {
        self.counter += 1;
        format!("{who}{}.{}@example.com", self.counter, self.run_id)
    }

    fn fail(&mut self, what: &str, detail: impl fmt::Display) {
        self.report
            .fail(format!("{}: {what}", self.group), detail.to_string());
    }

    /// Sends a request and sweeps the response for the rules every response obeys.
    fn call(&mut self, req: Request) -> Exchange {
        self.call_with(&self.target.client.clone(), req, false)
    }

    fn call_with(
        &mut self,
        client: &Client,
        req: Request,
        server_error_expected: bool,
    ) -> Exchange {
        let resp = client.send(&req);
        let ex = Exchange { req, resp };
        self.sweep(&ex, server_error_expected);
        ex
    }

    fn sweep(&mut self, ex: &Exchange, server_error_expected: bool) {
        let Ok(resp) = &ex.resp else {
            // Reported here once, so a check that ignores the answer still surfaces it.
            self.fail("no valid HTTP response", ex);
            return;
        };
        self.responses += 1;
        let mut miss = |rule: &'static str| {
            let entry = self
                .misses
                .entry(rule)
                .or_insert_with(|| (0, ex.to_string()));
            entry.0 += 1;
        };
        if resp
            .header("x-request-id")
            .is_none_or(|v| v.trim().is_empty())
        {
            miss("X-Request-ID header");
        }
        if !resp
            .header("x-content-type-options")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
        {
            miss("X-Content-Type-Options: nosniff header");
        }
        if resp.status >= 500 && !server_error_expected {
            self.fail(
                &format!("server error {} (expected a 2xx/4xx answer)", resp.status),
                ex,
            );
        }
        if resp.status >= 400 {
            let body = resp.text();
            if let Some(leak) = LEAKS.iter().find(|l| body.contains(**l)) {
                self.fail(&format!("error body leaks internals ({leak:?})"), ex);
            }
        }
        if !self.target.jwt_secret.is_empty() && resp.text().contains(self.target.jwt_secret) {
            self.fail("response contains JWT_SECRET", ex);
        }
    }

    /// Reports the header rules that some responses broke, once each, with a count.
    fn finish_sweep(&mut self) {
        self.group("every response");
        let misses = std::mem::take(&mut self.misses);
        for (rule, (count, first)) in misses {
            let total = self.responses;
            self.fail(
                &format!("{rule} missing on {count} of {total} responses; first one:"),
                first,
            );
        }
    }

    /// Checks the status; on a mismatch reports `what` with the exchange.
    fn expect_status(&mut self, ex: &Exchange, status: u16, what: &str) -> bool {
        if ex.status() == Some(status) {
            true
        } else {
            self.fail(&format!("{what}: expected {status}"), ex);
            false
        }
    }

    /// Checks a JSON success answer and returns its body.
    fn expect_json(&mut self, ex: &Exchange, status: u16, what: &str) -> Option<Value> {
        if !self.expect_status(ex, status, what) {
            return None;
        }
        let media = ex.resp.as_ref().ok().and_then(Response::media_type);
        if media.as_deref() != Some("application/json") {
            self.fail(
                &format!("{what}: Content-Type should be application/json, got {media:?}"),
                ex,
            );
        }
        let body = ex.json();
        if body.is_none() {
            self.fail(&format!("{what}: body is not JSON"), ex);
        }
        body
    }

    /// Checks an RFC 9457 problem answer: status, media type, `type`/`title`/`status`/`detail`.
    fn expect_problem(&mut self, ex: &Exchange, status: u16, what: &str) -> bool {
        if !self.expect_status(ex, status, what) {
            return false;
        }
        let mut wrong = Vec::new();
        let media = ex.resp.as_ref().ok().and_then(Response::media_type);
        if media.as_deref() != Some("application/problem+json") {
            wrong.push(format!(
                "Content-Type is {media:?}, not application/problem+json"
            ));
        }
        match ex.json() {
            Some(Value::Object(body)) => {
                for field in ["type", "title", "detail"] {
                    let text = body.get(field).and_then(Value::as_str);
                    if text.is_none_or(str::is_empty) {
                        wrong.push(format!("`{field}` is missing or not a non-empty string"));
                    }
                }
                if body.get("status").and_then(Value::as_u64) != Some(u64::from(status)) {
                    wrong.push(format!(
                        "`status` is {:?}, not the number {status}",
                        body.get("status")
                    ));
                }
            }
            _ => wrong.push("body is not a JSON object".to_string()),
        }
        if !wrong.is_empty() {
            self.fail(
                &format!("{what}: not a problem+json answer ({})", wrong.join("; ")),
                ex,
            );
        }
        wrong.is_empty()
    }

    /// A 401 problem with `WWW-Authenticate: Bearer`.
    fn expect_unauthorized(&mut self, ex: &Exchange, what: &str) {
        if !self.expect_problem(ex, 401, what) {
            return;
        }
        let challenge = ex.header("www-authenticate").unwrap_or("");
        if !challenge.to_ascii_lowercase().starts_with("bearer") {
            self.fail(
                &format!("{what}: 401 without `WWW-Authenticate: Bearer` (got {challenge:?})"),
                ex,
            );
        }
    }

    /// Registers and logs in a fresh user; reports and returns `None` when either fails.
    fn user(&mut self, who: &str) -> Option<User> {
        let email = self.email(who);
        let password = format!("pw-{who}-{}", self.run_id);
        self.secrets.push(password.clone());
        let reg = self.call(
            Request::new("POST", "/api/v1/auth/register")
                .json(&json!({"email": email, "password": password})),
        );
        let body = self.expect_json(&reg, 201, &format!("cannot register user {who}"))?;
        let id = body.get("id").and_then(Value::as_i64);
        let Some(id) = id else {
            self.fail(&format!("register {who}: `id` is not an integer"), &reg);
            return None;
        };
        let login = self.call(
            Request::new("POST", "/api/v1/auth/login")
                .json(&json!({"email": email, "password": password})),
        );
        let body = self.expect_json(&login, 200, &format!("cannot log in user {who}"))?;
        let Some(token) = body.get("access_token").and_then(Value::as_str) else {
            self.fail(&format!("login {who}: no `access_token` string"), &login);
            return None;
        };
        self.secrets.push(token.to_string());
        Some(User {
            id,
            email,
            password,
            token: token.to_string(),
        })
    }
}

/// One expectation on a field: its name, a test, and what it should be (for the message).
type FieldCheck<'a> = (&'a str, &'a dyn Fn(&Value) -> bool, &'a str);

/// Checks the fields of a value against expectations and lists what is wrong.
fn field_problems(body: &Value, expected: &[FieldCheck]) -> Vec<String> {
    expected
        .iter()
        .filter(|(field, ok, _)| !body.get(*field).is_some_and(ok))
        .map(|(field, _, want)| {
            format!(
                "`{field}` should be {want} (got {})",
                body.get(*field)
                    .map_or("nothing".to_string(), Value::to_string)
            )
        })
        .collect()
}

fn is_utc_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| crate::e2e::rfc3339::parse(s, true).is_some())
}

fn is_positive_int(v: &Value) -> bool {
    v.as_i64().is_some_and(|n| n > 0)
}

#[cfg(test)]
mod tests;
