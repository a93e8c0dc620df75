//! Contract groups `ops`, `errors`, `metrics`, `readiness` and `logs`: the operations endpoints,
//! request ids, routing errors and size limits, Prometheus counters, and what the server logs.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Suite;
use crate::e2e::http::Request;
use crate::e2e::metrics::Metrics;

/// Every `/api/v1` path of the contract with its methods, as OpenAPI templates.
pub const API_PATHS: &[(&str, &[&str])] = &[
    ("/api/v1/auth/register", &["post"]),
    ("/api/v1/auth/login", &["post"]),
    ("/api/v1/users/me", &["get"]),
    ("/api/v1/tasks", &["get", "post"]),
    ("/api/v1/tasks/{id}", &["get", "patch", "delete"]),
];

pub fn health_and_docs(s: &mut Suite) {
    s.group("ops");
    let ex = s.call(Request::get("/healthz"));
    if let Some(body) = s.expect_json(&ex, 200, "GET /healthz") {
        if body != json!({"status": "ok"}) {
            s.fail("GET /healthz: body should be {\"status\":\"ok\"}", &ex);
        }
    }
    let ex = s.call(Request::get("/readyz"));
    if let Some(body) = s.expect_json(&ex, 200, "GET /readyz") {
        if body != json!({"status": "ready"}) {
            s.fail("GET /readyz: body should be {\"status\":\"ready\"}", &ex);
        }
    }

    let sane = format!("e2e-req.ID_{}", s.run_id);
    let ex = s.call(Request::get("/healthz").header("X-Request-ID", &sane));
    if ex.header("x-request-id") != Some(sane.as_str()) {
        s.fail("a sane X-Request-ID must be echoed", &ex);
    }
    let ex = s.call(Request::get("/api/v1/tasks").header("X-Request-ID", &sane));
    if ex.header("x-request-id") != Some(sane.as_str()) {
        s.fail("a sane X-Request-ID must be echoed on errors too", &ex);
    }
    let too_long = "a".repeat(129);
    for insane in ["has spaces in it", "semi;colon", too_long.as_str()] {
        let ex = s.call(Request::get("/healthz").header("X-Request-ID", insane));
        match ex.header("x-request-id") {
            Some(id) if id != insane && !id.trim().is_empty() => {}
            _ => s.fail(
                "an X-Request-ID outside ^[A-Za-z0-9._-]{1,128}$ must be replaced by a fresh id",
                &ex,
            ),
        }
    }

    let ex = s.call(Request::get("/openapi.json"));
    let Some(doc) = s.expect_json(&ex, 200, "GET /openapi.json") else {
        return;
    };
    if !doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3."))
    {
        s.fail(
            "/openapi.json: `openapi` should be a 3.x version string",
            &ex,
        );
    }
    let mut missing = Vec::new();
    for (path, methods) in API_PATHS {
        match doc.get("paths").and_then(|p| p.get(*path)) {
            None => missing.push((*path).to_string()),
            Some(item) => missing.extend(
                methods
                    .iter()
                    .filter(|m| item.get(**m).is_none())
                    .map(|m| format!("{} {path}", m.to_uppercase())),
            ),
        }
    }
    if !missing.is_empty() {
        s.fail(
            &format!("/openapi.json does not document: {}", missing.join(", ")),
            &ex,
        );
    }
    if let Some(committed) = &s.target.committed_openapi {
        let (served, committed) = (operations(&doc), operations(committed));
        let only_served: Vec<&String> = served.iter().filter(|o| !committed.contains(o)).collect();
        let only_committed: Vec<&String> =
            committed.iter().filter(|o| !served.contains(o)).collect();
        if !only_served.is_empty() || !only_committed.is_empty() {
            s.fail(
                &format!(
                    "/openapi.json is not the committed openapi.yaml: only served {only_served:?}, only committed {only_committed:?}"
                ),
                &ex,
            );
        }
    }
}

/// `GET /api/v1/tasks`-style operations of an OpenAPI document, sorted.
fn operations(doc: &Value) -> Vec<String> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut ops: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    ops.sort();
    ops
}

