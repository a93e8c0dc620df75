//! Webhooks end to end: the routes, the outbox, and the real worker delivering to a receiver
//! on 127.0.0.1 (retries, timeouts, signatures, the SSRF guard, two workers on PostgreSQL).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use api::db::{Backend, Db};
use api::webhooks::signature;
use api::webhooks::worker::Worker;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::common::{TestApp, test_database_url};
use crate::receiver::{Receiver, Reply};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WAIT: Duration = Duration::from_secs(20);

/// Tiny delays so that retries take milliseconds; loopback allowed (the receiver's address).
const FAST: &[(&str, &str)] = &[
    ("WEBHOOK_ALLOW_LOOPBACK", "true"),
    ("JOBS_POLL_INTERVAL_MS", "20"),
    ("WEBHOOK_BACKOFF_BASE_MS", "40"),
    ("WEBHOOK_BACKOFF_MAX_MS", "400"),
    ("WEBHOOK_TIMEOUT_SECONDS", "2"),
];

async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let vars: Vec<(&str, &str)> = FAST.iter().chain(extra).copied().collect();
    TestApp::with_env(&vars).await
}

struct RunningWorker {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningWorker {
    /// A worker on `db` with `app`'s settings, woken by `app`'s API like the in-process one.
    fn start_on(app: &TestApp, db: Db) -> Self {
        let worker = Worker::new(db, app.state.webhooks().clone(), app.state.worker_wake());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(worker.run(async {
            let _ = stopped.await;
        }));
        Self { stop, task }
    }

