//! The delivery worker: claims due rows, POSTs each signed event, and records the outcome.
//!
//! Up to `CONCURRENCY` deliveries run at once, so one slow receiver does not hold up everyone
//! else's events. The loop wakes on a timer (`JOBS_POLL_INTERVAL_MS`) and, in-process, right
//! after a commit that enqueued a row. On shutdown it stops claiming, lets the deliveries in
//! hand finish (each is bounded by its timeouts), and puts back any it had to abort.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::clock;
use crate::db::Db;
use crate::webhooks::WebhookSettings;
use crate::webhooks::signature;
use crate::webhooks::ssrf::{self, Refusal, Target};
use crate::webhooks::store::{self, Claimed, Outcome};

pub const JOBS_TOTAL: &str = "background_jobs_total";
pub const QUEUE_DEPTH: &str = "background_jobs_queue_depth";
pub const DELIVERY_DURATION: &str = "webhook_delivery_duration_seconds";
pub const JOB_TYPE: &str = "webhook_delivery";

/// Deliveries one worker sends at once.
pub const CONCURRENCY: usize = 8;
/// The most of a receiver's answer that is read; the rest is dropped unread.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The random delay before the next attempt after `failed` failed attempts: uniform in
/// [d/2, d] with d = min(base x 2^(failed-1), max). The jitter spreads retries of many events
/// that failed together (a receiver outage) instead of sending them back in one burst.
pub fn backoff(failed: u32, base: Duration, max: Duration) -> Duration {
    let exponent = failed.saturating_sub(1).min(32);
    let ceiling = base.saturating_mul(1_u32 << exponent.min(31)).min(max);
    let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    let floor_ms = ceiling_ms / 2;
    Duration::from_millis(rand::random_range(floor_ms..=ceiling_ms))
}

/// Describes the job metrics once per process.
pub fn describe_metrics() {
    metrics::describe_counter!(JOBS_TOTAL, "Background jobs finished, by type and outcome.");
    metrics::describe_gauge!(QUEUE_DEPTH, "Background jobs waiting for an attempt.");
    metrics::describe_histogram!(
        DELIVERY_DURATION,
        metrics::Unit::Seconds,
        "Duration of each webhook delivery attempt that sent a request."
    );
}

/// Reads the queue depth from the database into the gauge.
pub async fn refresh_queue_depth(db: &Db) {
    match store::queue_depth(db).await {
        Ok(depth) => {
            #[allow(clippy::cast_precision_loss)] // a queue of 2^52 rows is not a concern
            metrics::gauge!(QUEUE_DEPTH, "type" => JOB_TYPE).set(depth as f64);
        }
        Err(err) => tracing::warn!(error = %err, "cannot read the job queue depth"),
    }
}

#[derive(Clone)]
pub struct Worker {
    db: Db,
    settings: Arc<WebhookSettings>,
    wake: Arc<Notify>,
}

