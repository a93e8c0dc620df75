//! Registration and login.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{DUMMY_HASH, hash_password, verify_password};
use crate::clock::now_rfc3339;
use crate::db::is_unique_violation;
use crate::error::{ApiError, FieldError};
use crate::extract::Json;
use crate::repo::{self, User};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

/// Lower-cased and trimmed: the form emails are stored and compared in.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// One `@`, a non-empty local part, a domain with a dot, no whitespace, at most 254 chars.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= 254
        && !email.chars().any(char::is_whitespace)
        && !local.is_empty()
        && !domain.contains('@')
        && domain.split('.').count() >= 2
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

/// Runs argon2 off the async executor: hashing takes tens of milliseconds of CPU.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}

/// `POST /api/v1/auth/register`
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let email = normalize_email(&body.email);
    validate(&email, &body.password)?;
    let password = body.password;
    let hash = blocking(move || hash_password(&password)).await??;
    let created_at = now_rfc3339();

    let id = repo::insert_user(state.db(), &email, &hash, &created_at)
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                ApiError::conflict("An account with this email already exists.")
            } else {
                ApiError::internal(err)
            }
        })?;
    tracing::info!(user_id = id, "user registered");
    Ok((
        StatusCode::CREATED,
        axum::Json(User {
            id,
            email,
            created_at,
        }),
    ))
}

/// `POST /api/v1/auth/login`: same 401 for an unknown email and a wrong password, and 429
/// once an email has failed too often (checked before the password, so it cannot be probed).
pub async fn login(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let email = normalize_email(&body.email);
    state
        .login_limiter()
        .check(&email)
        .map_err(ApiError::too_many_requests)?;

    let (user_id, stored) = match repo::find_credentials(state.db(), &email).await? {
        Some((id, hash)) => (Some(id), hash),
        None => (None, DUMMY_HASH.clone()),
    };
    let password = body.password;
    let matches = blocking(move || verify_password(&password, &stored)).await?;

    match user_id {
        Some(id) if matches => {
            state.login_limiter().reset(&email);
            let token = state.jwt().issue(id)?;
            Ok(axum::Json(json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": state.jwt().ttl_seconds(),
            })))
        }
        _ => {
            state.login_limiter().record_failure(&email);
            Err(ApiError::unauthorized("Invalid email or password.", false))
        }
    }
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
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert!(!is_valid_email(&format!("{}@example.com", "a".repeat(250))));
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn password_length_counts_characters() {
        assert!(validate("a@b.co", "ééééééé").is_err());
        assert!(validate("a@b.co", "éééééééé").is_ok());
        assert!(validate("a@b.co", &"x".repeat(129)).is_err());
    }
}
