//! The worker's settings (docs/contract.md, "Processes and settings"), read by `Config`.

use std::time::Duration;

/// Where deliveries are sent from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    /// The server runs the worker beside the API: one command runs everything.
    InProcess,
    /// The server only enqueues; `<binary> worker` delivers (scaled on its own).
    Off,
}

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub worker: WorkerMode,
    pub poll_interval: Duration,
    /// Where the separate worker process serves `/healthz` and `/metrics`.
    pub worker_port: u16,
    /// Connect timeout and read timeout of one attempt, each.
    pub timeout: Duration,
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Lifts the SSRF guard for 127/8 and ::1 (development and tests only).
    pub allow_loopback: bool,
    /// Production rules for endpoint URLs (`localhost` and literal private IPs are 422).
    pub production: bool,
}

impl WebhookSettings {
    /// How long a claimed row stays leased to its worker: an attempt cannot take longer than
    /// connect + read timeouts, and the margin covers a slow database.
    pub fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(30)
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            worker: WorkerMode::InProcess,
            poll_interval: Duration::from_millis(1000),
            worker_port: 9100,
            timeout: Duration::from_secs(5),
            max_attempts: 10,
            backoff_base: Duration::from_millis(1000),
            backoff_max: Duration::from_millis(3_600_000),
            allow_loopback: false,
            production: false,
        }
    }
}
