//! Shared application state, cloned (cheaply, behind an `Arc`) into every handler.

use std::sync::Arc;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::db::Db;
use crate::hashing::HashPool;
use crate::rate_limit::{MAX_LOGIN_FAILURES, WINDOW, WindowLimiter};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    jwt: JwtKeys,
    hasher: HashPool,
    login_limiter: WindowLimiter,
    auth_ip_limiter: WindowLimiter,
}

impl AppState {
    /// Everything a request needs: the pool, the token keys and the limits from `config`.
    pub fn new(db: Db, config: &Config) -> Self {
        let per_ip = usize::try_from(config.auth_rate_limit_per_ip).unwrap_or(usize::MAX);
        Self {
            inner: Arc::new(Inner {
                db,
                jwt: JwtKeys::new(config.jwt_secret.as_bytes(), config.jwt_ttl_seconds),
                hasher: HashPool::new(config.hash_concurrency, config.hash_queue_timeout),
                login_limiter: WindowLimiter::new(MAX_LOGIN_FAILURES, WINDOW),
                auth_ip_limiter: WindowLimiter::new(per_ip, WINDOW),
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn jwt(&self) -> &JwtKeys {
        &self.inner.jwt
    }

    /// Where every password hash and verification runs (bounded; see `hashing`).
    pub fn hasher(&self) -> &HashPool {
        &self.inner.hasher
    }

    /// Failed logins per normalized email.
    pub fn login_limiter(&self) -> &WindowLimiter {
        &self.inner.login_limiter
    }

    /// Register and login requests per client IP.
    pub fn auth_ip_limiter(&self) -> &WindowLimiter {
        &self.inner.auth_ip_limiter
    }
}
