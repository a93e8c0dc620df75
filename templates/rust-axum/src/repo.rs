//! The data-access layer: every SQL statement of the service lives here, so handlers stay
//! about HTTP and the database can change without touching them.
//!
//! Statements are plain strings checked at run time (no database needed to compile), use
//! `$1` placeholders that SQLite and PostgreSQL both accept, and always filter tasks on
//! `user_id`: another user's task is indistinguishable from a missing one. Each one runs
//! through `on_pool!`, so it is compiled against both drivers with their native types
//! (`timestamptz` and `boolean` on PostgreSQL).

use serde::Serialize;
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::clock::rfc3339;
use crate::db::Db;
use crate::on_pool;

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub done: bool,
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Inserts a user and returns it; a duplicate email fails with a unique violation
/// (see `db::is_unique_violation`).
pub async fn insert_user(
    db: &Db,
    email: &str,
    password_hash: &str,
    created_at: OffsetDateTime,
) -> Result<User, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as(
            "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) \
             RETURNING id, email, created_at",
        )
        .bind(email)
        .bind(password_hash)
        .bind(created_at)
        .fetch_one(pool)
        .await
    })
}

pub async fn find_user(db: &Db, id: i64) -> Result<Option<User>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as("SELECT id, email, created_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// The id and password hash of the user with this (already normalized) email.
pub async fn find_credentials(db: &Db, email: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(pool)
            .await
    })
}

/// One page of a user's tasks, oldest first, and how many they have in all.
pub async fn list_tasks(
    db: &Db,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Task>, i64), sqlx::Error> {
    on_pool!(db, pool => {
        let items = sqlx::query_as(
            "SELECT id, title, description, done, created_at, updated_at FROM tasks \
             WHERE user_id = $1 ORDER BY id ASC LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tasks WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(pool)
            .await?;
        Ok((items, total))
    })
}

pub async fn insert_task(
    db: &Db,
    user_id: i64,
    title: &str,
    description: Option<&str>,
    done: bool,
    now: OffsetDateTime,
) -> Result<Task, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as(
            "INSERT INTO tasks (user_id, title, description, done, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             RETURNING id, title, description, done, created_at, updated_at",
        )
        .bind(user_id)
        .bind(title)
        .bind(description)
        .bind(done)
        .bind(now)
        .fetch_one(pool)
        .await
    })
}

pub async fn find_task(db: &Db, user_id: i64, id: i64) -> Result<Option<Task>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, title, description, done, created_at, updated_at FROM tasks \
             WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })
}

/// Stores the editable fields and `updated_at` of `task`.
pub async fn update_task(db: &Db, user_id: i64, task: &Task) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query(
            "UPDATE tasks SET title = $1, description = $2, done = $3, updated_at = $4 \
             WHERE id = $5 AND user_id = $6",
        )
        .bind(&task.title)
        .bind(&task.description)
        .bind(task.done)
        .bind(task.updated_at)
        .bind(task.id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// True when a task was deleted, false when the user has no such task.
pub async fn delete_task(db: &Db, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query("DELETE FROM tasks WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|result| result.rows_affected() > 0)
    })
}
