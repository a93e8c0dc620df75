//! Contract groups for hostile clients (issue 18): oversized emails answered fast, concurrent
//! password guesses, request media types, undeclared methods, out-of-range integers and made-up
//! HTTP methods on the metrics. Each check covers a class of input, not one example: several
//! shapes of long email, several wrong media types, several huge numbers.
//!
//! The server runs with `AUTH_RATE_LIMIT_PER_IP=0` (the suite registers many users from
//! 127.0.0.1); the per-IP limit is probed on a server of its own (see `startup`).

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Exchange, Suite};
use crate::e2e::http::{Request, excerpt};
use crate::e2e::metrics::Metrics;

/// How long a server may take to refuse a 128,000-character email.
const LONG_EMAIL_BUDGET: Duration = Duration::from_secs(1);
/// Failed logins per email and window before 429 (docs/contract.md).
const LOGIN_FAILURES_ALLOWED: usize = 10;
/// Concurrent wrong passwords sent at once for one email.
const CONCURRENT_GUESSES: usize = 30;
/// The methods a `method` label may hold besides `OTHER`.
const KNOWN_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER",
];

/// Emails of 128,000 characters: plain, hostile to a backtracking pattern (no dot after the
/// `@`, many dots, many `@`), and padded with spaces so only a trim would shorten them.
fn long_emails() -> Vec<(&'static str, String)> {
    const N: usize = 128_000;
    vec![
        (
            "128,000-character email",
            format!("{}@example.com", "a".repeat(N - 12)),
        ),
        (
            "128,000-character email without a dot after the @",
            format!("a@{}", "a".repeat(N - 2)),
        ),
        (
            "128,000-character email of dots",
            format!("a@{}b", "a.".repeat((N - 3) / 2)),
        ),
        (
            "128,000-character email of @ signs",
            format!("{}a.b", "a@".repeat((N - 3) / 2)),
        ),
        (
            "255-character email padded with spaces",
            format!("  {}@example.com  ", "a".repeat(243)),
        ),
    ]
}

pub fn hostile_emails(s: &mut Suite) {
    s.group("long emails");
    for (what, email) in long_emails() {
        for path in ["/api/v1/auth/register", "/api/v1/auth/login"] {
            let req = Request::new("POST", path)
                .json(&json!({"email": email, "password": "long enough password"}));
            let started = Instant::now();
            let ex = s.call(req);
            let took = started.elapsed();
            s.expect_problem(&ex, 422, &format!("{what} on {path}"));
            if took > LONG_EMAIL_BUDGET {
                s.fail(
                    &format!(
                        "{what} on {path}: answered in {:.2} s, more than {} s (length must be \
                         checked before any pattern)",
                        took.as_secs_f64(),
                        LONG_EMAIL_BUDGET.as_secs()
                    ),
                    &ex,
                );
            }
        }
    }
}

