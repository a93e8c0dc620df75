//! State shared across replicas: two app instances (two pools, as two processes would have)
//! on one PostgreSQL database enforce one login limit. Skipped on SQLite, whose limiter is in
//! memory by design (one process).

use api::db::{self, Backend};
use api::{AppState, Config, router};
use axum::http::StatusCode;

use crate::common::{JWT_SECRET, PASSWORD, TestApp, login_from, test_database_url};

/// A second instance on the same database, with its own pool and its own in-process state.
async fn second_instance() -> axum::Router {
    let url = test_database_url();
    let pool = db::connect(&url).await.expect("connect");
    let config = Config::from_lookup(|key| match key {
        "DATABASE_URL" => Some(url.clone()),
        "JWT_SECRET" => Some(JWT_SECRET.to_owned()),
        "APP_ENV" => Some("test".to_owned()),
        _ => None,
    })
    .unwrap();
    router(AppState::new(pool, &config))
}

async fn status(app: &axum::Router, email: &str, password: &str) -> StatusCode {
    use tower::ServiceExt;
    app.clone()
        .oneshot(login_from([127, 0, 0, 1], email, password))
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_login_limit() {
    let first = TestApp::new().await;
    if first.pool.backend() != Backend::Postgres {
        eprintln!(
            "skipped: the shared limiter needs PostgreSQL; set TEST_DATABASE_URL=postgres://..."
        );
        return;
    }
    let second = second_instance().await;
    first.register("shared@example.com", PASSWORD).await;
    for i in 0..10 {
        let app = if i % 2 == 0 { &first.router } else { &second };
        assert_eq!(
            status(app, "shared@example.com", "wrong password").await,
            StatusCode::UNAUTHORIZED,
            "attempt {i}"
        );
    }
    for app in [&first.router, &second] {
        assert_eq!(
            status(app, "shared@example.com", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "the 11th attempt is refused on either instance"
        );
    }
    // Another email is not affected.
    first.register("other@example.com", PASSWORD).await;
    assert_eq!(
        status(&second, "other@example.com", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_concurrent_guesses_over_two_instances_get_at_most_ten_judged() {
    let first = TestApp::new().await;
    if first.pool.backend() != Backend::Postgres {
        eprintln!(
            "skipped: the shared limiter needs PostgreSQL; set TEST_DATABASE_URL=postgres://..."
        );
        return;
    }
    let second = second_instance().await;
    first.register("target@example.com", PASSWORD).await;
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let app = if i % 2 == 0 {
                first.router.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move { status(&app, "target@example.com", "wrong password").await })
        })
        .collect();
    let mut judged = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => judged += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(judged <= 10, "{judged} guesses reached the password check");
}

#[tokio::test]
async fn old_attempts_are_swept() {
    let app = TestApp::new().await;
    let api::db::Db::Postgres(pool) = &app.pool else {
        eprintln!(
            "skipped: the shared limiter needs PostgreSQL; set TEST_DATABASE_URL=postgres://..."
        );
        return;
    };
    sqlx::query(
        "INSERT INTO rate_limit_buckets (bucket, hits, last_hit) \
         VALUES ('login:old@example.com', ARRAY[now() - interval '2 minutes'], \
                 now() - interval '2 minutes'), \
                ('login:new@example.com', ARRAY[now()], now())",
    )
    .execute(pool)
    .await
    .unwrap();
    let limiter =
        api::shared_limit::SharedLimiter::new(pool.clone(), "login", 10, api::rate_limit::WINDOW);
    assert_eq!(
        limiter.sweep().await.unwrap(),
        1,
        "only the expired bucket goes"
    );
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rate_limit_buckets")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(left, 1);
}

/// Far more concurrent logins than pooled connections (10 per instance): each waits for the
/// bucket's row lock for one statement at most, so none times out on the pool into a 500, and
/// the limit still holds. A server that is truly saturated answers 503, never 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_larger_than_the_pool_is_never_a_500() {
    let first = TestApp::new().await;
    if first.pool.backend() != Backend::Postgres {
        eprintln!(
            "skipped: the shared limiter needs PostgreSQL; set TEST_DATABASE_URL=postgres://..."
        );
        return;
    }
    let second = second_instance().await;
    first.register("burst@example.com", PASSWORD).await;
    let guesses: Vec<_> = (0..150u16)
        .map(|i| {
            let app = if i % 2 == 0 {
                first.router.clone()
            } else {
                second.clone()
            };
            let [high, low] = i.to_be_bytes();
            tokio::spawn(async move {
                use tower::ServiceExt;
                app.oneshot(login_from(
                    [10, 1, high, low],
                    "burst@example.com",
                    "wrong password",
                ))
                .await
                .unwrap()
                .status()
            })
        })
        .collect();
    let mut judged = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => judged += 1,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(judged <= 10, "{judged} guesses reached the password check");
}
