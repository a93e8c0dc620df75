//! Registration, login, rate limiting, and every way a bearer token can be refused.

use axum::http::StatusCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::common::{JWT_SECRET, PASSWORD, TestApp, b64url};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn forge(alg: Algorithm, secret: &str, sub: &str, iat: i64, exp: i64) -> String {
    let claims = json!({"sub": sub, "iat": iat, "exp": exp});
    jsonwebtoken::encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// Asserts a 401 with the Bearer challenge for `GET /users/me` with `authorization`.
async fn assert_rejected(app: &TestApp, authorization: Option<&str>) {
    let mut request = axum::http::Request::get("/api/v1/users/me");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let res = app
        .send(request.body(axum::body::Body::empty()).unwrap())
        .await;
    res.assert_problem(StatusCode::UNAUTHORIZED);
    assert!(
        res.header("www-authenticate").starts_with("Bearer"),
        "{authorization:?}"
    );
}

#[tokio::test]
async fn register_returns_the_user_with_a_normalized_email() {
    let app = TestApp::new().await;
    let res = app.register("  Ada@Example.COM ", PASSWORD).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let user = res.json();
    assert!(user["id"].as_i64().unwrap() > 0);
    assert_eq!(user["email"], "ada@example.com");
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(user.get("password_hash").is_none());
}

#[tokio::test]
async fn duplicate_emails_are_409_case_insensitively() {
    let app = TestApp::new().await;
    assert_eq!(
        app.register("dup@example.com", PASSWORD).await.status,
        StatusCode::CREATED
    );
    app.register("DUP@example.com", PASSWORD)
        .await
        .assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn invalid_registrations_are_422() {
    let app = TestApp::new().await;
    for (email, password) in [
        ("not-an-email", PASSWORD),
        ("a@nodot", PASSWORD),
        ("nul\u{0}@example.com", PASSWORD),
        ("bell\u{7}@example.com", PASSWORD),
        ("ok@example.com", "short"),
        ("ok@example.com", &"x".repeat(129)),
    ] {
        let body = app
            .register(email, password)
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["errors"].is_array(), "{body}");
    }
    for body in [
        json!({"email": "a@b.co"}),
        json!({"email": 5, "password": PASSWORD}),
        json!([]),
        json!(["a@b.co", PASSWORD]),
    ] {
        app.call("POST", "/api/v1/auth/register", Some(body), None)
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn login_returns_a_bearer_token_that_works() {
    let app = TestApp::new().await;
    app.register("me@example.com", PASSWORD).await;
    let res = app.login("ME@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().unwrap();

    let me = app.get("/api/v1/users/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], "me@example.com");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::new().await;
    app.register("me@example.com", PASSWORD).await;
    let wrong = app.login("me@example.com", "wrong password").await;
    let unknown = app.login("nobody@example.com", PASSWORD).await;
    let a = wrong.assert_problem(StatusCode::UNAUTHORIZED);
    let b = unknown.assert_problem(StatusCode::UNAUTHORIZED);
    assert_eq!(a, b);
    assert_eq!(wrong.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn login_is_rate_limited_per_email() {
    let app = TestApp::new().await;
    app.register("target@example.com", PASSWORD).await;
    for _ in 0..10 {
        assert_eq!(
            app.login("target@example.com", "wrong password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused now, without being checked.
    let res = app.login("Target@Example.com", PASSWORD).await;
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Other emails are unaffected.
    app.register("other@example.com", PASSWORD).await;
    assert_eq!(
        app.login("other@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn emails_no_account_can_have_are_a_plain_401_at_login() {
    let app = TestApp::new().await;
    for email in ["nul\u{0}@example.com", "\u{1f}[\u{2}\u{0}\u{f3}", "plain"] {
        app.login(email, PASSWORD)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn missing_token_is_401() {
    let app = TestApp::new().await;
    assert_rejected(&app, None).await;
    let res = app.get("/api/v1/tasks", None).await;
    res.assert_problem(StatusCode::UNAUTHORIZED);
    assert_eq!(res.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn malformed_tokens_are_401() {
    let app = TestApp::new().await;
    for value in [
        "Bearer",
        "Bearer ",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Basic dXNlcjpwYXNz",
        "token",
    ] {
        assert_rejected(&app, Some(value)).await;
    }
}

#[tokio::test]
async fn tampered_tokens_are_401() {
    let app = TestApp::new().await;
    let token = app.token_for("me@example.com").await;
    // Change the payload but keep the signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64url(
        json!({"sub": "2", "iat": now(), "exp": now() + 900})
            .to_string()
            .as_bytes(),
    );
    assert_rejected(&app, Some(&format!("Bearer {}", parts.join(".")))).await;
    // Signed with another secret.
    let other = forge(Algorithm::HS256, "not-the-secret", "1", now(), now() + 900);
    assert_rejected(&app, Some(&format!("Bearer {other}"))).await;
}

#[tokio::test]
async fn expired_tokens_are_401() {
    let app = TestApp::new().await;
    let token = app.token_for("me@example.com").await;
    let id = app.get("/api/v1/users/me", Some(&token)).await.json()["id"].to_string();
    let expired = forge(Algorithm::HS256, JWT_SECRET, &id, now() - 3600, now() - 10);
    assert_rejected(&app, Some(&format!("Bearer {expired}"))).await;
}

#[tokio::test]
async fn alg_none_and_other_algorithms_are_401() {
    let app = TestApp::new().await;
    let token = app.token_for("me@example.com").await;
    let id = app.get("/api/v1/users/me", Some(&token)).await.json()["id"].to_string();
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = b64url(
        json!({"sub": id, "iat": now(), "exp": now() + 900})
            .to_string()
            .as_bytes(),
    );
    assert_rejected(&app, Some(&format!("Bearer {header}.{claims}."))).await;
    let hs512 = forge(Algorithm::HS512, JWT_SECRET, &id, now(), now() + 900);
    assert_rejected(&app, Some(&format!("Bearer {hs512}"))).await;
}

#[tokio::test]
async fn tokens_of_users_that_do_not_exist_are_401() {
    let app = TestApp::new().await;
    let ghost = forge(Algorithm::HS256, JWT_SECRET, "987654", now(), now() + 900);
    assert_rejected(&app, Some(&format!("Bearer {ghost}"))).await;
}
