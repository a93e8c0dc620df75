//! Shared application state, cloned (cheaply, behind an `Arc`) into every handler.

use std::sync::Arc;

use sqlx::AnyPool;

use crate::auth::JwtKeys;
use crate::rate_limit::LoginLimiter;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: AnyPool,
    jwt: JwtKeys,
    login_limiter: LoginLimiter,
}

impl AppState {
    /// `jwt_secret` signs and checks every token; `jwt_ttl_seconds` is how long a token lives.
    pub fn new(db: AnyPool, jwt_secret: &[u8], jwt_ttl_seconds: u64) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                jwt: JwtKeys::new(jwt_secret, jwt_ttl_seconds),
                login_limiter: LoginLimiter::default(),
            }),
        }
    }

    pub fn db(&self) -> &AnyPool {
        &self.inner.db
    }

    pub fn jwt(&self) -> &JwtKeys {
        &self.inner.jwt
    }

    pub fn login_limiter(&self) -> &LoginLimiter {
        &self.inner.login_limiter
    }
}
