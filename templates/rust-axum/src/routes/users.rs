use axum::Json;

use crate::auth::CurrentUser;
use crate::repo::User;

/// `GET /api/v1/users/me`
pub async fn me(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}