pub fn errors(s: &mut Suite) {
    s.group("errors");
    // Routing errors need no account; with one, the answer must not depend on it.
    let token = s.user("errors").map(|u| u.token);
    let auth = |req: Request| match &token {
        Some(t) => req.bearer(t),
        None => req,
    };
    for path in ["/api/v1/no-such-route", "/no-such-route"] {
        let ex = s.call(auth(Request::get(path)));
        s.expect_problem(&ex, 404, &format!("unknown route GET {path}"));
    }
    for (method, path) in [
        ("PUT", "/api/v1/tasks"),
        ("DELETE", "/api/v1/users/me"),
        ("GET", "/api/v1/auth/login"),
        ("POST", "/healthz"),
    ] {
        let mut req = auth(Request::new(method, path));
        if method != "GET" && method != "DELETE" {
            req = req.json(&json!({}));
        }
        let ex = s.call(req);
        s.expect_problem(&ex, 405, &format!("wrong method {method} {path}"));
    }
    let Some(t) = token.as_deref() else { return };
    let ex = s.call(
        Request::new("POST", "/api/v1/tasks")
            .bearer(t)
            .raw_json("{\"title\": \"unterminated"),
    );
    s.expect_problem(&ex, 400, "malformed JSON body");

    // 1 MiB = 1,048,576 bytes is the largest body allowed; one byte more is 413.
    let ex = s.call(
        Request::new("POST", "/api/v1/tasks")
            .bearer(t)
            .raw_json(json_of_size(1_048_577)),
    );
    s.expect_problem(&ex, 413, "body of 1 MiB + 1 byte");
    let ex = s.call(
        Request::new("POST", "/api/v1/tasks")
            .bearer(t)
            .raw_json(json_of_size(1_048_576)),
    );
    s.expect_problem(
        &ex,
        422,
        "body of exactly 1 MiB (allowed size; description too long so 422)",
    );
}

/// A task JSON body of exactly `size` bytes (with a description far over 2000 characters).
pub fn json_of_size(size: usize) -> Vec<u8> {
    let head = b"{\"title\":\"big\",\"description\":\"";
    let tail = b"\"}";
    let mut body = head.to_vec();
    body.resize(size - tail.len(), b'a');
    body.extend_from_slice(tail);
    body
}

fn scrape(s: &mut Suite, what: &str) -> Option<Metrics> {
    let ex = s.call(Request::get("/metrics").header("Accept", "text/plain"));
    if !s.expect_status(&ex, 200, what) {
        return None;
    }
    let media = ex.resp.as_ref().ok().and_then(|r| r.media_type());
    if media.as_deref() != Some("text/plain") {
        s.fail(
            &format!("{what}: Content-Type should be text/plain (exposition 0.0.4), got {media:?}"),
            &ex,
        );
    }
    match Metrics::parse(&ex.resp.as_ref().map(|r| r.text()).unwrap_or_default()) {
        Ok(m) => Some(m),
        Err(e) => {
            s.fail(&format!("{what}: not Prometheus text: {e}"), &ex);
            None
        }
    }
}

