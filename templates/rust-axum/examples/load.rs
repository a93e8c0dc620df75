//! `make load`: a short, steady load against a running server (`make run` or the container)
//! so that the Grafana dashboard has something to show. Each of `LOAD_CONCURRENCY` clients
//! loops create -> list -> complete -> read -> delete on its own tasks for `LOAD_SECONDS`, then
//! the run prints the status counts and the latency percentiles it measured.
//!
//! Settings (environment): `LOAD_PORT` (default `PORT`, then 8080) on 127.0.0.1,
//! `LOAD_SECONDS` (default 30), `LOAD_CONCURRENCY` (default 8). The server's per-IP limit on
//! auth requests is not hit: the run registers and logs in once.

#[path = "../tests/e2e/client.rs"]
#[allow(dead_code)]
mod client;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}

/// What one client saw: latencies and a count per status (0 = no answer).
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
}

impl Tally {
    async fn call(
        &mut self,
        port: u16,
        (method, path): (&str, &str),
        token: &str,
        body: Option<serde_json::Value>,
    ) -> Option<client::Response> {
        let started = Instant::now();
        let response = client::send(port, method, path, Some(token), body.as_ref()).await;
        self.latencies.push(started.elapsed());
        let status = response.as_ref().map_or(0, |r| r.status);
        *self.statuses.entry(status).or_default() += 1;
        response.ok()
    }
}

async fn one_client(port: u16, token: String, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut round = 0u64;
    while Instant::now() < until {
        round += 1;
        let created = tally
            .call(
                port,
                ("POST", "/api/v1/tasks"),
                &token,
                Some(json!({"title": format!("load task {round}")})),
            )
            .await;
        tally
            .call(port, ("GET", "/api/v1/tasks?limit=20"), &token, None)
            .await;
        let Some(id) = created
            .filter(|response| response.status == 201)
            .and_then(|response| response.json()["id"].as_i64())
        else {
            continue;
        };
        let path = format!("/api/v1/tasks/{id}");
        tally
            .call(port, ("PATCH", &path), &token, Some(json!({"done": true})))
            .await;
        tally.call(port, ("GET", &path), &token, None).await;
        tally.call(port, ("DELETE", &path), &token, None).await;
    }
    tally
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let default_port = setting("PORT", 8080);
    let port = u16::try_from(setting("LOAD_PORT", default_port))?;
    let seconds = setting("LOAD_SECONDS", 30);
    let concurrency = setting("LOAD_CONCURRENCY", 8).max(1);

    let email = format!("load-{}@example.com", uuid::Uuid::new_v4().simple());
    let credentials = json!({"email": email, "password": "load test password"});
    let registered = client::send(
        port,
        "POST",
        "/api/v1/auth/register",
        None,
        Some(&credentials),
    )
    .await
    .map_err(|err| format!("no server on 127.0.0.1:{port} ({err}); start one with `make run`"))?;
    if registered.status != 201 {
        return Err(format!("register: {} {}", registered.status, registered.text()).into());
    }
    let login = client::send(port, "POST", "/api/v1/auth/login", None, Some(&credentials)).await?;
    let token = login.json()["access_token"]
        .as_str()
        .ok_or_else(|| format!("login: {} {}", login.status, login.text()))?
        .to_owned();

    println!("{concurrency} clients for {seconds} s against http://127.0.0.1:{port} ...");
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let clients: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(one_client(port, token.clone(), until)))
        .collect();
    let mut total = Tally::default();
    for handle in clients {
        let tally = handle.await?;
        total.latencies.extend(tally.latencies);
        for (status, count) in tally.statuses {
            *total.statuses.entry(status).or_default() += count;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies.sort();
    let requests = total.latencies.len();
    #[allow(clippy::cast_precision_loss)]
    let rate = requests as f64 / elapsed;
    println!("{requests} requests in {elapsed:.1} s ({rate:.0}/s)");
    for (status, count) in &total.statuses {
        let label = if *status == 0 {
            "no answer".to_owned()
        } else {
            status.to_string()
        };
        println!("  {label}: {count}");
    }
    for (name, fraction) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
        println!(
            "  {name}: {:.1} ms",
            percentile(&total.latencies, fraction).as_secs_f64() * 1000.0
        );
    }
    let failures: u64 = total
        .statuses
        .iter()
        .filter(|(status, _)| **status == 0 || **status >= 500)
        .map(|(_, count)| count)
        .sum();
    if failures > 0 {
        return Err(format!("{failures} requests failed (5xx or no answer)").into());
    }
    Ok(())
}
