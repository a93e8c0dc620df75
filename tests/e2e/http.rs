//! A minimal blocking HTTP/1.1 client over `std::net`, just enough for black-box contract checks.
//!
//! Why not a crate: the contract suite needs things ordinary clients make awkward. It must send any
//! method with any raw body (malformed JSON, 1 MiB + 1 bytes), never turn a 4xx into an error, keep
//! every response header in order, and read the answer a server sends *before* it has read the whole
//! request body (a 413 often arrives while we are still writing, and the server then closes the
//! socket). Each request opens its own connection with `Connection: close`, so there is no pooling
//! state to reason about when a check fails.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One request, kept whole so that a failed check can print exactly what was sent.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Request {
    pub fn new(method: &str, path: &str) -> Self {
        Request {
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// A JSON body from a value (always well-formed).
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.raw_json(serde_json::to_vec(value).expect("serialising a Value cannot fail"))
    }

    /// A body sent with `Content-Type: application/json`, whatever its bytes are.
    pub fn raw_json(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(body.into());
        self
    }

    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Display for Request {
    /// `POST /api/v1/tasks [Authorization: Bearer eyJhbGc…] body: {"title":"x"}`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        let shown: Vec<String> = self
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
            .map(|(n, v)| format!("{n}: {}", excerpt(v.as_bytes(), 60)))
            .collect();
        if !shown.is_empty() {
            write!(f, " [{}]", shown.join("; "))?;
        }
        if let Some(body) = &self.body {
            write!(f, " body ({} bytes): {}", body.len(), excerpt(body, 160))?;
        }
        Ok(())
    }
}

/// A response as received. `headers` keeps the server's order and spelling.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The media type of `Content-Type`, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", excerpt(v.as_bytes(), 80)))
            .collect();
        write!(f, " [{}]", headers.join("; "))?;
        write!(f, " body: {}", excerpt(&self.body, 400))
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The first `max` characters of a body, on one line, marked when cut.
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > max {
        let cut: String = one_line.chars().take(max).collect();
        format!("{cut}… ({} bytes)", bytes.len())
    } else if one_line.is_empty() {
        "(empty)".to_string()
    } else {
        one_line
    }
}

/// Talks to one server.
#[derive(Clone, Debug)]
pub struct Client {
    pub addr: SocketAddr,
    pub timeout: Duration,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Client {
            addr,
            timeout: Duration::from_secs(30),
        }
    }

    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Client {
            addr: self.addr,
            timeout,
        }
    }

    /// Sends the request and reads the whole response. `Err` only for transport failures
    /// (refused, reset before any status line, timeout, unparseable response).
    pub fn send(&self, req: &Request) -> Result<Response, String> {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))
            .map_err(|e| format!("connect to {}: {e}", self.addr))?;
        stream.set_read_timeout(Some(self.timeout)).ok();
        stream.set_write_timeout(Some(self.timeout)).ok();
        stream.set_nodelay(true).ok();

        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            req.method, req.path, self.addr
        );
        let has = |n: &str| req.header_value(n).is_some();
        if !has("user-agent") {
            head.push_str("User-Agent: folio-e2e\r\n");
        }
        if !has("accept") {
            head.push_str("Accept: application/json, */*\r\n");
        }
        for (name, value) in &req.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        match &req.body {
            Some(body) => head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len())),
            None if matches!(req.method.as_str(), "POST" | "PUT" | "PATCH") => {
                head.push_str("Content-Length: 0\r\n\r\n")
            }
            None => head.push_str("\r\n"),
        }
        stream
            .write_all(head.as_bytes())
            .map_err(|e| format!("write request head: {e}"))?;
        if let Some(body) = &req.body {
            write_body(&stream, body);
        }
        read_response(&mut stream)
    }
}

/// Writes the body in chunks, stopping early when the server has already answered or closed:
/// an early 413 is a legitimate answer, not a transport error.
fn write_body(mut stream: &TcpStream, body: &[u8]) {
    for chunk in body.chunks(64 * 1024) {
        if server_has_answered(stream) {
            return;
        }
        if stream.write_all(chunk).is_err() {
            return;
        }
    }
}

fn server_has_answered(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let answered = match stream.peek(&mut probe) {
        Ok(_) => true, // data, or 0 = closed
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).ok();
    answered
}

