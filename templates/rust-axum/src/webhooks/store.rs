//! Webhook SQL: endpoints, the deliveries list, and the worker's claim and finish statements.
//!
//! The claim is one atomic statement per database. PostgreSQL: `UPDATE ... WHERE id = (SELECT
//! ... FOR UPDATE SKIP LOCKED)`, so concurrent workers skip each other's rows instead of
//! waiting or taking the same one. SQLite: the same `UPDATE ... RETURNING`, atomic because
//! SQLite runs one write at a time (enough for the single worker process SQLite supports).

use serde::{Serialize, Serializer};
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::clock::{format_rfc3339, rfc3339};
use crate::db::Db;
use crate::on_pool;

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Endpoint {
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Delivery {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    #[serde(serialize_with = "optional_rfc3339")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

fn optional_rfc3339<S: Serializer>(
    at: &Option<OffsetDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&format_rfc3339(*at)),
        None => serializer.serialize_none(),
    }
}

/// A row the worker has claimed.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub id: i64,
    pub user_id: i64,
    pub event_id: String,
    pub payload: String,
    /// Failed attempts before this one.
    pub attempts: i32,
}

/// Sets or replaces the user's endpoint; `created_at` survives a replacement.
pub async fn upsert_endpoint(
    db: &Db,
    user_id: i64,
    url: &str,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Endpoint, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as(
            "INSERT INTO webhook_endpoints (user_id, url, secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (user_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, \
             updated_at = excluded.updated_at RETURNING url, secret, created_at, updated_at",
        )
            .bind(user_id)
            .bind(url)
            .bind(secret)
            .bind(now)
            .fetch_one(pool)
            .await
    })
}

pub async fn find_endpoint(db: &Db, user_id: i64) -> Result<Option<Endpoint>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT url, secret, created_at, updated_at FROM webhook_endpoints WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })
}

pub async fn delete_endpoint(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query("DELETE FROM webhook_endpoints WHERE user_id = $1")
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// One page of the user's deliveries, id ascending, and how many there are in all.
pub async fn list_deliveries(
    db: &Db,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Delivery>, i64), sqlx::Error> {
    on_pool!(db, pool => {
        let items = sqlx::query_as(
            "SELECT id, event_id, event_type, status, attempts, last_status_code, last_error, \
             next_attempt_at, created_at, updated_at FROM webhook_deliveries \
             WHERE user_id = $1 ORDER BY id ASC LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webhook_deliveries WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?;
        Ok((items, total))
    })
}

/// Takes one due row (pending and due, or in flight with an expired lease) and leases it
/// until `locked_until`. `None` when nothing is due.
pub async fn claim(
    db: &Db,
    now: OffsetDateTime,
    locked_until: OffsetDateTime,
) -> Result<Option<Claimed>, sqlx::Error> {
    match db {
        Db::Postgres(pool) => {
            sqlx::query_as(
                "UPDATE webhook_deliveries SET status = 'in_flight', locked_until = $2, \
                 updated_at = $1 WHERE id = (SELECT id FROM webhook_deliveries \
                 WHERE (status = 'pending' AND next_attempt_at <= $1) \
                 OR (status = 'in_flight' AND locked_until < $1) \
                 ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, user_id, event_id, payload, attempts",
            )
            .bind(now)
            .bind(locked_until)
            .fetch_optional(pool)
            .await
        }
        Db::Sqlite(pool) => {
            // Text timestamps: compare them as instants, not as strings.
            sqlx::query_as(
                "UPDATE webhook_deliveries SET status = 'in_flight', locked_until = $2, \
                 updated_at = $1 WHERE id = (SELECT id FROM webhook_deliveries \
                 WHERE (status = 'pending' AND julianday(next_attempt_at) <= julianday($1)) \
                 OR (status = 'in_flight' AND julianday(locked_until) < julianday($1)) \
                 ORDER BY julianday(next_attempt_at), id LIMIT 1) \
                 RETURNING id, user_id, event_id, payload, attempts",
            )
            .bind(now)
            .bind(locked_until)
            .fetch_optional(pool)
            .await
        }
    }
}

/// How an attempt (or the decision not to make one) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered {
        status_code: i32,
    },
    /// Failed; `next_attempt_at` is `None` when the row is dead.
    Failed {
        status_code: Option<i32>,
        error: String,
        next_attempt_at: Option<OffsetDateTime>,
    },
    /// Refused before any request (SSRF guard): dead at once, not counted as an attempt.
    Refused {
        error: String,
    },
    /// The user has no endpoint any more.
    Cancelled,
}

/// Records `outcome` for a row this worker holds (`in_flight`); `attempts` is the count
/// before this attempt.
pub async fn finish(
    db: &Db,
    id: i64,
    attempts: i32,
    outcome: &Outcome,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let (status, attempts, code, error, next) = match outcome {
        Outcome::Delivered { status_code } => {
            ("delivered", attempts + 1, Some(*status_code), None, None)
        }
        Outcome::Failed {
            status_code,
            error,
            next_attempt_at,
        } => (
            if next_attempt_at.is_some() {
                "pending"
            } else {
                "dead"
            },
            attempts + 1,
            *status_code,
            Some(error.as_str()),
            *next_attempt_at,
        ),
        Outcome::Refused { error } => ("dead", attempts, None, Some(error.as_str()), None),
        Outcome::Cancelled => ("cancelled", attempts, None, None, None),
    };
    on_pool!(db, pool => {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status_code = $3, \
             last_error = $4, next_attempt_at = $5, locked_until = NULL, updated_at = $6 \
             WHERE id = $7 AND status = 'in_flight'",
        )
        .bind(status)
        .bind(attempts)
        .bind(code)
        .bind(error)
        .bind(next)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// Puts a claimed row back as it was (graceful shutdown before its request was sent).
pub async fn release(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', locked_until = NULL \
             WHERE id = $1 AND status = 'in_flight'",
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// Rows waiting for an attempt (due now or later), for `background_jobs_queue_depth`.
pub async fn queue_depth(db: &Db) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
            .fetch_one(pool)
            .await
            .map(|(n,): (i64,)| n)
    })
}
