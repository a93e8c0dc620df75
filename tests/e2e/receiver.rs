//! A webhook receiver on 127.0.0.1 for the contract suite: it records every request it gets and
//! answers each path with the statuses it was told to (then 200), so the suite can watch
//! deliveries, retries and signatures arrive.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The most a delivery body may be before the receiver stops reading (deliveries are small).
const MAX_BODY: usize = 1 << 20;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub method: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// The status the receiver answered with.
    pub answered: u16,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Statuses to answer per path, in order; 200 once they run out.
    plans: HashMap<String, VecDeque<u16>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    pub fn start() -> std::io::Result<Receiver> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, halt) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            while !halt.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let st = st.clone();
                        std::thread::spawn(move || serve(stream, &st));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Receiver { addr, state, stop })
    }

    /// The URL of `path` on this receiver, e.g. `http://127.0.0.1:PORT/hooks/a`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers the next requests to `path` with `statuses`, in order (then 200).
    pub fn plan(&self, path: &str, statuses: &[u16]) {
        let mut state = self.state.lock().unwrap();
        state
            .plans
            .insert(path.to_string(), statuses.iter().copied().collect());
    }

    /// Every request to `path` so far.
    pub fn requests(&self, path: &str) -> Vec<Received> {
        let state = self.state.lock().unwrap();
        state
            .received
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Waits up to `timeout` until `done` holds for the requests to `path`; returns them.
    pub fn wait_for(
        &self,
        path: &str,
        timeout: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> (bool, Vec<Received>) {
        let start = Instant::now();
        loop {
            let got = self.requests(path);
            if done(&got) {
                return (true, got);
            }
            if start.elapsed() > timeout {
                return (false, got);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    // Keep-alive: serve requests on this connection until the client closes it.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, path) = (method.to_string(), path.to_string());
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let mut body = Vec::new();
        if headers
            .get("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
        {
            if read_chunked(&mut reader, &mut body).is_err() {
                return;
            }
        } else {
            let len: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if len > MAX_BODY {
                return;
            }
            body.resize(len, 0);
            if reader.read_exact(&mut body).is_err() {
                return;
            }
        }
        let answered = {
            let mut st = state.lock().unwrap();
            let status = st
                .plans
                .get_mut(&path)
                .and_then(VecDeque::pop_front)
                .unwrap_or(200);
            st.received.push(Received {
                path,
                method,
                headers,
                body,
                answered: status,
                at: Instant::now(),
            });
            status
        };
        let reason = if answered < 300 { "OK" } else { "Error" };
        let text = format!("{{\"status\":{answered}}}");
        let reply = format!(
            "HTTP/1.1 {answered} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn read_chunked(reader: &mut impl BufRead, body: &mut Vec<u8>) -> Result<(), ()> {
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).map_err(|_| ())?;
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| ())?;
        if size == 0 {
            // Trailer section: lines until an empty one.
            loop {
                let mut t = String::new();
                reader.read_line(&mut t).map_err(|_| ())?;
                if t.trim().is_empty() {
                    return Ok(());
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).map_err(|_| ())?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).map_err(|_| ())?;
    }
}

/// Checks a Standard Webhooks signature: one of the space-separated `v1,<base64>` entries of
/// `Webhook-Signature` must be HMAC-SHA256 of `id.timestamp.body` keyed with the base64-decoded
/// part of `secret` after `whsec_`.
pub fn verify(secret: &str, id: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(encoded) = secret.strip_prefix("whsec_") else {
        return false;
    };
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let Ok(key) = lenient.decode(encoded) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return false;
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    signature
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .any(|sig| sig == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, id: &str, ts: &str, body: &[u8]) -> String {
        let key = base64::engine::general_purpose::STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn a_signature_verifies_and_a_tampered_body_does_not() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(secret, "msg_1", "1700000000", b"{\"a\":1}");
        assert!(verify(secret, "msg_1", "1700000000", b"{\"a\":1}", &sig));
        assert!(verify(
            secret,
            "msg_1",
            "1700000000",
            b"{\"a\":1}",
            &format!("v1,AAAA {sig}")
        ));
        assert!(!verify(secret, "msg_1", "1700000000", b"{\"a\":2}", &sig));
        assert!(!verify(secret, "msg_2", "1700000000", b"{\"a\":1}", &sig));
        assert!(!verify(secret, "msg_1", "1700000001", b"{\"a\":1}", &sig));
        assert!(!verify("nope", "msg_1", "1700000000", b"{\"a\":1}", &sig));
    }

    #[test]
    fn the_receiver_records_and_answers_as_planned() {
        let receiver = Receiver::start().unwrap();
        receiver.plan("/p", &[500]);
        let client = crate::e2e::http::Client::new(receiver.addr);
        let first = client
            .send(&crate::e2e::http::Request::new("POST", "/p").json(&serde_json::json!({"x": 1})))
            .unwrap();
        let second = client
            .send(&crate::e2e::http::Request::new("POST", "/p").json(&serde_json::json!({"x": 2})))
            .unwrap();
        assert_eq!((first.status, second.status), (500, 200));
        let (done, got) = receiver.wait_for("/p", Duration::from_secs(2), |r| r.len() == 2);
        assert!(done);
        assert_eq!(got[1].json().unwrap()["x"], 2);
        assert_eq!(got[0].answered, 500);
        assert!(receiver.requests("/other").is_empty());
    }
}