fn read_response(stream: &mut TcpStream) -> Result<Response, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    // Read until the end of the head.
    let head_end = loop {
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(format!(
                    "connection closed before a full response head ({} bytes read)",
                    buf.len()
                ));
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("reading the response head: {e}")),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status =
        parse_status_line(status_line).ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut rest = buf[head_end + 4..].to_vec();

    let chunked = find_header(&headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = find_header(&headers, "content-length").and_then(|v| v.parse::<usize>().ok());
    let no_body = status == 204 || status == 304 || (100..200).contains(&status);

    let complete = |rest: &[u8]| -> bool {
        if no_body {
            true
        } else if chunked {
            decode_chunked(rest).is_some()
        } else if let Some(len) = length {
            rest.len() >= len
        } else {
            false // read to EOF
        }
    };
    while !complete(&rest) {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => rest.extend_from_slice(&chunk[..n]),
            Err(e)
                if e.kind() == io::ErrorKind::ConnectionReset && length.is_none() && !chunked =>
            {
                break;
            }
            Err(e) => return Err(format!("reading the response body (status {status}): {e}")),
        }
    }
    let body = if no_body {
        Vec::new()
    } else if chunked {
        decode_chunked(&rest).ok_or_else(|| format!("truncated chunked body (status {status})"))?
    } else if let Some(len) = length {
        if rest.len() < len {
            return Err(format!(
                "body shorter than Content-Length {len} ({} bytes, status {status})",
                rest.len()
            ));
        }
        rest.truncate(len);
        rest
    } else {
        rest
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn parse_status_line(line: &str) -> Option<u16> {
    let mut parts = line.splitn(3, ' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes a complete chunked body; `None` while it is incomplete.
fn decode_chunked(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if data.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// A free TCP port on 127.0.0.1 (bind port 0, read it, release it).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// Serves one connection with a canned answer; returns what the client sent.
    fn serve_once(
        answer: &'static [u8],
        read_all: bool,
    ) -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while find(&got, b"\r\n\r\n").is_none() {
                let n = sock.read(&mut buf).unwrap();
                got.extend_from_slice(&buf[..n]);
            }
            if read_all {
                sock.set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                while let Ok(n) = sock.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
            }
            sock.write_all(answer).unwrap();
            got
        });
        (addr, handle)
    }

    #[test]
    fn reads_content_length_and_headers() {
        let (addr, server) = serve_once(
            b"HTTP/1.1 201 Created\r\nLocation: /api/v1/tasks/7\r\nContent-Length: 2\r\n\r\n{}",
            true,
        );
        let resp = Client::new(addr)
            .send(&Request::new("POST", "/x").raw_json("{\"a\":1}"))
            .unwrap();
        assert_eq!(resp.status, 201);
        assert_eq!(resp.header("location"), Some("/api/v1/tasks/7"));
        assert_eq!(resp.body, b"{}");
        let sent = String::from_utf8(server.join().unwrap()).unwrap();
        assert!(sent.starts_with("POST /x HTTP/1.1\r\n"), "{sent}");
        assert!(sent.contains("Content-Length: 7\r\n"), "{sent}");
        assert!(sent.ends_with("{\"a\":1}"), "{sent}");
    }

    #[test]
    fn decodes_chunked_bodies() {
        let (addr, _server) = serve_once(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n",
            false,
        );
        let resp = Client::new(addr).send(&Request::get("/")).unwrap();
        assert_eq!(resp.text(), "abcdefg");
    }

    #[test]
    fn an_early_answer_to_a_large_body_is_a_response_not_an_error() {
        // The server answers after the head without reading the 2 MiB body, then closes.
        let (addr, _server) = serve_once(
            b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            false,
        );
        let resp = Client::new(addr)
            .send(&Request::new("POST", "/big").raw_json(vec![b'a'; 2 << 20]))
            .unwrap();
        assert_eq!(resp.status, 413);
    }

    #[test]
    fn no_content_has_no_body() {
        let (addr, _server) =
            serve_once(b"HTTP/1.1 204 No Content\r\nX-Request-ID: a\r\n\r\n", false);
        let resp = Client::new(addr)
            .send(&Request::new("DELETE", "/t/1"))
            .unwrap();
        assert_eq!((resp.status, resp.body.len()), (204, 0));
    }

    #[test]
    fn excerpts_are_one_line_and_bounded() {
        assert_eq!(excerpt(b"a\nb", 10), "a b");
        assert_eq!(excerpt(b"", 10), "(empty)");
        assert!(excerpt(&[b'x'; 50], 10).starts_with("xxxxxxxxxx… (50 bytes)"));
    }
}
