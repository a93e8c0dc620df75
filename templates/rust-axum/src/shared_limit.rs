//! The login limiters on PostgreSQL: the same sliding window as `rate_limit::WindowLimiter`,
//! kept in the `rate_limit_hits` table so that every replica counts the same attempts.
//!
//! An attempt is checked and recorded in one transaction under `pg_advisory_xact_lock` on the
//! bucket: concurrent attempts for one email, from any number of processes, queue on that lock,
//! so 30 parallel guesses still get at most 10 through to the password hash. The clock is the
//! database's (`clock_timestamp()`), one clock for every replica. Hits older than the window
//! are swept every `SWEEP_INTERVAL` by whichever process gets there.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::postgres::PgPool;

use crate::rate_limit::SWEEP_INTERVAL;

pub struct SharedLimiter {
    pool: PgPool,
    /// Prefix of this limiter's buckets (`login`, `ip`).
    scope: &'static str,
    max: usize,
    window: Duration,
    next_sweep: Mutex<Instant>,
}

impl SharedLimiter {
    /// At most `max` attempts per key in any `window`; `max == 0` disables the limit.
    pub fn new(pool: PgPool, scope: &'static str, max: usize, window: Duration) -> Self {
        Self {
            pool,
            scope,
            max,
            window,
            next_sweep: Mutex::new(Instant::now()),
        }
    }

    /// The row key: escaped, because PostgreSQL text cannot hold U+0000 and an email that
    /// registration would refuse still reaches the limiter at login (escaping is injective).
    fn bucket(&self, key: &str) -> String {
        format!("{}:{}", self.scope, key.escape_default())
    }

    /// Records an attempt if `key` is under the limit; otherwise `Ok(Err(seconds))` until a
    /// slot frees up (at least 1), and nothing is recorded.
    pub async fn try_acquire(&self, key: &str) -> Result<Result<(), u64>, sqlx::Error> {
        if self.max == 0 {
            return Ok(Ok(()));
        }
        self.sweep_if_due().await;
        let bucket = self.bucket(key);
        let window = self.window.as_secs_f64();
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(&bucket)
            .execute(&mut *tx)
            .await?;
        let (count, oldest_age): (i64, Option<f64>) = sqlx::query_as(
            "SELECT COUNT(*), EXTRACT(EPOCH FROM clock_timestamp() - MIN(hit_at))::float8 \
             FROM rate_limit_hits \
             WHERE bucket = $1 AND hit_at > clock_timestamp() - make_interval(secs => $2)",
        )
        .bind(&bucket)
        .bind(window)
        .fetch_one(&mut *tx)
        .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= self.max {
            tx.rollback().await?;
            let wait = (window - oldest_age.unwrap_or(0.0)).max(0.0);
            // Round up so that a client waiting exactly Retry-After seconds is let through.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            return Ok(Err((wait.ceil() as u64).max(1)));
        }
        sqlx::query("INSERT INTO rate_limit_hits (bucket, hit_at) VALUES ($1, clock_timestamp())")
            .bind(&bucket)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Takes back the latest attempt of `key` (a request that could not be judged).
    pub async fn release(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "DELETE FROM rate_limit_hits WHERE id = \
             (SELECT id FROM rate_limit_hits WHERE bucket = $1 ORDER BY id DESC LIMIT 1)",
        )
        .bind(self.bucket(key))
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Forgets every attempt of `key` (a successful login forgives the earlier failures).
    pub async fn reset(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM rate_limit_hits WHERE bucket = $1")
            .bind(self.bucket(key))
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Deletes this scope's hits that have left the window.
    pub async fn sweep(&self) -> Result<u64, sqlx::Error> {
        sqlx::query(
            "DELETE FROM rate_limit_hits WHERE bucket LIKE $1 \
             AND hit_at <= clock_timestamp() - make_interval(secs => $2)",
        )
        .bind(format!("{}:%", self.scope))
        .bind(self.window.as_secs_f64())
        .execute(&self.pool)
        .await
        .map(|result| result.rows_affected())
    }

    async fn sweep_if_due(&self) {
        let due = {
            let mut next = self
                .next_sweep
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            if now >= *next {
                *next = now + SWEEP_INTERVAL;
                true
            } else {
                false
            }
        };
        if due && let Err(err) = self.sweep().await {
            tracing::warn!(error = %err, "cannot sweep old rate-limit entries");
        }
    }
}