impl Worker {
    /// `wake` is the handle the API notifies after enqueueing (`AppState::wake_worker`).
    pub fn new(db: Db, settings: WebhookSettings, wake: Arc<Notify>) -> Self {
        describe_metrics();
        // HTTPS uses rustls on ring; an error only means a provider is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            db,
            settings: Arc::new(settings),
            wake,
        }
    }

    /// Runs until `shutdown` resolves, then drains the deliveries in hand.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(concurrency = CONCURRENCY, "webhook worker started");
        tokio::pin!(shutdown);
        let mut in_hand = InHand::default();
        let mut ticker = tokio::time::interval(self.settings.poll_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            self.claim_into(&mut in_hand).await;
            tokio::select! {
                () = &mut shutdown => break,
                _ = ticker.tick() => refresh_queue_depth(&self.db).await,
                () = self.wake.notified() => {}
                () = in_hand.join_next(), if !in_hand.is_empty() => {}
            }
        }
        self.drain(in_hand).await;
        tracing::info!("webhook worker stopped");
    }

    /// Claims due rows until `CONCURRENCY` deliveries are running or none is due.
    async fn claim_into(&self, in_hand: &mut InHand) {
        while in_hand.len() < CONCURRENCY {
            let now = clock::now();
            let until = now + self.settings.lease();
            match store::claim(&self.db, now, until).await {
                Ok(Some(job)) => {
                    let worker = self.clone();
                    let id = job.id;
                    in_hand.spawn(id, async move { worker.process(job).await });
                }
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot claim webhook deliveries");
                    return;
                }
            }
        }
    }

    /// Waits for the deliveries in hand, each bounded by its timeouts; any still running after
    /// that is aborted and its row put back to `pending`, unchanged, for the next worker.
    async fn drain(&self, mut in_hand: InHand) {
        let bound = self.settings.timeout * 2 + Duration::from_secs(1);
        let _ = tokio::time::timeout(bound, async {
            while !in_hand.is_empty() {
                in_hand.join_next().await;
            }
        })
        .await;
        for id in in_hand.abort_all().await {
            tracing::warn!(delivery_id = id, "delivery aborted at shutdown, released");
            if let Err(err) = store::release(&self.db, id).await {
                tracing::warn!(delivery_id = id, error = %err, "cannot release; its lease expires");
            }
        }
    }

    /// Sends one claimed delivery and records what happened.
    pub async fn process(&self, job: Claimed) {
        let outcome = self.attempt(&job).await;
        let label = match &outcome {
            Outcome::Delivered { .. } => "delivered",
            Outcome::Failed {
                next_attempt_at: Some(_),
                ..
            } => "retry",
            Outcome::Failed { .. } | Outcome::Refused { .. } => "dead",
            Outcome::Cancelled => "cancelled",
        };
        if let Err(err) =
            store::finish(&self.db, job.id, job.attempts, &outcome, clock::now()).await
        {
            // The lease returns the row to the queue: at-least-once, never lost.
            tracing::error!(delivery_id = job.id, error = %err, "cannot record a webhook outcome");
            return;
        }
        metrics::counter!(JOBS_TOTAL, "type" => JOB_TYPE, "outcome" => label).increment(1);
        tracing::info!(delivery_id = job.id, event_id = %job.event_id, outcome = label, "webhook delivery");
    }

    /// Decides the outcome of one attempt: cancelled, refused, delivered or failed.
    async fn attempt(&self, job: &Claimed) -> Outcome {
        let endpoint = match store::find_endpoint(&self.db, job.user_id).await {
            Ok(Some(endpoint)) => endpoint,
            Ok(None) => return Outcome::Cancelled,
            Err(err) => return self.failed(job, None, format!("database error: {err}")),
        };
        let Ok(key) = signature::decode_secret(&endpoint.secret) else {
            return Outcome::Refused {
                error: "the endpoint's secret is not a valid whsec_ secret".into(),
            };
        };
        let Ok(url) = ::url::Url::parse(&endpoint.url) else {
            return Outcome::Refused {
                error: "the endpoint URL does not parse".into(),
            };
        };
        let target = match ssrf::check_target(&url, self.settings.allow_loopback).await {
            Ok(target) => target,
            Err(Refusal::Refused(error)) => return Outcome::Refused { error },
            Err(Refusal::Unresolvable(error)) => return self.failed(job, None, error),
        };
        let client = match self.client(&target) {
            Ok(client) => client,
            Err(err) => return self.failed(job, None, format!("HTTP client: {err}")),
        };

        let timestamp = OffsetDateTime::now_utc().unix_timestamp();
        let body = job.payload.as_bytes();
        let signature = signature::sign(&key, &job.event_id, timestamp, body);
        let started = Instant::now();
        let result = send(
            &client,
            url,
            &job.event_id,
            timestamp,
            &signature,
            body.to_vec(),
        )
        .await;
        metrics::histogram!(DELIVERY_DURATION).record(started.elapsed().as_secs_f64());
        match result {
            Ok(status) if (200..300).contains(&status) => Outcome::Delivered {
                status_code: i32::from(status),
            },
            Ok(status) => self.failed(job, Some(i32::from(status)), format!("HTTP {status}")),
            Err(error) => self.failed(job, None, error),
        }
    }

    /// A failed attempt: retried after a backoff, or dead once the attempts are used up.
    fn failed(&self, job: &Claimed, status_code: Option<i32>, error: String) -> Outcome {
        let failed = u32::try_from(job.attempts).unwrap_or(0) + 1;
        let next_attempt_at = (failed < self.settings.max_attempts).then(|| {
            clock::now()
                + backoff(
                    failed,
                    self.settings.backoff_base,
                    self.settings.backoff_max,
                )
        });
        Outcome::Failed {
            status_code,
            error,
            next_attempt_at,
        }
    }

    /// A client for one attempt: no redirects, no proxy (a proxy would connect on our behalf
    /// to an address we never checked), timeouts, and the host pinned to the checked addresses.
    fn client(&self, target: &Target) -> reqwest::Result<reqwest::Client> {
        let timeout = self.settings.timeout;
        let mut builder = reqwest::Client::builder()
            .redirect(Policy::none())
            .no_proxy()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .timeout(timeout * 2)
            .pool_max_idle_per_host(0)
            .user_agent(concat!("webhooks/", env!("CARGO_PKG_VERSION")));
        if let Target::Resolved { host, addrs } = target {
            builder = builder.resolve_to_addrs(host, addrs);
        }
        builder.build()
    }
}

