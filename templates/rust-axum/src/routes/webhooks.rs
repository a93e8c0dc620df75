//! The caller's webhook endpoint and their deliveries. SQL is in `webhooks::store`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Deserializer, Serialize};

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{ApiError, FieldError};
use crate::extract::{Json, Pagination};
use crate::routes::tasks::Page;
use crate::state::AppState;
use crate::webhooks::store::{self, Endpoint};
use crate::webhooks::{signature, url};

/// PUT body. `secret` absent: the server makes one; `null` is not a secret (422).
#[derive(Deserialize)]
pub struct WebhookSet {
    url: String,
    #[serde(default, deserialize_with = "present")]
    secret: Option<Option<String>>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The one response that shows the secret.
#[derive(Serialize)]
struct WithSecret {
    #[serde(flatten)]
    endpoint: Endpoint,
    secret: String,
}

/// `PUT /api/v1/users/me/webhook`
pub async fn set(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<WebhookSet>,
) -> Result<impl IntoResponse, ApiError> {
    let mut errors = Vec::new();
    if let Err(why) = url::check(&body.url, state.webhooks().production) {
        errors.push(FieldError::new("url", why));
    }
    let secret = match body.secret {
        None => signature::generate_secret(),
        Some(None) => {
            errors.push(FieldError::new("secret", "must be a string"));
            String::new()
        }
        Some(Some(secret)) => {
            if let Err(why) = signature::decode_secret(&secret) {
                errors.push(FieldError::new("secret", why));
            }
            secret
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let endpoint =
        store::upsert_endpoint(state.db(), user.id, &body.url, &secret, clock::now()).await?;
    tracing::info!(user_id = user.id, "webhook endpoint set");
    Ok(axum::Json(WithSecret { endpoint, secret }))
}

/// `GET /api/v1/users/me/webhook`: never the secret.
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<impl IntoResponse, ApiError> {
    let endpoint = store::find_endpoint(state.db(), user.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(endpoint))
}

/// `DELETE /api/v1/users/me/webhook`: 204 whether or not one was set.
pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, ApiError> {
    store::delete_endpoint(state.db(), user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/webhook-deliveries?limit&offset`: the caller's deliveries, oldest first.
pub async fn deliveries(
    State(state): State<AppState>,
    user: CurrentUser,
    page: Pagination,
) -> Result<impl IntoResponse, ApiError> {
    let (items, total) =
        store::list_deliveries(state.db(), user.id, page.limit, page.offset).await?;
    Ok(axum::Json(Page::new(items, total, page)))
}

/// `GET /metrics` with the job queue depth refreshed from the database first.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    crate::webhooks::worker::refresh_queue_depth(state.db()).await;
    crate::metrics::render().await
}
