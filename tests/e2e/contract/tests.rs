//! Fast tests of the suite itself against tiny fake servers in this process: it must never panic
//! on nonsense, and a server that breaks a rule must be reported by the check's name.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread;

use serde_json::json;

use super::{Target, run};
use crate::e2e::http::Client;
use crate::e2e::jwt::{self, Alg};
use crate::e2e::report::Report;

/// What a fake handler sees: method, path, body.
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Seen) -> (u16, Vec<(String, String)>, Vec<u8>) + Send + Sync;

/// Serves `handler` on 127.0.0.1 on a background thread for the rest of the test process.
pub fn fake_server(handler: Arc<Handler>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handler = Arc::clone(&handler);
            thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 65536];
                let head_end = loop {
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p;
                    }
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let (method, path) = (
                    first.next().unwrap_or("").to_string(),
                    first.next().unwrap_or("").to_string(),
                );
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let len = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0usize);
                let mut body = buf[head_end + 4..].to_vec();
                while body.len() < len {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                    }
                }
                let (status, resp_headers, resp_body) = handler(&Seen { method, path, body });
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    resp_body.len()
                );
                for (n, v) in resp_headers {
                    out.push_str(&format!("{n}: {v}\r\n"));
                }
                out.push_str("\r\n");
                let _ = stream.write_all(out.as_bytes());
                let _ = stream.write_all(&resp_body);
            });
        }
    });
    addr
}

fn target(addr: SocketAddr) -> Target<'static> {
    Target {
        client: Client::new(addr),
        jwt_secret: "e2e-test-secret",
        jwt_ttl_seconds: 900,
        log_file: None,
        outage: None,
        committed_openapi: None,
    }
}

#[test]
fn a_server_answering_nonsense_fails_loudly_without_panicking() {
    let addr = fake_server(Arc::new(|_| (200, vec![], b"{}".to_vec())));
    let mut report = Report::new("fake/none");
    run(&target(addr), &mut report);
    let text = report.to_string();
    for expected in [
        "[fake/none] ops: GET /healthz: body should be",
        "every response: X-Request-ID header missing on",
        "every response: X-Content-Type-Options: nosniff header missing on",
        "login: cannot register user login: expected 201",
        "errors: unknown route GET /api/v1/no-such-route: expected 404",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        text.contains("request:  GET /healthz"),
        "failures name the request:\n{text}"
    );
    assert!(
        text.contains("response: 200 ["),
        "failures name the response:\n{text}"
    );
}

#[test]
fn a_server_that_accepts_any_token_is_caught_per_token_case() {
    // Registration and login work; /users/me answers 200 whatever the token.
    let addr = fake_server(Arc::new(|seen: &Seen| {
        let json = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("X-Request-ID".into(), "r".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
        ];
        let now = jwt::now();
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/api/v1/auth/register") => {
                let email: serde_json::Value =
                    serde_json::from_slice(&seen.body).unwrap_or_default();
                (
                    201,
                    json,
                    json!({"id": 1, "email": email["email"], "created_at": "2026-01-01T00:00:00Z"})
                        .to_string()
                        .into_bytes(),
                )
            }
            ("POST", "/api/v1/auth/login") => {
                let token = jwt::forge(
                    Alg::Hs256,
                    b"e2e-test-secret",
                    &jwt::claims("1", now, now + 900),
                );
                (
                    200,
                    json,
                    json!({"access_token": token, "token_type": "Bearer", "expires_in": 900})
                        .to_string()
                        .into_bytes(),
                )
            }
            _ => (
                200,
                json,
                json!({"id": 1, "email": "x@example.com", "created_at": "2026-01-01T00:00:00Z"})
                    .to_string()
                    .into_bytes(),
            ),
        }
    }));
    let mut report = Report::new("fake/tokens");
    run(&target(addr), &mut report);
    let text = report.to_string();
    for case in [
        "missing Authorization header",
        "expired token",
        "alg:none token",
        "tampered signature (sub changed)",
        "HS512 token (only HS256 is accepted)",
        "token of a user that does not exist",
    ] {
        assert!(
            text.contains(&format!("[fake/tokens] tokens: {case}: expected 401")),
            "{case} not reported in:\n{text}"
        );
    }
    assert!(
        !text.contains("every response: X-Request-ID"),
        "headers were present:\n{text}"
    );
}

/// A server whose auth works but that has none of issue 18's defences: it judges every login,
/// takes any media type and any offset, is slow on long emails, and labels metrics by the raw
/// method. Every hardening group must name its defect.
#[test]
fn a_server_without_the_hardening_is_caught_group_by_group() {
    let addr = fake_server(Arc::new(|seen: &Seen| {
        let headers = |media: &str| {
            vec![
                ("Content-Type".to_string(), media.to_string()),
                ("X-Request-ID".into(), "r".into()),
                ("X-Content-Type-Options".into(), "nosniff".into()),
                ("WWW-Authenticate".into(), "Bearer".into()),
            ]
        };
        let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        let now = jwt::now();
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/api/v1/auth/register") => {
                if seen.body.len() > 100_000 && body["email"].as_str().is_some_and(|e| e.ends_with("example.com")) {
                    // A backtracking pattern at work.
                    thread::sleep(std::time::Duration::from_millis(1100));
                }
                (
                    201,
                    headers("application/json"),
                    json!({"id": 1, "email": body["email"], "created_at": "2026-01-01T00:00:00Z"})
                        .to_string()
                        .into_bytes(),
                )
            }
            ("POST", "/api/v1/auth/login") if body["password"].as_str().is_some_and(|p| p.starts_with("wrong")) => (
                401,
                headers("application/problem+json"),
                json!({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "no"})
                    .to_string()
                    .into_bytes(),
            ),
            ("POST", "/api/v1/auth/login") => {
                let token = jwt::forge(Alg::Hs256, b"e2e-test-secret", &jwt::claims("1", now, now + 900));
                (
                    200,
                    headers("application/json"),
                    json!({"access_token": token, "token_type": "Bearer", "expires_in": 900})
                        .to_string()
                        .into_bytes(),
                )
            }
            ("GET", "/metrics") => (
                200,
                headers("text/plain; version=0.0.4"),
                b"http_requests_total{method=\"BREW\",route=\"unmatched\",status=\"404\"} 1\n".to_vec(),
            ),
            _ => (200, headers("application/json"), b"{\"items\": []}".to_vec()),
        }
    }));
    let mut report = Report::new("fake/soft");
    run(&target(addr), &mut report);
    let text = report.to_string();
    for expected in [
        "long emails: 128,000-character email on /api/v1/auth/register: expected 422",
        "long emails: 128,000-character email on /api/v1/auth/register: answered in",
        "long emails: 128,000-character email without a dot after the @ on /api/v1/auth/login: expected 422",
        "concurrent logins: 30 concurrent wrong logins for one email: 30 were judged (401) and 0 waited",
        "media types: POST /api/v1/auth/register with Content-Type: text/plain: expected 415",
        "media types: PATCH /api/v1/tasks/1 with Content-Type: application/xml: expected 415",
        "methods: PUT /api/v1/tasks: expected 405",
        "query bounds: GET /api/v1/tasks?offset=9223372036854775808: expected 422",
        "query bounds: GET /api/v1/tasks?limit=1e400: expected 422",
        "metric cardinality: http_requests_total has `method` values outside",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
