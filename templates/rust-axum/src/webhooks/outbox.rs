//! The transactional outbox: a task change and its event are written in one transaction, so
//! there is no event without its change and no change without its event.
//!
//! `enqueue!` runs inside `repo`'s transactions (on either driver, like `on_pool!`). Its one
//! statement inserts the delivery only when the user has an endpoint: no endpoint, no row,
//! and no window between checking for the endpoint and writing the row.

use serde::Serialize;
use time::OffsetDateTime;

use crate::clock::rfc3339;
use crate::repo::Task;

/// The task events a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Created,
    Completed,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "task.created",
            Self::Completed => "task.completed",
            Self::Deleted => "task.deleted",
        }
    }
}

/// One event, its body built once: every retry sends these exact bytes.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub event_type: &'static str,
    pub payload: String,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    event_type: &'static str,
    #[serde(with = "rfc3339")]
    timestamp: OffsetDateTime,
    data: &'a Task,
}

impl Event {
    /// `{"type", "timestamp", "data": <task>}` with a fresh v4 UUID as the event id.
    pub fn new(event_type: EventType, task: &Task, now: OffsetDateTime) -> Self {
        let body = Body {
            event_type: event_type.as_str(),
            timestamp: now,
            data: task,
        };
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            event_type: event_type.as_str(),
            payload: serde_json::to_string(&body).expect("a task always serializes"),
        }
    }
}

/// `$1` user id, `$2` event id, `$3` event type, `$4` body, `$5` now (due at once).
pub const ENQUEUE_SQL: &str = "INSERT INTO webhook_deliveries \
     (user_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at) \
     SELECT user_id, $2, $3, $4, 'pending', 0, $5, $5, $5 FROM webhook_endpoints WHERE user_id = $1";

/// Inserts `$event` for `$user_id` on `$conn` (a transaction) if the user has an endpoint;
/// evaluates to the number of rows written (0 or 1).
#[macro_export]
macro_rules! enqueue {
    ($conn:expr, $user_id:expr, $event:expr, $now:expr) => {
        sqlx::query($crate::webhooks::outbox::ENQUEUE_SQL)
            .bind($user_id)
            .bind(&$event.id)
            .bind($event.event_type)
            .bind(&$event.payload)
            .bind($now)
            .execute($conn)
            .await
            .map(|result| result.rows_affected())
    };
}
