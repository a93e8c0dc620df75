//! Cross-cutting HTTP middleware: request ids, access logs, security headers, body limit,
//! and the safety net that turns any bare error status into problem+json.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Span;

use crate::error::{ApiError, PROBLEM_JSON};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Largest accepted request body: 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A client-sent request id is kept only if it is short and plain: `^[A-Za-z0-9._-]{1,128}$`.
pub fn is_sane_request_id(value: &[u8]) -> bool {
    (1..=128).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops an unacceptable `X-Request-ID` so that `SetRequestIdLayer` generates a fresh one.
pub async fn sanitize_request_id(mut req: Request, next: Next) -> Response {
    if let Some(value) = req.headers().get(&X_REQUEST_ID)
        && !is_sane_request_id(value.as_bytes())
    {
        req.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(req).await
}

/// The span every request's log lines carry: request id, method, route template and path.
/// Headers are deliberately left out (they hold bearer tokens).
pub fn request_span(req: &Request<Body>) -> Span {
    let request_id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route,
        path = %req.uri().path(),
    )
}

/// Responses with an error status that are not problem+json yet (405 from the router, 413
/// from the body limit, ...) get a problem body; their other headers (e.g. `Allow`) are kept.
pub async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if status < StatusCode::BAD_REQUEST || is_problem(&response) {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let problem = ApiError::from_status(status).into_response();
    let (problem_parts, problem_body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, problem_body)
}

fn is_problem(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE) == Some(&HeaderValue::from_static(PROBLEM_JSON))
}

/// Fallback for unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "No route matches this path.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_rules() {
        assert!(is_sane_request_id(b"abc-123_X.y"));
        assert!(is_sane_request_id(&[b'a'; 128]));
        assert!(!is_sane_request_id(&[b'a'; 129]));
        assert!(!is_sane_request_id(b""));
        assert!(!is_sane_request_id(b"has space"));
        assert!(!is_sane_request_id(b"semi;colon"));
    }
}
