//! Abuse resistance: oversized emails, parallel password guesses, per-IP limits, a saturated
//! hashing pool, and limiter memory under a spray of distinct emails.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{PASSWORD, TestApp, login_from};

#[tokio::test]
async fn a_huge_email_is_422_at_once() {
    let app = TestApp::new().await;
    let huge = format!("{}@example.com", "a".repeat(128_000));
    for path in ["/api/v1/auth/register", "/api/v1/auth/login"] {
        let started = Instant::now();
        let res = app
            .call(
                "POST",
                path,
                Some(json!({"email": huge, "password": PASSWORD})),
                None,
            )
            .await;
        res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    // 254 characters after trimming is still an email; 255 is not.
    let longest = format!("  {}@example.com  ", "a".repeat(242));
    assert_eq!(
        app.register(&longest, PASSWORD).await.status,
        StatusCode::CREATED
    );
    let too_long = format!("{}@example.com", "a".repeat(243));
    app.register(&too_long, PASSWORD)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_parallel_wrong_passwords_get_at_most_ten_judged() {
    let app = TestApp::new().await;
    app.register("victim@example.com", PASSWORD).await;
    let attempts = (0..30)
        .map(|i| {
            // Differently spelled, the same normalized email.
            let email = if i % 2 == 0 {
                "victim@example.com"
            } else {
                "  VICTIM@Example.com "
            };
            login_from([127, 0, 0, 1], email, "wrong password")
        })
        .collect();
    let responses = app.send_all(attempts).await;
    let judged = responses
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = responses
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(judged <= 10, "{judged} guesses were checked");
    assert_eq!(judged + limited, 30);
    for res in responses
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
    {
        let retry: u64 = res.header("retry-after").parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // Even the right password is refused now, without being checked.
    app.login("victim@example.com", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_successful_login_clears_the_failures() {
    let app = TestApp::new().await;
    app.register("me@example.com", PASSWORD).await;
    for _ in 0..9 {
        app.login("me@example.com", "wrong password").await;
    }
    assert_eq!(
        app.login("me@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    for _ in 0..10 {
        assert_eq!(
            app.login("me@example.com", "wrong password").await.status,
            StatusCode::UNAUTHORIZED,
            "the count started again"
        );
    }
}

#[tokio::test]
async fn auth_requests_are_limited_per_client_ip() {
    let app = TestApp::with_env(&[("AUTH_RATE_LIMIT_PER_IP", "3")]).await;
    let a = [203, 0, 113, 1];
    for i in 0..3 {
        // Distinct emails: the per-email limit is not what stops these.
        let res = app
            .send(login_from(a, &format!("user{i}@example.com"), PASSWORD))
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text());
    }
    let res = app.send(login_from(a, "user9@example.com", PASSWORD)).await;
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another address has its own allowance; other routes are not limited.
    let res = app
        .send(login_from([203, 0, 113, 2], "user0@example.com", PASSWORD))
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn zero_disables_the_per_ip_limit() {
    let app = TestApp::with_env(&[("AUTH_RATE_LIMIT_PER_IP", "0")]).await;
    for i in 0..15 {
        let res = app
            .send(login_from(
                [203, 0, 113, 7],
                &format!("u{i}@example.com"),
                PASSWORD,
            ))
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_saturated_hashing_pool_answers_503_with_retry_after() {
    let app = TestApp::with_env(&[
        ("HASH_CONCURRENCY", "1"),
        ("HASH_QUEUE_TIMEOUT_SECONDS", "0.2"),
    ])
    .await;
    app.register("me@example.com", PASSWORD).await;
    // Hold the only slot, as a long-running hash would.
    let held = app.state.hasher().acquire().await.unwrap();
    let register = app.register("new@example.com", PASSWORD).await;
    register.assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(register.header("retry-after"), "1");
    let login = app.login("me@example.com", PASSWORD).await;
    login.assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(login.header("retry-after"), "1");
    drop(held);

    // Nothing was stored, and the busy answers did not count as failed logins.
    assert_eq!(
        app.register("new@example.com", PASSWORD).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.login("me@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_login_limiter_forgets_sprayed_emails() {
    let app = TestApp::new().await;
    // PostgreSQL's shared limiter is swept in SQL: see `shared_state`.
    let api::rate_limit::Limiter::Memory(limiter) = app.state.login_limiter() else {
        return;
    };
    let start = Instant::now();
    for i in 0..20_000 {
        limiter
            .try_acquire_at(&format!("spray{i}@example.com"), start)
            .unwrap();
    }
    assert_eq!(limiter.tracked_keys(), 20_000);
    let later = start + api::rate_limit::WINDOW + api::rate_limit::SWEEP_INTERVAL;
    limiter.try_acquire_at("last@example.com", later).unwrap();
    assert_eq!(limiter.tracked_keys(), 1, "expired emails were swept");
}
