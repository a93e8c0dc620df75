//! The API-contract item of `--run-tests`: a small subset of the checks `scripts/e2e` runs,
//! against the student's server started with the stack's `run` command.
//!
//! What it checks (docs/grading.md repeats it): `GET /healthz` answers 200 `{"status":"ok"}`;
//! a user registers (201) and logs in (200 with an `access_token`); the task list refuses a
//! request without a token (401); a task is created (201 with a `Location`), read back (200),
//! updated (`PATCH`, 200 with the change); another user gets 404 for it (owner-only); it is
//! deleted (204), after which reading it is a 404 `application/problem+json`.
//! Each probe is worth the same share of the item.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use crate::grade::runner::{kill_group, spawn};

/// One probe and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// The item's evidence: whether the server came up, and each probe.
#[derive(Debug, Clone, Serialize)]
pub struct ContractRun {
    pub started: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub probes: Vec<Probe>,
    pub process_group: Option<u32>,
}

impl ContractRun {
    pub fn passed(&self) -> usize {
        self.probes.iter().filter(|p| p.passed).count()
    }
}

/// The names of every probe, in order, so a server that never starts fails them all.
pub const PROBES: [&str; 10] = [
    "health",
    "register",
    "login",
    "token-required",
    "create-task",
    "read-task",
    "update-task",
    "owner-only",
    "delete-task",
    "deleted-is-problem-404",
];

/// A secret of the allowed length for the server's JWTs (never a real one).
const JWT_SECRET: &str = "folio-grade-jwt-secret-0123456789abcdef";

