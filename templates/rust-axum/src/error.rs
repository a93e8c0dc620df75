//! Every error the API returns is an RFC 9457 problem document (`application/problem+json`).
//!
//! Handlers return `Result<_, ApiError>`; internal errors are logged with their cause and
//! answered with a generic sentence, so no SQL or stack trace ever reaches a client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request, listed in a 422's `errors` array.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// `Some(..)` on 401s: the `WWW-Authenticate` challenge.
    pub www_authenticate: Option<&'static str>,
    /// `Some(seconds)` on 429s and 503s: the `Retry-After` header.
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            www_authenticate: None,
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "The requested resource does not exist.",
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 422 listing every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            errors,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
        }
    }

    /// 401 with a `WWW-Authenticate: Bearer` challenge. `invalid_token` adds the RFC 6750
    /// error code, used when a token was sent but is not acceptable.
    pub fn unauthorized(detail: impl Into<String>, invalid_token: bool) -> Self {
        let challenge = if invalid_token {
            "Bearer error=\"invalid_token\""
        } else {
            "Bearer"
        };
        Self {
            www_authenticate: Some(challenge),
            ..Self::new(StatusCode::UNAUTHORIZED, detail)
        }
    }

    /// 429 with `Retry-After: retry_after` (at least 1 second).
    pub fn too_many_requests(retry_after: u64, detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, detail)
        }
    }

    /// 503 with `Retry-After: 1`: every password-hashing slot (see `hashing`) or every
    /// database connection stayed busy.
    pub fn busy() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy; try again in a moment.",
            )
        }
    }

    /// Logs the real cause and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An unexpected error occurred.",
        )
    }

    /// A problem for a bare status produced outside our handlers (405 from the router,
    /// 413 from the body limit, ...).
    pub fn from_status(status: StatusCode) -> Self {
        let detail = match status {
            StatusCode::NOT_FOUND => "The requested resource does not exist.",
            StatusCode::METHOD_NOT_ALLOWED => "This method is not allowed on this resource.",
            StatusCode::PAYLOAD_TOO_LARGE => "The request body is larger than 1 MiB.",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "Send the body as application/json.",
            s if s.is_server_error() => "An unexpected error occurred.",
            _ => "The request could not be processed.",
        };
        Self::new(status, detail)
    }
}

impl From<sqlx::Error> for ApiError {
    /// Every pooled connection stayed busy for the pool's acquire timeout: the server is
    /// overloaded, not broken, so the client gets the same 503 + `Retry-After` as a full
    /// hashing queue instead of a 500.
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut => {
                tracing::warn!("no database connection became free in time");
                Self::busy()
            }
            err => Self::internal(err),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: &self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(challenge) = self.www_authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_detail_lists_fields() {
        let err = ApiError::validation(vec![
            FieldError::new("title", "must not be empty"),
            FieldError::new("description", "too long"),
        ]);
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            err.detail,
            "title: must not be empty; description: too long"
        );
    }

    #[test]
    fn responses_are_problem_json_with_headers() {
        let response = ApiError::unauthorized("no token", false).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let response = ApiError::too_many_requests(0, "slow down").into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let response = ApiError::busy().into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
