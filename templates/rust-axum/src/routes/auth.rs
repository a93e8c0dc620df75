//! Registration and login.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::clock;
use crate::db::is_unique_violation;
use crate::error::{ApiError, FieldError};
use crate::extract::Json;
use crate::repo;
use crate::state::AppState;

/// RFC 5321's limit on a forward path, the longest usable email address.
pub const EMAIL_MAX: usize = 254;

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

/// Trimmed and lower-cased (Unicode-aware): the form emails are stored, compared and
/// rate-limited in.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// 422 for an email over `EMAIL_MAX` characters after trimming. It runs first, before anything
/// else looks at the text, so a 1 MiB "email" costs one bounded count and nothing more.
fn check_email_length(email: &str) -> Result<(), ApiError> {
    // `nth` stops counting at the first character past the limit.
    if email.trim().chars().nth(EMAIL_MAX).is_some() {
        Err(ApiError::validation(vec![FieldError::new(
            "email",
            format!("must be at most {EMAIL_MAX} characters"),
        )]))
    } else {
        Ok(())
    }
}

/// One `@`, a non-empty local part, a domain with a dot and no empty label, no whitespace or
/// control character (U+0000 included: PostgreSQL text cannot hold it). A few linear passes
/// over the text: no regular expression, nothing that can backtrack.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().nth(EMAIL_MAX).is_none()
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

fn validate(email: &str, password: &str) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if !is_valid_email(email) {
        errors.push(FieldError::new("email", "must be a valid email address"));
    }
    if !(8..=128).contains(&password.chars().count()) {
        errors.push(FieldError::new(
            "password",
            "must be 8 to 128 characters long",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Middleware on register and login: at most `AUTH_RATE_LIMIT_PER_IP` requests per client IP
/// and minute, every request counting (even malformed ones).
///
/// The client IP is the TCP peer address. `X-Forwarded-For` is deliberately not trusted: any
/// client can set it, so honouring it would let an attacker pick a fresh "IP" per request.
/// Behind a reverse proxy, every client shares the proxy's address; rate-limit at the proxy, or
/// read the header only from that proxy's address.
pub async fn limit_per_ip(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Always present when served by main.rs; a request without it shares one bucket.
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
    match state.auth_ip_limiter().try_acquire(&ip).await {
        Ok(Ok(())) => next.run(req).await,
        Ok(Err(retry_after)) => ApiError::too_many_requests(
            retry_after,
            "Too many authentication requests from this address; try again later.",
        )
        .into_response(),
        Err(err) => ApiError::from(err).into_response(),
    }
}

/// `POST /api/v1/auth/register`
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    check_email_length(&body.email)?;
    let email = normalize_email(&body.email);
    validate(&email, &body.password)?;
    let hash = state.hasher().hash(body.password).await?;

    let user = repo::insert_user(state.db(), &email, &hash, clock::now())
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                ApiError::conflict("An account with this email already exists.")
            } else {
                ApiError::from(err)
            }
        })?;
    tracing::info!(user_id = user.id, "user registered");
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// `POST /api/v1/auth/login`: same 401 for an unknown email and a wrong password, and 429
/// once an email has failed too often.
///
/// The attempt is reserved in the limiter *before* the password is checked, in one atomic
/// step: of 30 parallel guesses for one email, at most 10 reach the hash. A success clears the
/// email's failures; a request that could not be judged (503, 500) gives its reservation back.
pub async fn login(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Result<Response, ApiError> {
    check_email_length(&body.email)?;
    let email = normalize_email(&body.email);
    state
        .login_limiter()
        .try_acquire(&email)
        .await?
        .map_err(|retry_after| {
            ApiError::too_many_requests(
                retry_after,
                "Too many failed login attempts for this email; try again later.",
            )
        })?;

    match check_credentials(&state, &email, body.password).await {
        Ok(Some(user_id)) => {
            state.login_limiter().reset(&email).await?;
            let token = state.jwt().issue(user_id)?;
            let body = axum::Json(json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": state.jwt().ttl_seconds(),
            }));
            // RFC 6749 section 5.1: responses carrying tokens must not be cached.
            Ok((
                [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
                body,
            )
                .into_response())
        }
        // The reservation stays: it is this failure's record.
        Ok(None) => Err(ApiError::unauthorized("Invalid email or password.", false)),
        Err(err) => {
            if let Err(release_err) = state.login_limiter().release(&email).await {
                tracing::warn!(error = %release_err, "cannot release a login attempt");
            }
            Err(err)
        }
    }
}

/// The user id when `password` is right for `email`. An unknown email is verified against a
/// dummy hash, so both failures cost the same time and do not reveal which emails exist.
async fn check_credentials(
    state: &AppState,
    email: &str,
    password: String,
) -> Result<Option<i64>, ApiError> {
    // An email registration would refuse (with a NUL, say, which PostgreSQL cannot even
    // compare) has no account: skip the lookup, not the hash, so it costs the same time.
    let account = if is_valid_email(email) {
        repo::find_credentials(state.db(), email).await?
    } else {
        None
    };
    let (user_id, stored) = match account {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let matches = state.hasher().verify(password, stored).await?;
    Ok(user_id.filter(|_| matches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        for ok in ["a@b.co", "first.last+tag@example.org"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b.",
            "a@.com",
            "a\u{0}b@example.com",
            "a@exa\u{7}mple.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert!(!is_valid_email(&format!("{}@example.com", "a".repeat(250))));
        assert!(is_valid_email(&format!("{}@example.com", "a".repeat(242))));
        assert!(check_email_length(&format!("  {}@example.com  ", "a".repeat(242))).is_ok());
        assert!(check_email_length(&format!("{}@example.com", "a".repeat(243))).is_err());
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn password_length_counts_characters() {
        assert!(validate("a@b.co", "ééééééé").is_err());
        assert!(validate("a@b.co", "éééééééé").is_ok());
        assert!(validate("a@b.co", &"x".repeat(129)).is_err());
    }
}
