//! Passwords (argon2id) and bearer tokens (JWT, HS256 only), plus the `CurrentUser` extractor
//! that guards every authenticated route.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::clock::unix_now;
use crate::error::ApiError;
use crate::repo::{self, User};
use crate::state::AppState;

/// Hashes a password with argon2id and the crate's default (OWASP-recommended) parameters.
/// CPU- and memory-heavy: call it through `hashing::HashPool`, never on the async executor.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against a stored PHC string; any parse error counts as a mismatch.
pub fn verify_password(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// A valid hash of a password nobody knows. Login verifies against it when the email is
/// unknown, so both failures cost the same time and do not reveal which emails exist.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not-a-real-password").unwrap_or_default());

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 says `sub` is a string).
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: u64,
}

impl JwtKeys {
    /// # Panics
    /// If `secret` is empty (`Config` never yields an empty one).
    pub fn new(secret: &[u8], ttl_seconds: u64) -> Self {
        // Only HS256: tokens announcing `none` or any other algorithm fail validation.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret).expect("the JWT secret must not be empty"),
            decoding: DecodingKey::from_secret(secret).expect("the JWT secret must not be empty"),
            validation,
            ttl_seconds,
        }
    }

    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// A signed token for `user_id`, valid for the configured TTL.
    pub fn issue(&self, user_id: i64) -> Result<String, ApiError> {
        let now = unix_now();
        let ttl = i64::try_from(self.ttl_seconds).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    /// The user id in a valid token, or `None` for anything malformed, forged or expired.
    pub fn verify(&self, token: &str) -> Option<i64> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        data.claims.sub.parse::<i64>().ok().filter(|id| *id > 0)
    }
}

/// The authenticated caller, loaded from the database on every request (so a deleted user's
/// tokens stop working at once).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl std::ops::Deref for CurrentUser {
    type Target = User;

    fn deref(&self) -> &User {
        &self.0
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("Missing bearer token.", false))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("The Authorization header must be `Bearer <token>`.", true)
            })?;
        let invalid = || ApiError::unauthorized("The token is invalid or has expired.", true);
        let user_id = state.jwt().verify(token).ok_or_else(invalid)?;

        let user = repo::find_user(state.db(), user_id)
            .await?
            .ok_or_else(invalid)?;
        Ok(Self(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"unit-test-secret-of-32-bytes-min";
    const OTHER_SECRET: &[u8] = b"another-secret-of-at-least-32-by";

    #[test]
    fn passwords_round_trip_with_argon2id() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let keys = JwtKeys::new(SECRET, 60);
        let token = keys.issue(7).unwrap();
        assert_eq!(keys.verify(&token), Some(7));
        assert_eq!(JwtKeys::new(OTHER_SECRET, 60).verify(&token), None);
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.verify(&tampered), None);
        assert_eq!(keys.verify("not.a.token"), None);
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let keys = JwtKeys::new(SECRET, 60);
        let now = unix_now();
        let claims = Claims {
            sub: "7".into(),
            iat: now - 120,
            exp: now - 60,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET).unwrap(),
        )
        .unwrap();
        assert_eq!(keys.verify(&token), None);
    }

    #[test]
    fn other_algorithms_are_rejected() {
        let keys = JwtKeys::new(SECRET, 60);
        let now = unix_now();
        let claims = Claims {
            sub: "7".into(),
            iat: now,
            exp: now + 60,
        };
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET).unwrap(),
        )
        .unwrap();
        assert_eq!(keys.verify(&hs512), None);
    }
}