/// 30 wrong passwords for one email at once: the attempt must be reserved before the slow hash,
/// so at most 10 are judged (401) and the rest are 429.
pub fn concurrent_logins(s: &mut Suite) {
    s.group("concurrent logins");
    let Some(victim) = s.user("concurrent") else {
        return;
    };
    let client = s.target.client.clone();
    let barrier = Arc::new(Barrier::new(CONCURRENT_GUESSES));
    let handles: Vec<_> = (0..CONCURRENT_GUESSES)
        .map(|i| {
            let client = client.clone();
            let barrier = Arc::clone(&barrier);
            // Case and padding vary: the limit is keyed on the normalised email.
            let email = match i % 3 {
                0 => victim.email.clone(),
                1 => victim.email.to_uppercase(),
                _ => format!("  {}  ", victim.email),
            };
            thread::spawn(move || {
                let req = Request::new("POST", "/api/v1/auth/login")
                    .json(&json!({"email": email, "password": format!("wrong guess {i}")}));
                barrier.wait();
                let resp = client.send(&req);
                Exchange { req, resp }
            })
        })
        .collect();
    let answers: Vec<Exchange> = handles
        .into_iter()
        .map(|h| h.join().expect("a login thread panicked"))
        .collect();
    // 401: judged. 429: refused by the limiter, before any hashing. 503 + Retry-After: a reserved
    // attempt that found no hashing slot in time (the server shedding load, allowed). Only the
    // 10 reserved attempts may reach the hasher, so 401 + 503 <= 10 and the rest are 429.
    let (mut judged, mut limited, mut shed) = (0, 0, 0);
    for ex in &answers {
        let status = ex.status();
        s.sweep(ex, status == Some(503));
        let retry_ok = ex
            .header("retry-after")
            .is_some_and(|r| r.trim().parse::<u64>().is_ok_and(|n| n >= 1));
        match status {
            Some(401) => judged += 1,
            Some(429 | 503) => {
                if status == Some(429) {
                    limited += 1;
                } else {
                    shed += 1;
                }
                if !retry_ok {
                    s.fail(
                        &format!(
                            "{} without Retry-After in integer seconds >= 1",
                            status.unwrap_or_default()
                        ),
                        ex,
                    );
                }
            }
            _ => s.fail("a concurrent wrong login should be 401, 429 or 503", ex),
        }
    }
    if judged + shed > LOGIN_FAILURES_ALLOWED {
        let first = answers.iter().find(|e| e.status() == Some(401));
        s.fail(
            &format!(
                "{CONCURRENT_GUESSES} concurrent wrong logins for one email: {judged} were judged \
                 (401) and {shed} waited for the hasher (503); at most {LOGIN_FAILURES_ALLOWED} \
                 may get past the limiter, {limited} were 429 (reserve the attempt before hashing)"
            ),
            first.map_or("(no 401 answer)".to_string(), ToString::to_string),
        );
    }
    // With all 10 failures used up, even the right password is refused.
    if judged == LOGIN_FAILURES_ALLOWED {
        let ex = s.call(
            Request::new("POST", "/api/v1/auth/login")
                .json(&json!({"email": victim.email, "password": victim.password})),
        );
        s.expect_problem(
            &ex,
            429,
            "the right password after 10 judged concurrent guesses",
        );
    }
}

/// Bodies declared as something other than JSON are 415, on every operation with a body;
/// `application/json` with parameters is still JSON.
pub fn media_types(s: &mut Suite) {
    s.group("media types");
    let Some(user) = s.user("media") else { return };
    let task = s.call(
        Request::new("POST", "/api/v1/tasks")
            .bearer(&user.token)
            .json(&json!({"title": "media types"})),
    );
    let task_path = task
        .header("location")
        .map(String::from)
        .unwrap_or_else(|| "/api/v1/tasks/1".into());
    let login = json!({"email": user.email, "password": "not the password"}).to_string();
    let register = json!({"email": s.email("media-reg"), "password": "long enough password"});
    let wrong = [
        ("text/plain", None),
        ("application/x-www-form-urlencoded", Some("title=x&email=a")),
        ("application/xml", Some("<task><title>x</title></task>")),
        ("multipart/form-data; boundary=X", Some("--X--")),
    ];
    for (media, raw) in wrong {
        for (method, path, json_body, auth) in [
            ("POST", "/api/v1/auth/register", register.to_string(), false),
            ("POST", "/api/v1/auth/login", login.clone(), false),
            (
                "POST",
                "/api/v1/tasks",
                json!({"title": "x"}).to_string(),
                true,
            ),
            (
                "PATCH",
                task_path.as_str(),
                json!({"done": true}).to_string(),
                true,
            ),
        ] {
            let mut req = Request::new(method, path).header("Content-Type", media);
            req.body = Some(raw.map_or(json_body.into_bytes(), |r| r.as_bytes().to_vec()));
            if auth {
                req = req.bearer(&user.token);
            }
            let ex = s.call(req);
            s.expect_problem(
                &ex,
                415,
                &format!("{method} {path} with Content-Type: {media}"),
            );
        }
    }
    let mut req = Request::new("POST", "/api/v1/tasks")
        .bearer(&user.token)
        .header("Content-Type", "application/json; charset=utf-8");
    req.body = Some(json!({"title": "charset"}).to_string().into_bytes());
    let ex = s.call(req);
    s.expect_status(
        &ex,
        201,
        "Content-Type: application/json; charset=utf-8 is JSON",
    );
}

