//! A webhook receiver on 127.0.0.1 for the tests: records every request it gets and answers
//! from a script (e.g. three 500s, then 200s), so retries, timeouts and signatures can be
//! checked end to end against the real worker.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tokio::sync::Notify;

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    Status(u16),
    /// Sleeps this long before answering 200: longer than the worker's timeout, a timeout.
    Hang(Duration),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub content_type: String,
    pub body: Bytes,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the event body is JSON")
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Reply>>,
    arrived: Notify,
}

pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`
    pub url: String,
    shared: Arc<Shared>,
}

impl Receiver {
    /// Starts a receiver that answers `script` in order, then 200 to everything.
    pub async fn start(script: &[Reply]) -> Self {
        let shared = Arc::new(Shared::default());
        shared.script.lock().unwrap().extend(script.iter().copied());
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` requests arrived; panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let arrived = self.shared.arrived.notified();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "expected {count} webhook requests within {limit:?}, got {}",
                received.len()
            );
            let _ = tokio::time::timeout(left, arrived).await;
        }
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let reply = shared.script.lock().unwrap().pop_front();
    shared.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
        signature: header("webhook-signature"),
        content_type: header("content-type"),
        body,
        at: Instant::now(),
    });
    shared.arrived.notify_waiters();
    match reply {
        None => StatusCode::OK,
        Some(Reply::Status(code)) => StatusCode::from_u16(code).unwrap(),
        Some(Reply::Hang(duration)) => {
            tokio::time::sleep(duration).await;
            StatusCode::OK
        }
    }
}
