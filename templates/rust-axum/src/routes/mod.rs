//! The HTTP surface: every route of the contract and the middleware stack around them.

mod auth;
mod health;
mod tasks;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::time::Duration;

use axum::http::header::X_CONTENT_TYPE_OPTIONS;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::http::{self, BODY_LIMIT, X_REQUEST_ID};
use crate::{metrics, openapi, state::AppState};

/// The longest a request may take before it is answered 503 (a stuck database, say).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the application. `main.rs` serves it; tests call it with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    metrics::handle();
    // `route_layer`: the per-IP limit runs only for requests that matched these routes.
    let auth = Router::new()
        .route("/api/v1/auth/register", post(auth::register))
        .route("/api/v1/auth/login", post(auth::login))
        .route_layer(from_fn_with_state(state.clone(), auth::limit_per_ip));
    let api = Router::new()
        .merge(auth)
        .route("/api/v1/users/me", get(users::me))
        .route("/api/v1/tasks", get(tasks::list).post(tasks::create))
        .route(
            "/api/v1/tasks/{id}",
            get(tasks::get).patch(tasks::update).delete(tasks::delete),
        );

    // Listed outermost first. `Router::layer` wraps each route (and the fallback) after
    // routing, so the metrics and the log span can read the matched route template.
    let middleware = ServiceBuilder::new()
        .layer(from_fn(http::sanitize_request_id))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(http::request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(from_fn(metrics::track))
        .layer(from_fn(http::problem_for_bare_errors))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/docs", get(openapi::docs))
        .merge(api)
        .fallback(http::not_found)
        .layer(middleware)
        .with_state(state)
}
