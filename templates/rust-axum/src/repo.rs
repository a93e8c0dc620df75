//! The data-access layer: every SQL statement of the service lives here, so handlers stay
//! about HTTP and the database can change without touching them.
//!
//! Statements are plain strings checked at run time (no database needed to compile), use
//! `$1` placeholders that SQLite and PostgreSQL both accept, and always filter tasks on
//! `user_id`: another user's task is indistinguishable from a missing one.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::db::get_bool;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub done: bool,
    pub created_at: String,
    pub updated_at: String,
}

const TASK_COLUMNS: &str = "id, title, description, done, created_at, updated_at";

impl Task {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            done: get_bool(row, "done")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// Inserts a user; a duplicate email fails with a unique violation (see `db::is_unique_violation`).
pub async fn insert_user(
    db: &AnyPool,
    email: &str,
    password_hash: &str,
    created_at: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email)
    .bind(password_hash)
    .bind(created_at)
    .fetch_one(db)
    .await?
    .try_get("id")
}

pub async fn find_user(db: &AnyPool, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query("SELECT id, email, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|row| {
        Ok(User {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .transpose()
}

/// The id and password hash of the user with this (already normalized) email.
pub async fn find_credentials(
    db: &AnyPool,
    email: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await?;
    row.map(|row| Ok((row.try_get("id")?, row.try_get("password_hash")?)))
        .transpose()
}

/// One page of a user's tasks, oldest first, and how many they have in all.
pub async fn list_tasks(
    db: &AnyPool,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Task>, i64), sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE user_id = $1 ORDER BY id ASC LIMIT $2 OFFSET $3"
    ))
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let items = rows
        .iter()
        .map(Task::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let total = sqlx::query("SELECT COUNT(*) AS total FROM tasks WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await?
        .try_get("total")?;
    Ok((items, total))
}

pub async fn insert_task(
    db: &AnyPool,
    user_id: i64,
    title: &str,
    description: Option<&str>,
    done: bool,
    now: &str,
) -> Result<Task, sqlx::Error> {
    let row = sqlx::query(&format!(
        "INSERT INTO tasks (user_id, title, description, done, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {TASK_COLUMNS}"
    ))
    .bind(user_id)
    .bind(title)
    .bind(description)
    .bind(done)
    .bind(now)
    .fetch_one(db)
    .await?;
    Task::from_row(&row)
}

pub async fn find_task(db: &AnyPool, user_id: i64, id: i64) -> Result<Option<Task>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(Task::from_row).transpose()
}

/// Stores the editable fields and `updated_at` of `task`.
pub async fn update_task(db: &AnyPool, user_id: i64, task: &Task) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tasks SET title = $1, description = $2, done = $3, updated_at = $4 WHERE id = $5 AND user_id = $6",
    )
    .bind(&task.title)
    .bind(&task.description)
    .bind(task.done)
    .bind(&task.updated_at)
    .bind(task.id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// True when a task was deleted, false when the user has no such task.
pub async fn delete_task(db: &AnyPool, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM tasks WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() > 0)
}