/// The deliveries running in this worker, by delivery id, so that shutdown knows which rows
/// to put back.
#[derive(Default)]
struct InHand {
    tasks: JoinSet<()>,
    ids: HashMap<tokio::task::Id, i64>,
}

impl InHand {
    fn len(&self) -> usize {
        self.tasks.len()
    }

    fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    fn spawn(&mut self, delivery_id: i64, task: impl Future<Output = ()> + Send + 'static) {
        let handle = self.tasks.spawn(task);
        self.ids.insert(handle.id(), delivery_id);
    }

    /// Waits for one delivery to end (pending forever when there is none).
    async fn join_next(&mut self) {
        match self.tasks.join_next_with_id().await {
            Some(Ok((id, ()))) => {
                self.ids.remove(&id);
            }
            Some(Err(err)) => {
                self.ids.remove(&err.id());
                tracing::error!(error = %err, "a webhook delivery task failed");
            }
            None => std::future::pending().await,
        }
    }

    /// Aborts what is still running; the ids of the deliveries that were cut off.
    async fn abort_all(mut self) -> Vec<i64> {
        self.tasks.shutdown().await;
        self.ids.into_values().collect()
    }
}

/// POSTs the body and reads at most `MAX_RESPONSE_BYTES` of the answer; the status code, or
/// why there is none.
async fn send(
    client: &reqwest::Client,
    url: ::url::Url,
    event_id: &str,
    timestamp: i64,
    signature: &str,
    body: Vec<u8>,
) -> Result<u16, String> {
    let mut response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(describe)?;
    let status = response.status().as_u16();
    let mut read = 0;
    while read < MAX_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            Ok(None) => break,
            Err(err) => return Err(describe(err)),
        }
    }
    Ok(status)
}

/// A short, log-safe reason for a failed request.
fn describe(err: reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "connection failed".to_owned()
    } else {
        let mut text = err.without_url().to_string();
        text.truncate(200);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let base = Duration::from_millis(1000);
        let max = Duration::from_millis(3_600_000);
        for _ in 0..200 {
            let first = backoff(1, base, max);
            assert!(
                first >= Duration::from_millis(500) && first <= base,
                "{first:?}"
            );
            let third = backoff(3, base, max);
            assert!(
                third >= Duration::from_millis(2000) && third <= Duration::from_millis(4000),
                "{third:?}"
            );
            let late = backoff(40, base, max);
            assert!(late >= max / 2 && late <= max, "{late:?}");
        }
    }
}