pub fn metrics(s: &mut Suite) {
    s.group("metrics");
    let Some((user, path)) = super::tasks::user_with_task(s) else {
        return;
    };
    let Some(before) = scrape(s, "GET /metrics (before)") else {
        return;
    };
    for _ in 0..3 {
        let _ = s.call(Request::get(&path).bearer(&user.token));
    }
    for _ in 0..2 {
        let _ = s.call(Request::get("/api/v1/tasks/999999999").bearer(&user.token));
    }
    let _ = s.call(Request::get("/api/v1/e2e-unmatched-route"));
    // A server may record a request just after sending its response (middleware that counts
    // once the body is out), so give the last counts a moment to land before judging them.
    let template = "/api/v1/tasks/{id}";
    let expected = [
        (template, "200", 3.0),
        (template, "404", 2.0),
        ("unmatched", "404", 1.0),
    ];
    let delta = |before: &Metrics, after: &Metrics, route: &str, status: &str| {
        let labels = [("method", "GET"), ("route", route), ("status", status)];
        after.sum("http_requests_total", &labels) - before.sum("http_requests_total", &labels)
    };
    let mut after;
    let mut tries = 0;
    loop {
        let Some(scraped) = scrape(s, "GET /metrics (after)") else {
            return;
        };
        after = scraped;
        tries += 1;
        let settled = expected
            .iter()
            .all(|(r, st, n)| delta(&before, &after, r, st) >= *n);
        if settled || tries >= 10 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    let summary = |m: &Metrics| -> String {
        m.samples
            .iter()
            .filter(|x| x.name.starts_with("http_request"))
            .filter(|x| {
                x.labels
                    .get("route")
                    .is_some_and(|r| r == template || r == "unmatched" || r.contains("/tasks/"))
            })
            .take(40)
            .map(|x| format!("{} {:?} {}", x.name, x.labels, x.value))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (name, kind) in [
        ("http_requests_total", "counter"),
        ("http_request_duration_seconds", "histogram"),
    ] {
        let declared = after
            .types
            .get(name)
            .or_else(|| after.types.get(name.trim_end_matches("_total")));
        if declared.map(String::as_str) != Some(kind) {
            s.fail(
                &format!("`# TYPE {name} {kind}` is missing (got {declared:?})"),
                summary(&after),
            );
        }
    }
    for (route, status, made) in expected {
        let delta = delta(&before, &after, route, status);
        if delta != made {
            s.fail(
                &format!("http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}} grew by {delta}, expected {made}"),
                format!("samples after:\n{}", summary(&after)),
            );
        }
    }
    let raw: Vec<String> = after
        .label_values("http_requests_total", "route")
        .into_iter()
        .filter(|r| {
            r.contains("e2e-unmatched")
                || r.trim_start_matches("/api/v1/tasks/")
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    if !raw.is_empty() {
        s.fail(
            &format!("route labels must be templates, found raw paths {raw:?}"),
            summary(&after),
        );
    }
    let hist = [("method", "GET"), ("route", template)];
    let count_delta = after.sum("http_request_duration_seconds_count", &hist)
        - before.sum("http_request_duration_seconds_count", &hist);
    let has_inf = after
        .matching("http_request_duration_seconds_bucket", &hist)
        .any(|b| b.labels.get("le").map(String::as_str) == Some("+Inf"));
    let has_sum = after
        .matching("http_request_duration_seconds_sum", &hist)
        .next()
        .is_some();
    if count_delta < 5.0 || !has_inf || !has_sum {
        s.fail(
            &format!("http_request_duration_seconds histogram for {template}: _count grew by {count_delta} (want >= 5), +Inf bucket {has_inf}, _sum {has_sum}"),
            summary(&after),
        );
    }
}

/// `/readyz` is 503 while the database is unreachable, `/healthz` stays 200, and readiness
/// comes back once the database does.
pub fn readiness_outage(s: &mut Suite) {
    let Some(outage) = s.target.outage else {
        return;
    };
    s.group("readiness");
    if let Err(e) = outage(true) {
        s.fail("could not make the database unreachable", e);
        return;
    }
    let slow = s.target.client.with_timeout(Duration::from_secs(60));
    let ex = s.call_with(&slow, Request::get("/readyz"), true);
    s.expect_problem(&ex, 503, "GET /readyz while the database is unreachable");
    let ex = s.call(Request::get("/healthz"));
    s.expect_status(
        &ex,
        200,
        "GET /healthz while the database is unreachable (no database access)",
    );
    if let Err(e) = outage(false) {
        s.fail("could not make the database reachable again", e);
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ex = s.call_with(&slow, Request::get("/readyz"), true);
        if ex.status() == Some(200) {
            break;
        }
        if Instant::now() > deadline {
            s.fail(
                "GET /readyz is not 200 again 30 s after the database came back",
                &ex,
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// One JSON object per line, the request id in the request's line, and no secret anywhere.
pub fn logs(s: &mut Suite) {
    let Some(path) = s.target.log_file else {
        return;
    };
    s.group("logs");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            s.fail(
                "cannot read the server log",
                format!("{}: {e}", path.display()),
            );
            return;
        }
    };
    let id = format!("e2e-req.ID_{}", s.run_id);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(&id)).collect();
    let json_line = lines
        .iter()
        .find(|l| serde_json::from_str::<Value>(l.trim()).is_ok_and(|v| v.is_object()));
    if json_line.is_none() {
        let shown = if lines.is_empty() {
            crate::e2e::report::tail(&text, 10)
        } else {
            lines.join("\n")
        };
        s.fail(
            &format!("no JSON log line carries the request id {id}"),
            format!("{}:\n{shown}", path.display()),
        );
    }
    let secrets = s.secrets.clone();
    for secret in secrets.iter().filter(|x| x.len() >= 8) {
        if let Some(line) = text.lines().find(|l| l.contains(secret.as_str())) {
            let shown = crate::e2e::http::excerpt(line.as_bytes(), 300);
            s.fail(
                "a password, token or JWT_SECRET appears in the server log",
                format!("{}: {shown}", path.display()),
            );
            break;
        }
    }
}