pub fn check(run: &str, dir: &Path, log: &Path, start_timeout: Duration) -> ContractRun {
    let failed_all = |detail: String, pgid: Option<u32>| ContractRun {
        started: false,
        probes: PROBES
            .iter()
            .map(|name| Probe {
                name,
                passed: false,
                detail: "the server did not start".into(),
            })
            .collect(),
        detail: Some(detail),
        process_group: pgid,
    };
    let Some(port) = free_port() else {
        return failed_all("no free port on 127.0.0.1".into(), None);
    };
    let env = [
        ("PORT", port.to_string()),
        ("HOST", "127.0.0.1".to_string()),
        ("JWT_SECRET", JWT_SECRET.to_string()),
        ("APP_ENV", "development".to_string()),
        ("MIGRATE_ON_START", "true".to_string()),
        ("AUTH_RATE_LIMIT_PER_IP", "0".to_string()),
    ];
    let mut child = match spawn(run, dir, &env, log) {
        Ok(child) => child,
        Err(e) => return failed_all(format!("could not start `{run}`: {e}"), None),
    };
    let pgid = child.id();
    let begin = Instant::now();
    let up = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Err(format!(
                "`{run}` exited ({status}) before answering /healthz"
            ));
        }
        if request(port, "GET", "/healthz", None, None).is_ok_and(|r| r.status == 200) {
            break Ok(());
        }
        if begin.elapsed() > start_timeout {
            break Err(format!(
                "/healthz did not answer 200 within {} s",
                start_timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let result = match up {
        Ok(()) => ContractRun {
            started: true,
            detail: None,
            probes: probe(port),
            process_group: Some(pgid),
        },
        Err(detail) => failed_all(detail, Some(pgid)),
    };
    kill_group(pgid);
    let _ = child.wait();
    result
}

fn probe(port: u16) -> Vec<Probe> {
    let mut probes = Vec::new();
    let mut record = |name: &'static str, outcome: Result<String, String>| {
        let passed = outcome.is_ok();
        probes.push(Probe {
            name,
            passed,
            detail: outcome.unwrap_or_else(|e| e),
        });
        passed
    };
    let call = |method: &str, path: &str, body: Option<&Value>, token: Option<&str>| {
        request(port, method, path, body, token)
    };
    let expect = |r: &Response, status: u16, what: &str| -> Result<String, String> {
        if r.status == status {
            Ok(format!("{what}: {status}"))
        } else {
            Err(format!(
                "{what}: expected {status}, got {} {}",
                r.status,
                r.snippet()
            ))
        }
    };

    let health = call("GET", "/healthz", None, None).and_then(|r| {
        expect(&r, 200, "GET /healthz")?;
        if r.json()["status"] == "ok" {
            Ok("GET /healthz: 200 {\"status\":\"ok\"}".into())
        } else {
            Err(format!("GET /healthz: body {}", r.snippet()))
        }
    });
    record("health", health);

    let tag = std::process::id();
    let user = |who: &str| json!({"email": format!("{who}-{tag}@example.org"), "password": "correct-horse-battery"});
    let register = |who: &str| -> Result<String, String> {
        let r = call("POST", "/api/v1/auth/register", Some(&user(who)), None)?;
        expect(&r, 201, "POST /api/v1/auth/register")
    };
    let login = |who: &str| -> Result<String, String> {
        let r = call("POST", "/api/v1/auth/login", Some(&user(who)), None)?;
        expect(&r, 200, "POST /api/v1/auth/login")?;
        r.json()["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("login: no access_token in {}", r.snippet()))
    };
    record("register", register("ada"));
    let token = login("ada");
    record(
        "login",
        token
            .as_ref()
            .map(|_| "POST /api/v1/auth/login: 200 with a token".into())
            .map_err(Clone::clone),
    );
    let token = token.ok();

    let anonymous = call("GET", "/api/v1/tasks", None, None)
        .and_then(|r| expect(&r, 401, "GET /api/v1/tasks without a token"));
    record("token-required", anonymous);

    let need = || "needs the login probe to pass".to_string();
    let created = token.as_deref().ok_or_else(need).and_then(|t| {
        let r = call(
            "POST",
            "/api/v1/tasks",
            Some(&json!({"title": "grade probe"})),
            Some(t),
        )?;
        expect(&r, 201, "POST /api/v1/tasks")?;
        let id = r.json()["id"].clone();
        let id = id
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| id.to_string());
        match r.header("location") {
            Some(location) if location.ends_with(&format!("/api/v1/tasks/{id}")) => Ok(id),
            other => Err(format!(
                "POST /api/v1/tasks: Location is {other:?}, not /api/v1/tasks/{id}"
            )),
        }
    });
    let task = created.as_ref().ok().cloned();
    record(
        "create-task",
        created.map(|id| format!("POST /api/v1/tasks: 201, Location /api/v1/tasks/{id}")),
    );

    let with_task = || -> Result<(&str, &str), String> {
        Ok((
            token.as_deref().ok_or_else(need)?,
            task.as_deref()
                .ok_or("needs the create-task probe to pass")?,
        ))
    };
    let read = with_task().and_then(|(t, id)| {
        let r = call("GET", &format!("/api/v1/tasks/{id}"), None, Some(t))?;
        expect(&r, 200, "GET /api/v1/tasks/{id}")?;
        if r.json()["title"] == "grade probe" {
            Ok("GET /api/v1/tasks/{id}: 200, the task".into())
        } else {
            Err(format!("GET /api/v1/tasks/{{id}}: body {}", r.snippet()))
        }
    });
    record("read-task", read);

    let update = with_task().and_then(|(t, id)| {
        let r = call(
            "PATCH",
            &format!("/api/v1/tasks/{id}"),
            Some(&json!({"done": true})),
            Some(t),
        )?;
        expect(&r, 200, "PATCH /api/v1/tasks/{id}")?;
        if r.json()["done"] == true {
            Ok("PATCH /api/v1/tasks/{id}: 200, done is true".into())
        } else {
            Err(format!("PATCH /api/v1/tasks/{{id}}: body {}", r.snippet()))
        }
    });
    record("update-task", update);

    let other = with_task().and_then(|(_, id)| {
        register("bob")?;
        let bob = login("bob")?;
        let r = call("GET", &format!("/api/v1/tasks/{id}"), None, Some(&bob))?;
        expect(&r, 404, "another user's GET /api/v1/tasks/{id}")
    });
    record("owner-only", other);

    let delete = with_task().and_then(|(t, id)| {
        let r = call("DELETE", &format!("/api/v1/tasks/{id}"), None, Some(t))?;
        expect(&r, 204, "DELETE /api/v1/tasks/{id}")
    });
    record("delete-task", delete);

    let gone = with_task().and_then(|(t, id)| {
        let r = call("GET", &format!("/api/v1/tasks/{id}"), None, Some(t))?;
        expect(&r, 404, "GET of a deleted task")?;
        let kind = r.header("content-type").unwrap_or("");
        if kind.starts_with("application/problem+json") {
            Ok("GET of a deleted task: 404 application/problem+json".into())
        } else {
            Err(format!(
                "GET of a deleted task: Content-Type is {kind:?}, not application/problem+json"
            ))
        }
    });
    record("deleted-is-problem-404", gone);
    probes
}

fn free_port() -> Option<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).ok()?;
    listener.local_addr().ok().map(|a| a.port())
}

/// An HTTP response, as much as the probes need.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        crate::answers::one_line(&text, 160)
    }
}

/// One HTTP/1.1 request with `Connection: close` (a tiny client: the probes need no more).
fn request(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Result<Response, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("{method} {path}: cannot connect: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(15)));
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\nContent-Length: {}\r\n",
        payload.len()
    );
    if body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(payload.as_bytes()))
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .take(4 << 20)
        .read_to_end(&mut raw)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    parse_response(&raw).ok_or_else(|| format!("{method} {path}: not an HTTP response"))
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn responses_parse_plain_and_chunked() {
        let plain = super::parse_response(
            b"HTTP/1.1 201 Created\r\nLocation: /a\r\nContent-Length: 2\r\n\r\n{}",
        )
        .unwrap();
        assert_eq!((plain.status, plain.header("location")), (201, Some("/a")));
        let chunked = super::parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.json()["a"], 1);
    }
}
