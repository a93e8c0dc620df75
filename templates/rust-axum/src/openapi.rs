//! The committed `openapi.yaml`, embedded at build time and served as JSON.

use std::sync::LazyLock;

use axum::Json;
use axum::response::{Html, IntoResponse};

const SPEC_YAML: &str = include_str!("../openapi.yaml");

/// Parsed once, on first request. The file is checked by a test, so this cannot fail at run time.
static SPEC: LazyLock<serde_json::Value> =
    LazyLock::new(|| serde_norway::from_str(SPEC_YAML).expect("openapi.yaml is valid YAML"));

pub fn spec() -> &'static serde_json::Value {
    &SPEC
}

/// `GET /openapi.json`
pub async fn openapi_json() -> impl IntoResponse {
    Json(spec())
}

/// `GET /docs`: Swagger UI, loaded by the browser from a CDN (nothing extra to build or ship).
pub async fn docs() -> Html<&'static str> {
    Html(
        r##"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API docs</title>
  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });</script>
</body>
</html>
"##,
    )
}