/// A method a declared path does not have: 405 problem with `Allow` naming the ones it has.
pub fn undeclared_methods(s: &mut Suite) {
    s.group("methods");
    let token = s.user("methods").map(|u| u.token);
    for (method, path, allowed) in [
        ("PUT", "/api/v1/tasks", &["GET", "POST"][..]),
        ("DELETE", "/api/v1/tasks", &["GET", "POST"][..]),
        ("POST", "/api/v1/users/me", &["GET"][..]),
        ("PUT", "/api/v1/tasks/1", &["GET", "PATCH", "DELETE"][..]),
        ("GET", "/api/v1/auth/register", &["POST"][..]),
        ("DELETE", "/healthz", &["GET"][..]),
    ] {
        let mut req = Request::new(method, path);
        if let Some(t) = &token {
            req = req.bearer(t);
        }
        let ex = s.call(req);
        if !s.expect_problem(&ex, 405, &format!("{method} {path}")) {
            continue;
        }
        let allow: Vec<String> = ex
            .header("allow")
            .unwrap_or("")
            .split(',')
            .map(|m| m.trim().to_ascii_uppercase())
            .filter(|m| !m.is_empty())
            .collect();
        let missing: Vec<&&str> = allowed
            .iter()
            .filter(|m| !allow.iter().any(|a| a == **m))
            .collect();
        if allow.is_empty() || !missing.is_empty() || allow.iter().any(|a| a == method) {
            s.fail(
                &format!(
                    "{method} {path}: `Allow` should list {} (got {:?})",
                    allowed.join(", "),
                    ex.header("allow")
                ),
                &ex,
            );
        }
    }
}

/// Integers out of range, however large or oddly written, are 422, never 500 or 200.
pub fn query_bounds(s: &mut Suite) {
    s.group("query bounds");
    let Some(user) = s.user("bounds") else { return };
    for query in [
        "offset=2147483648",
        "offset=9223372036854775807",
        "offset=9223372036854775808",
        "offset=99999999999999999999999999",
        "offset=1e400",
        "offset=-9223372036854775809",
        "limit=9223372036854775808",
        "limit=1e400",
        "limit=-0.5",
    ] {
        let ex = s.call(Request::get(&format!("/api/v1/tasks?{query}")).bearer(&user.token));
        s.expect_problem(&ex, 422, &format!("GET /api/v1/tasks?{query}"));
    }
    let ex = s.call(Request::get("/api/v1/tasks?offset=2147483647").bearer(&user.token));
    s.expect_status(&ex, 200, "offset=2147483647 (the documented maximum)");
}

/// Invented HTTP methods must not mint new `method` label values.
pub fn metric_cardinality(s: &mut Suite) {
    s.group("metric cardinality");
    let invented = ["FOLIOX", "BREW", "M3THOD", "PROPFINDX"];
    for (i, method) in invented.iter().enumerate() {
        for path in ["/api/v1/tasks", "/healthz", &format!("/nowhere/{i}")] {
            // Any answer is fine (400, 404, 405, 501, even a closed connection: Node's parser
            // refuses such methods itself, without the app's headers), so no sweep: only the
            // metrics matter here.
            let _ = s.target.client.send(&Request::new(method, path));
        }
    }
    let ex = s.call(Request::get("/metrics").header("Accept", "text/plain"));
    if !s.expect_status(&ex, 200, "GET /metrics after invented methods") {
        return;
    }
    let text = ex.resp.as_ref().map(|r| r.text()).unwrap_or_default();
    let metrics = match Metrics::parse(&text) {
        Ok(m) => m,
        Err(e) => {
            s.fail(&format!("/metrics is not Prometheus text: {e}"), &ex);
            return;
        }
    };
    for family in ["http_requests_total", "http_request_duration_seconds_count"] {
        let unknown: Vec<String> = metrics
            .label_values(family, "method")
            .into_iter()
            .filter(|m| !KNOWN_METHODS.contains(&m.as_str()))
            .collect();
        if !unknown.is_empty() {
            s.fail(
                &format!(
                    "{family} has `method` values outside {} (map unknown methods to OTHER): {}",
                    KNOWN_METHODS.join(", "),
                    excerpt(unknown.join(", ").as_bytes(), 200)
                ),
                &ex,
            );
        }
    }
}
