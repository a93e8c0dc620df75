//! Tasks: CRUD on the caller's own tasks. Handlers validate and shape; SQL is in `repo`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Deserializer, Serialize};

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{ApiError, FieldError};
use crate::extract::{Id, Json, Pagination};
use crate::repo::{self, Task};
use crate::state::AppState;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

/// POST body; unknown fields are ignored, wrong types are 422 (see `extract::Json`).
#[derive(Deserialize)]
pub struct NewTask {
    title: String,
    #[serde(default)]
    description: Option<String>,
    /// `null` is not a boolean: absent means false, `null` is 422 (as in PATCH).
    #[serde(default, deserialize_with = "present")]
    done: Option<Option<bool>>,
}

/// PATCH body. The outer `Option` says whether a field was sent, the inner one whether it was
/// `null`: `"description": null` clears the description, `"title": null` is invalid.
#[derive(Deserialize)]
pub struct TaskPatch {
    #[serde(default, deserialize_with = "present")]
    title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    done: Option<Option<bool>>,
}

/// Marks a field that appeared in the JSON (even as `null`) as `Some(..)`.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Whitespace as the contract's `\s` means it: Unicode White_Space plus the four ASCII
/// separators U+001C..U+001F, which JSON Schema validators (Python's `re`) count as spaces too.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// PostgreSQL text cannot hold U+0000, so no stack stores it on either database (422).
const NUL: char = '\0';

/// The trimmed title; records why it is invalid, if it is.
fn check_title(title: &str, errors: &mut Vec<FieldError>) -> String {
    let trimmed = title.trim_matches(is_blank);
    let len = trimmed.chars().count();
    if trimmed.contains(NUL) {
        errors.push(FieldError::new("title", "must not contain U+0000"));
    } else if len == 0 {
        errors.push(FieldError::new("title", "must not be empty"));
    } else if len > TITLE_MAX {
        errors.push(FieldError::new(
            "title",
            format!("must be at most {TITLE_MAX} characters"),
        ));
    }
    trimmed.to_owned()
}

fn check_description(description: Option<&str>, errors: &mut Vec<FieldError>) {
    if description.is_some_and(|d| d.contains(NUL)) {
        errors.push(FieldError::new("description", "must not contain U+0000"));
    } else if description.is_some_and(|d| d.chars().count() > DESCRIPTION_MAX) {
        errors.push(FieldError::new(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ));
    }
}

fn fail_if_any(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Applies a PATCH to `task` in memory; true when something actually changed.
fn apply_patch(task: &mut Task, patch: TaskPatch) -> Result<bool, ApiError> {
    let mut errors = Vec::new();
    let mut changed = false;
    match patch.title {
        None => {}
        Some(None) => errors.push(FieldError::new("title", "must not be null")),
        Some(Some(title)) => {
            let title = check_title(&title, &mut errors);
            changed |= title != task.title;
            task.title = title;
        }
    }
    if let Some(description) = patch.description {
        check_description(description.as_deref(), &mut errors);
        changed |= description != task.description;
        task.description = description;
    }
    match patch.done {
        None => {}
        Some(None) => errors.push(FieldError::new("done", "must be true or false")),
        Some(Some(done)) => {
            changed |= done != task.done;
            task.done = done;
        }
    }
    fail_if_any(errors)?;
    Ok(changed)
}

/// One page of a list endpoint.
#[derive(Serialize)]
pub struct Page<T> {
    items: Vec<T>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// `GET /api/v1/tasks?limit&offset`: the caller's tasks, oldest first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    page: Pagination,
) -> Result<impl IntoResponse, ApiError> {
    let (items, total) = repo::list_tasks(state.db(), user.id, page.limit, page.offset).await?;
    Ok(axum::Json(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// `POST /api/v1/tasks`: 201 with a `Location` header.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<NewTask>,
) -> Result<impl IntoResponse, ApiError> {
    let mut errors = Vec::new();
    let title = check_title(&body.title, &mut errors);
    check_description(body.description.as_deref(), &mut errors);
    let done = match body.done {
        None => false,
        Some(Some(done)) => done,
        Some(None) => {
            errors.push(FieldError::new("done", "must be true or false"));
            false
        }
    };
    fail_if_any(errors)?;

    let task = repo::insert_task(
        state.db(),
        user.id,
        &title,
        body.description.as_deref(),
        done,
        clock::now(),
    )
    .await?;
    let location = format!("/api/v1/tasks/{}", task.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(task),
    ))
}

/// `GET /api/v1/tasks/{id}`
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    id: Id,
) -> Result<impl IntoResponse, ApiError> {
    let task = repo::find_task(state.db(), user.id, id.0)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(task))
}

/// `PATCH /api/v1/tasks/{id}`: any subset of the fields; `{}` changes nothing.
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    id: Id,
    Json(patch): Json<TaskPatch>,
) -> Result<impl IntoResponse, ApiError> {
    let mut task = repo::find_task(state.db(), user.id, id.0)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if apply_patch(&mut task, patch)? {
        task.updated_at = clock::now();
        repo::update_task(state.db(), user.id, &task).await?;
    }
    Ok(axum::Json(task))
}

/// `DELETE /api/v1/tasks/{id}`: 204 with no body.
pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    id: Id,
) -> Result<StatusCode, ApiError> {
    if repo::delete_task(state.db(), user.id, id.0).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        Task {
            id: 1,
            title: "a".into(),
            description: Some("d".into()),
            done: false,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn patch(json: &str) -> TaskPatch {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn patch_distinguishes_absent_null_and_values() {
        let mut t = task();
        assert!(!apply_patch(&mut t, patch("{}")).unwrap());
        assert!(
            !apply_patch(&mut t, patch(r#"{"title": " a "}"#)).unwrap(),
            "same title after trim"
        );
        assert!(apply_patch(&mut t, patch(r#"{"description": null}"#)).unwrap());
        assert_eq!(t.description, None);
        assert!(apply_patch(&mut t, patch(r#"{"title": null}"#)).is_err());
        assert!(apply_patch(&mut t, patch(r#"{"done": null}"#)).is_err());
        assert!(apply_patch(&mut t, patch(r#"{"title": "a\u0000b"}"#)).is_err());
        assert!(apply_patch(&mut t, patch(r#"{"description": "\u0000"}"#)).is_err());
        assert!(apply_patch(&mut t, patch(r#"{"title": "\u001f \u3000"}"#)).is_err());
        assert!(
            apply_patch(
                &mut t,
                patch(&format!(r#"{{"title": "{}"}}"#, "x".repeat(201)))
            )
            .is_err()
        );
    }
}