    fn start(app: &TestApp) -> Self {
        Self::start_on(app, app.pool.clone())
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("the worker stops cleanly");
    }
}

async fn set_webhook(app: &TestApp, token: &str, url: &str) -> Value {
    let response = app
        .call(
            "PUT",
            "/api/v1/users/me/webhook",
            Some(json!({"url": url, "secret": SECRET})),
            Some(token),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

async fn deliveries(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app
        .get("/api/v1/webhook-deliveries?limit=100", Some(token))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["items"].as_array().unwrap().clone()
}

/// Waits until every one of the user's `count` deliveries has a final status.
async fn settled(app: &TestApp, token: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let items = deliveries(app, token).await;
        let done = items
            .iter()
            .filter(|d| ["delivered", "dead", "cancelled"].contains(&d["status"].as_str().unwrap()))
            .count();
        if items.len() == count && done == count {
            return items;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries did not settle: {items:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn key() -> Vec<u8> {
    signature::decode_secret(SECRET).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_signed_event_per_create_complete_and_delete() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(&[]).await;
    let token = app.token_for("hooks@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;

    let task = app
        .create_task(&token, json!({"title": "ship it"}))
        .await
        .json();
    let path = format!("/api/v1/tasks/{}", task["id"]);
    // Not a completion: no event.
    for patch in [json!({"title": "ship it now"}), json!({"done": false})] {
        let response = app.call("PATCH", &path, Some(patch), Some(&token)).await;
        assert_eq!(response.status, StatusCode::OK);
    }
    let completed = app
        .call("PATCH", &path, Some(json!({"done": true})), Some(&token))
        .await;
    assert_eq!(completed.status, StatusCode::OK);
    // true -> true sends nothing.
    app.call(
        "PATCH",
        &path,
        Some(json!({"done": true, "title": "again"})),
        Some(&token),
    )
    .await;
    assert_eq!(
        app.call("DELETE", &path, None, Some(&token)).await.status,
        StatusCode::NO_CONTENT
    );

    let queued = deliveries(&app, &token).await;
    let types: Vec<&str> = queued
        .iter()
        .map(|d| d["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["task.created", "task.completed", "task.deleted"]);
    assert!(
        queued
            .iter()
            .all(|d| d["status"] == "pending" && d["attempts"] == 0)
    );

    let worker = RunningWorker::start(&app);
    let received = receiver.wait_for(3, WAIT).await;
    let items = settled(&app, &token, 3).await;
    worker.stop().await;

    assert_eq!(received.len(), 3, "each event is sent once");
    for delivery in &items {
        assert_eq!(delivery["status"], "delivered");
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(delivery["last_status_code"], 200);
        assert_eq!(delivery["next_attempt_at"], Value::Null);
        let request = received
            .iter()
            .find(|r| r.id == delivery["event_id"].as_str().unwrap())
            .expect("a request per delivery, with the event id as Webhook-Id");
        assert_eq!(request.content_type, "application/json");
        assert!(
            signature::verify(
                &key(),
                &request.id,
                request.timestamp,
                &request.body,
                &request.signature
            ),
            "signature {} must verify",
            request.signature
        );
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!(
            (now - request.timestamp).abs() < 60,
            "Webhook-Timestamp is the attempt's time"
        );
        let body = request.json();
        assert_eq!(body["type"], delivery["event_type"]);
        assert_eq!(body["data"]["id"], task["id"]);
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    let by_type = |t: &str| {
        received
            .iter()
            .map(|r| r.json())
            .find(|b| b["type"] == t)
            .unwrap()
    };
    assert_eq!(by_type("task.created")["data"]["done"], false);
    assert_eq!(by_type("task.completed")["data"]["done"], true);
    // The task as it was just before it was deleted.
    assert_eq!(by_type("task.deleted")["data"]["title"], "again");
    let ids: HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "event ids are unique");
}

#[tokio::test]
async fn no_endpoint_no_event() {
    let app = app_with(&[]).await;
    let token = app.token_for("quiet@example.com").await;
    let task = app.create_task(&token, json!({"title": "t"})).await.json();
    let path = format!("/api/v1/tasks/{}", task["id"]);
    app.call("PATCH", &path, Some(json!({"done": true})), Some(&token))
        .await;
    app.call("DELETE", &path, None, Some(&token)).await;
    assert!(deliveries(&app, &token).await.is_empty());
}

#[tokio::test]
async fn a_tampered_body_or_timestamp_fails_verification() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(&[]).await;
    let token = app.token_for("tamper@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;
    app.create_task(&token, json!({"title": "original"})).await;
    let worker = RunningWorker::start(&app);
    let request = receiver.wait_for(1, WAIT).await.remove(0);
    worker.stop().await;

    let key = key();
    assert!(signature::verify(
        &key,
        &request.id,
        request.timestamp,
        &request.body,
        &request.signature
    ));
    let tampered = String::from_utf8(request.body.to_vec())
        .unwrap()
        .replace("original", "0riginal");
    assert!(!signature::verify(
        &key,
        &request.id,
        request.timestamp,
        tampered.as_bytes(),
        &request.signature
    ));
    assert!(!signature::verify(
        &key,
        &request.id,
        request.timestamp + 1,
        &request.body,
        &request.signature
    ));
    assert!(!signature::verify(
        &key,
        "another-id",
        request.timestamp,
        &request.body,
        &request.signature
    ));
    let other_key = signature::decode_secret(&signature::generate_secret()).unwrap();
    assert!(!signature::verify(
        &other_key,
        &request.id,
        request.timestamp,
        &request.body,
        &request.signature
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_with_backoff_after_500s_then_delivers() {
    let app = app_with(&[]).await;
    let receiver =
        Receiver::start(&[Reply::Status(500), Reply::Status(500), Reply::Status(503)]).await;
    let token = app.token_for("flaky@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;
    app.create_task(&token, json!({"title": "t"})).await;

    let worker = RunningWorker::start(&app);
    let received = receiver.wait_for(4, WAIT).await;
    let items = settled(&app, &token, 1).await;
    worker.stop().await;

    assert_eq!(items[0]["status"], "delivered");
    assert_eq!(items[0]["attempts"], 4);
    assert_eq!(items[0]["last_status_code"], 200);
    assert!(
        received.iter().all(|r| r.id == received[0].id),
        "one event id on every retry"
    );
    assert!(
        received.iter().all(|r| r.body == received[0].body),
        "the same bytes on every retry"
    );
    // Backoff: after failure n the wait is at least half of 40 ms x 2^(n-1).
    for (n, pair) in received.windows(2).enumerate() {
        let gap = pair[1].at.duration_since(pair[0].at);
        let floor = Duration::from_millis(20 << n);
        assert!(
            gap >= floor,
            "gap after attempt {} was {gap:?}, below {floor:?}",
            n + 1
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_after_the_attempt_limit_with_500s() {
    let app = app_with(&[("WEBHOOK_MAX_ATTEMPTS", "3")]).await;
    let receiver = Receiver::start(&[Reply::Status(500); 10]).await;
    let token = app.token_for("down@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;
    app.create_task(&token, json!({"title": "t"})).await;

    let worker = RunningWorker::start(&app);
    let items = settled(&app, &token, 1).await;
    worker.stop().await;

    assert_eq!(items[0]["status"], "dead");
    assert_eq!(items[0]["attempts"], 3);
    assert_eq!(items[0]["last_status_code"], 500);
    assert_eq!(items[0]["next_attempt_at"], Value::Null);
    assert_eq!(receiver.received().len(), 3, "no attempt after the limit");
    let metrics = app.get("/metrics", None).await.text();
    assert!(
        metrics.contains(r#"background_jobs_total{type="webhook_delivery",outcome="dead"}"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"background_jobs_total{type="webhook_delivery",outcome="retry"}"#));
    assert!(metrics.contains("webhook_delivery_duration_seconds_bucket"));
    assert!(metrics.contains(r#"background_jobs_queue_depth{type="webhook_delivery"}"#));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_times_out_is_retried_then_dead() {
    let app = app_with(&[
        ("WEBHOOK_TIMEOUT_SECONDS", "0.3"),
        ("WEBHOOK_MAX_ATTEMPTS", "2"),
    ])
    .await;
    let receiver = Receiver::start(&[Reply::Hang(Duration::from_secs(3)); 5]).await;
    let token = app.token_for("slow@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;
    app.create_task(&token, json!({"title": "t"})).await;

    let started = Instant::now();
    let worker = RunningWorker::start(&app);
    let items = settled(&app, &token, 1).await;
    worker.stop().await;

    assert_eq!(items[0]["status"], "dead");
    assert_eq!(items[0]["attempts"], 2);
    assert_eq!(
        items[0]["last_status_code"],
        Value::Null,
        "no answer, no status"
    );
    assert!(
        items[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{}",
        items[0]
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the worker gave up before the receiver answered"
    );
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ssrf_guard_refuses_private_addresses_after_resolution() {
    // Production rules for delivery: loopback is not allowed.
    let app = app_with(&[("WEBHOOK_ALLOW_LOOPBACK", "false")]).await;
    let receiver = Receiver::start(&[]).await;
    let port = receiver
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/hook")
        .to_owned();
    let targets = [
        receiver.url.clone(),
        "http://10.0.0.1/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        // A name, refused only once it resolves to 127.0.0.1 / ::1.
        format!("http://localhost:{port}/hook"),
    ];
    for (i, url) in targets.iter().enumerate() {
        let token = app.token_for(&format!("ssrf{i}@example.com")).await;
        set_webhook(&app, &token, url).await;
        app.create_task(&token, json!({"title": "t"})).await;
        let worker = RunningWorker::start(&app);
        let items = settled(&app, &token, 1).await;
        worker.stop().await;
        assert_eq!(items[0]["status"], "dead", "{url}");
        assert_eq!(items[0]["attempts"], 0, "nothing was sent to {url}");
        let error = items[0]["last_error"].as_str().unwrap();
        assert!(error.starts_with("refused address"), "{url}: {error}");
    }
    assert!(
        receiver.received().is_empty(),
        "the receiver never saw a request"
    );
}

#[tokio::test]
async fn production_refuses_local_urls_when_they_are_set() {
    let app = TestApp::with_env(&[("APP_ENV", "production")]).await;
    let token = app.token_for("prod@example.com").await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost/hook",
        "http://hooks.localhost/x",
        "http://2130706433/",
    ] {
        app.call(
            "PUT",
            "/api/v1/users/me/webhook",
            Some(json!({"url": url})),
            Some(&token),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ok = app
        .call(
            "PUT",
            "/api/v1/users/me/webhook",
            Some(json!({"url": "https://example.com/hook"})),
            Some(&token),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_without_an_endpoint_is_cancelled() {
    let app = app_with(&[]).await;
    let receiver = Receiver::start(&[]).await;
    let token = app.token_for("gone@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;
    app.create_task(&token, json!({"title": "t"})).await;
    let deleted = app
        .call("DELETE", "/api/v1/users/me/webhook", None, Some(&token))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let worker = RunningWorker::start(&app);
    let items = settled(&app, &token, 1).await;
    worker.stop().await;
    assert_eq!(items[0]["status"], "cancelled");
    assert_eq!(items[0]["attempts"], 0);
    assert_eq!(items[0]["next_attempt_at"], Value::Null);
    assert!(receiver.received().is_empty());
}

/// Makes the database fail a statement on purpose: `trigger` fires on `table` when `when`.
async fn fail_when(db: &Db, name: &str, table: &str, when: &str) {
    let statements = match db.backend() {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER {name} BEFORE {table} WHEN {when} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        Backend::Postgres => vec![
            "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
                .to_owned(),
            format!(
                "DROP TRIGGER IF EXISTS {name} ON {}",
                table.rsplit(' ').next().unwrap()
            ),
            format!(
                "CREATE TRIGGER {name} BEFORE {table} FOR EACH ROW WHEN ({when}) \
                 EXECUTE FUNCTION injected_failure()"
            ),
        ],
    };
    for statement in statements {
        execute(db, &statement).await;
    }
}

async fn execute(db: &Db, statement: &str) {
    // Test-only DDL built from constants: nothing user-controlled reaches it.
    let sql = || sqlx::AssertSqlSafe(statement.to_owned());
    api::on_pool!(db, pool => sqlx::query(sql()).execute(pool).await.map(|_| ()))
        .expect("test statement");
}

async fn drop_trigger(db: &Db, name: &str, table: &str) {
    let statement = match db.backend() {
        Backend::Sqlite => format!("DROP TRIGGER IF EXISTS {name}"),
        Backend::Postgres => format!("DROP TRIGGER IF EXISTS {name} ON {table}"),
    };
    execute(db, &statement).await;
}

#[tokio::test]
async fn the_event_and_the_change_commit_or_roll_back_together() {
    let app = app_with(&[]).await;
    let token = app.token_for("atomic@example.com").await;
    set_webhook(&app, &token, "http://127.0.0.1:9/unused").await;

    // The event row cannot be written: the task is not created either.
    fail_when(
        &app.pool,
        "fail_enqueue",
        "INSERT ON webhook_deliveries",
        "NEW.payload LIKE '%enqueue-fails%'",
    )
    .await;
    let response = app
        .create_task(&token, json!({"title": "enqueue-fails"}))
        .await;
    drop_trigger(&app.pool, "fail_enqueue", "webhook_deliveries").await;
    response.assert_problem(StatusCode::INTERNAL_SERVER_ERROR);
    let tasks = app.get("/api/v1/tasks", Some(&token)).await.json();
    assert_eq!(tasks["total"], 0, "no change without its event");
    assert!(deliveries(&app, &token).await.is_empty());

    // The change fails after its event was written: the event is rolled back with it.
    let task = app.create_task(&token, json!({"title": "t"})).await.json();
    fail_when(
        &app.pool,
        "fail_update",
        "UPDATE ON tasks",
        "NEW.title = 'boom'",
    )
    .await;
    let path = format!("/api/v1/tasks/{}", task["id"]);
    let response = app
        .call(
            "PATCH",
            &path,
            Some(json!({"done": true, "title": "boom"})),
            Some(&token),
        )
        .await;
    drop_trigger(&app.pool, "fail_update", "tasks").await;
    response.assert_problem(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(app.get(&path, Some(&token)).await.json()["done"], false);
    let types: Vec<Value> = deliveries(&app, &token)
        .await
        .iter()
        .map(|d| d["event_type"].clone())
        .collect();
    assert_eq!(
        types,
        [json!("task.created")],
        "no event for a rolled-back change"
    );
}

#[tokio::test]
async fn deliveries_are_owner_only_and_paginated() {
    let app = app_with(&[]).await;
    let alice = app.token_for("alice@example.com").await;
    let bob = app.token_for("bob@example.com").await;
    set_webhook(&app, &alice, "http://127.0.0.1:9/unused").await;
    for title in ["a", "b", "c"] {
        app.create_task(&alice, json!({"title": title})).await;
    }
    let page = app
        .get("/api/v1/webhook-deliveries?limit=2&offset=1", Some(&alice))
        .await
        .json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 1);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items[0]["id"].as_i64() < items[1]["id"].as_i64(),
        "id ascending"
    );
    for field in [
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "updated_at",
    ] {
        assert!(items[0].get(field).is_some(), "missing {field}");
    }
    let others = app
        .get("/api/v1/webhook-deliveries", Some(&bob))
        .await
        .json();
    assert_eq!(others["total"], 0, "bob sees none of alice's deliveries");
    assert_eq!(others["items"], json!([]));
    for bad in ["limit=0", "limit=101", "offset=-1", "limit=x"] {
        app.get(&format!("/api/v1/webhook-deliveries?{bad}"), Some(&alice))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.get("/api/v1/webhook-deliveries", None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_webhook_routes_validate_and_never_show_the_secret_again() {
    let app = app_with(&[]).await;
    let token = app.token_for("routes@example.com").await;
    let path = "/api/v1/users/me/webhook";
    app.get(path, Some(&token))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    for method in ["GET", "PUT", "DELETE"] {
        app.call(
            method,
            path,
            Some(json!({"url": "https://example.com"})),
            None,
        )
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
    }
    for body in [
        json!({}),
        json!({"url": "ftp://example.com/"}),
        json!({"url": "https://user@example.com/"}),
        json!({"url": "https://example.com/#x"}),
        json!({"url": 5}),
        json!({"url": "https://example.com/", "secret": null}),
        json!({"url": "https://example.com/", "secret": "not-a-secret"}),
        json!({"url": "https://example.com/", "secret": "whsec_c2hvcnQ="}),
        json!({"url": format!("https://example.com/{}", "a".repeat(2048))}),
    ] {
        app.call("PUT", path, Some(body.clone()), Some(&token))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let malformed = axum::http::Request::put(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from("{"))
        .unwrap();
    app.send(malformed)
        .await
        .assert_problem(StatusCode::BAD_REQUEST);

    // Without a secret the server makes one; only this response shows it.
    let set = app
        .call(
            "PUT",
            path,
            Some(json!({"url": "https://example.com/hook?x=1"})),
            Some(&token),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let set = set.json();
    let secret = set["secret"].as_str().unwrap();
    assert_eq!(signature::decode_secret(secret).unwrap().len(), 32);
    assert_eq!(set["url"], "https://example.com/hook?x=1");
    let shown = app.get(path, Some(&token)).await;
    assert_eq!(shown.status, StatusCode::OK);
    let shown = shown.json();
    assert_eq!(shown.get("secret"), None, "GET never returns the secret");
    assert_eq!(shown["url"], set["url"]);
    assert_eq!(shown["created_at"], set["created_at"]);

    // Replacing keeps created_at and takes the given secret.
    let replaced = set_webhook(&app, &token, "https://example.org/other").await;
    assert_eq!(replaced["secret"], SECRET);
    assert_eq!(replaced["created_at"], set["created_at"]);
    assert_eq!(
        app.get(path, Some(&token)).await.json()["url"],
        "https://example.org/other"
    );

    for _ in 0..2 {
        let deleted = app.call("DELETE", path, None, Some(&token)).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "idempotent");
        assert!(deleted.body.is_empty());
    }
    app.get(path, Some(&token))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_postgres_never_deliver_one_row_twice() {
    let app = app_with(&[("WEBHOOK_TIMEOUT_SECONDS", "10")]).await;
    if app.pool.backend() != Backend::Postgres {
        eprintln!("skipped: two workers need PostgreSQL; set TEST_DATABASE_URL=postgres://...");
        return;
    }
    let receiver = Receiver::start(&[]).await;
    let token = app.token_for("busy@example.com").await;
    set_webhook(&app, &token, &receiver.url).await;
    const EVENTS: usize = 40;
    for i in 0..EVENTS {
        app.create_task(&token, json!({"title": format!("task {i}")}))
            .await;
    }
    // Two processes in real life: two pools here, each its own set of connections.
    let other_pool = api::db::connect(&test_database_url()).await.unwrap();
    let first = RunningWorker::start(&app);
    let second = RunningWorker::start_on(&app, other_pool);
    let items = settled(&app, &token, EVENTS).await;
    first.stop().await;
    second.stop().await;

    assert!(
        items.iter().all(|d| d["status"] == "delivered"),
        "{items:#?}"
    );
    // A row taken by both workers would show one attempt but two requests. (On a loaded
    // machine an attempt may time out and be retried: that is a second attempt, counted.)
    let received = receiver.received();
    for delivery in &items {
        let id = delivery["event_id"].as_str().unwrap();
        let requests = received.iter().filter(|r| r.id == id).count();
        assert_eq!(
            u64::try_from(requests).unwrap(),
            delivery["attempts"].as_u64().unwrap(),
            "event {id}: one request per recorded attempt"
        );
    }
    let ids: HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), EVENTS, "every event arrived");
}
