//! The login limiters on PostgreSQL: the same sliding window as `rate_limit::WindowLimiter`,
//! kept in the `rate_limit_buckets` table so that every replica counts the same attempts.
//!
//! An attempt is checked and recorded by one `INSERT ... ON CONFLICT DO UPDATE ... WHERE`
//! statement: PostgreSQL locks the bucket's row, re-reads its latest version and appends the
//! attempt only while fewer than `max` are in the window. Concurrent attempts for one email, from
//! any number of processes, queue on that row lock for the length of one statement (not of a
//! transaction spanning round trips), so a burst cannot park every pooled connection behind
//! one lock, and 30 parallel guesses still get at most 10 through to the password hash. The clock
//! is the database's (`clock_timestamp()`), one clock for every replica. Buckets whose attempts
//! have all left the window are swept every `SWEEP_INTERVAL` by whichever process gets there.

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
        let max = i64::try_from(self.max).unwrap_or(i64::MAX);
        // The WHERE of DO UPDATE sees the row as the previous attempt committed it; when it
        // is false nothing is written and no row is returned.
        let recorded = sqlx::query(
            "INSERT INTO rate_limit_buckets AS b (bucket, hits, last_hit) \
             VALUES ($1, ARRAY[clock_timestamp()], clock_timestamp()) \
             ON CONFLICT (bucket) DO UPDATE SET \
                 hits = ARRAY(SELECT h FROM unnest(b.hits) AS h \
                              WHERE h > clock_timestamp() - make_interval(secs => $2) \
                              ORDER BY h) || clock_timestamp(), \
                 last_hit = clock_timestamp() \
             WHERE (SELECT COUNT(*) FROM unnest(b.hits) AS h \
                    WHERE h > clock_timestamp() - make_interval(secs => $2)) < $3 \
             RETURNING 1",
        )
        .bind(&bucket)
        .bind(window)
        .bind(max)
        .fetch_optional(&self.pool)
        .await?;
        if recorded.is_some() {
            return Ok(Ok(()));
        }
        let (oldest_age,): (Option<f64>,) = sqlx::query_as(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp() - MIN(h))::float8 \
             FROM rate_limit_buckets, unnest(hits) AS h \
             WHERE bucket = $1 AND h > clock_timestamp() - make_interval(secs => $2)",
        )
        .bind(&bucket)
        .bind(window)
        .fetch_one(&self.pool)
        .await?;
        let wait = (window - oldest_age.unwrap_or(0.0)).max(0.0);
        // Round up so that a client waiting exactly Retry-After seconds is let through.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Err((wait.ceil() as u64).max(1)))
    }

    /// Takes back the latest attempt of `key` (a request that could not be judged).
    pub async fn release(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE rate_limit_buckets SET hits = hits[1:cardinality(hits) - 1] \
             WHERE bucket = $1 AND cardinality(hits) > 0",
        )
        .bind(self.bucket(key))
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Forgets every attempt of `key` (a successful login forgives the earlier failures).
    pub async fn reset(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM rate_limit_buckets WHERE bucket = $1")
            .bind(self.bucket(key))
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Deletes this scope's buckets whose attempts have all left the window.
    pub async fn sweep(&self) -> Result<u64, sqlx::Error> {
        sqlx::query(
            "DELETE FROM rate_limit_buckets WHERE bucket LIKE $1 \
             AND last_hit <= clock_timestamp() - make_interval(secs => $2)",
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
