//! Prometheus metrics: a process-wide recorder from the `metrics` crate, a middleware that
//! counts and times every request, and the `/metrics` handler.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const REQUESTS_TOTAL: &str = "http_requests_total";
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";

/// Histogram buckets (seconds), from fast lookups to slow password hashing.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global recorder once per process (tests build many routers) and returns the
/// handle that renders the exposition text.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            // Every `*_duration_seconds` histogram gets these buckets; without buckets the
            // exporter would render it as a summary.
            .set_buckets_for_metric(
                Matcher::Suffix("_duration_seconds".to_owned()),
                DURATION_BUCKETS,
            )
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then ours simply stays empty.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        metrics::describe_counter!(REQUESTS_TOTAL, "HTTP requests by method, route and status.");
        metrics::describe_histogram!(
            REQUEST_DURATION,
            metrics::Unit::Seconds,
            "HTTP request latency by method and route."
        );
        handle
    })
}

/// The `method` label: one of the standard methods the API can serve, or `OTHER`. HTTP lets a
/// client send any token as a method, and each new label value would be a new series.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware: labels by route *template* (`/api/v1/tasks/{id}`), never the raw path, and by
/// a bounded method label, so the number of series stays bounded; requests that matched no
/// route are `unmatched`.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());

    let response = next.run(req).await;

    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS_TOTAL, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(REQUEST_DURATION, "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: Prometheus text exposition format 0.0.4.
pub async fn render() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle().render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        for invented in ["FOO1", "FOO2", "get", "TRACE", "CONNECT"] {
            let method = Method::from_bytes(invented.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "OTHER", "{invented}");
        }
    }
}
