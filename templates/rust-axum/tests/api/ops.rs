//! Operations endpoints and cross-cutting HTTP behaviour.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::common::TestApp;

#[tokio::test]
async fn healthz_is_ok_with_security_headers_and_request_id() {
    let app = TestApp::new().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(res.header("x-content-type-options"), "nosniff");
    assert_eq!(res.header("x-request-id").len(), 36, "a fresh UUID");
}

#[tokio::test]
async fn readyz_reports_the_database_state() {
    let app = TestApp::new().await;
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), serde_json::json!({"status": "ready"}));

    app.pool.close().await;
    app.get("/readyz", None)
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn sane_request_ids_are_echoed_and_others_replaced() {
    let app = TestApp::new().await;
    let send = |id: &'static str| {
        Request::get("/healthz")
            .header("x-request-id", id)
            .body(Body::empty())
            .unwrap()
    };
    let res = app.send(send("abc-123_X.y")).await;
    assert_eq!(res.header("x-request-id"), "abc-123_X.y");

    let res = app.send(send("no spaces allowed")).await;
    assert_ne!(res.header("x-request-id"), "no spaces allowed");
    assert_eq!(res.header("x-request-id").len(), 36);
}

#[tokio::test]
async fn openapi_document_is_served_as_json() {
    let app = TestApp::new().await;
    let res = app.get("/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("application/json"));
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/users/me",
        "/api/v1/tasks",
        "/api/v1/tasks/{id}",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from openapi.yaml"
        );
    }
}

#[tokio::test]
async fn metrics_use_route_templates() {
    let app = TestApp::new().await;
    let token = app.token_for("metrics@example.com").await;
    app.get("/api/v1/tasks/123456", Some(&token)).await;
    app.get("/no/such/route", None).await;

    let res = app.get("/metrics", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("text/plain"));
    let text = res.text();
    let has = |needle: &str| {
        text.lines()
            .any(|line| line.starts_with(needle) || line.contains(needle))
    };
    assert!(
        has(r#"http_requests_total{method="GET",route="/api/v1/tasks/{id}",status="404"}"#),
        "{text}"
    );
    assert!(has(r#"route="unmatched""#), "{text}");
    assert!(has("http_request_duration_seconds_bucket{"), "{text}");
    assert!(has("http_request_duration_seconds_sum{"), "{text}");
    assert!(has("http_request_duration_seconds_count{"), "{text}");
    assert!(
        !text.contains("/api/v1/tasks/123456"),
        "raw paths must not become labels"
    );
}

#[tokio::test]
async fn unknown_routes_are_problem_404() {
    let app = TestApp::new().await;
    app.get("/api/v1/nope", None)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.get("/nope", None)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_methods_are_problem_405_with_allow() {
    let app = TestApp::new().await;
    let res = app.call("DELETE", "/api/v1/tasks", None, None).await;
    res.assert_problem(StatusCode::METHOD_NOT_ALLOWED);
    let allow = res.header("allow");
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    app.call("PUT", "/healthz", None, None)
        .await
        .assert_problem(StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = TestApp::new().await;
    let big = format!(
        r#"{{"email":"a@b.co","password":"{}"}}"#,
        "x".repeat(1024 * 1024)
    );
    // Without Content-Length the body is cut off while reading; with it, before reading.
    let request = Request::post("/api/v1/auth/register")
        .header("content-type", "application/json")
        .body(Body::from(big.clone()))
        .unwrap();
    app.send(request)
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
    let request = Request::post("/api/v1/auth/register")
        .header("content-type", "application/json")
        .header("content-length", big.len())
        .body(Body::from(big))
        .unwrap();
    app.send(request)
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::new().await;
    let request = Request::post("/api/v1/auth/register")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"email": "a@b.co", "password": "#))
        .unwrap();
    app.send(request)
        .await
        .assert_problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn invented_methods_add_no_metric_series() {
    let app = TestApp::new().await;
    for method in ["FOO1", "FOO2", "BREW"] {
        let request = Request::builder()
            .method(method)
            .uri("/api/v1/tasks")
            .body(Body::empty())
            .unwrap();
        app.send(request)
            .await
            .assert_problem(StatusCode::METHOD_NOT_ALLOWED);
    }
    let text = app.get("/metrics", None).await.text();
    for invented in ["FOO1", "FOO2", "BREW"] {
        assert!(
            !text.contains(invented),
            "{invented} became a label:\n{text}"
        );
    }
    assert!(
        text.contains(r#"method="OTHER",route="/api/v1/tasks",status="405""#),
        "{text}"
    );
}

#[tokio::test]
async fn a_json_endpoint_refuses_other_content_types_with_415() {
    let app = TestApp::new().await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = Request::post("/api/v1/auth/register");
        if let Some(value) = content_type {
            request = request.header("content-type", value);
        }
        let body = Body::from(r#"{"email":"a@b.co","password":"correct horse"}"#);
        app.send(request.body(body).unwrap())
            .await
            .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}
