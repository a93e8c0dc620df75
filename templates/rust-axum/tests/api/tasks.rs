//! Tasks: CRUD, validation, ownership and pagination.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;

async fn app_and_token() -> (TestApp, String) {
    let app = TestApp::new().await;
    let token = app.token_for("owner@example.com").await;
    (app, token)
}

#[tokio::test]
async fn create_returns_201_location_and_defaults() {
    let (app, token) = app_and_token().await;
    let res = app
        .create_task(&token, json!({"title": "  Write tests  ", "ignored": true}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let task = res.json();
    let id = task["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), format!("/api/v1/tasks/{id}"));
    assert_eq!(task["title"], "Write tests");
    assert_eq!(task["description"], Value::Null);
    assert_eq!(task["done"], false);
    assert_eq!(task["created_at"], task["updated_at"]);

    let fetched = app.get(&format!("/api/v1/tasks/{id}"), Some(&token)).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json(), task);
}

#[tokio::test]
async fn create_validates_fields_and_types() {
    let (app, token) = app_and_token().await;
    for body in [
        json!({"title": ""}),
        json!({"title": "   "}),
        json!({"title": "x".repeat(201)}),
        json!({"title": "ok", "description": "x".repeat(2001)}),
        json!({"title": 5}),
        json!({"title": "ok", "done": "yes"}),
        json!({"title": "ok", "done": null}),
        json!({"title": null}),
        json!({"title": "a\u{0}b"}),
        json!({"title": "\u{1f}\u{3000}\t"}),
        json!({"title": "ok", "description": "nul \u{0} inside"}),
        json!(["a title", null, false]),
        json!([]),
        json!("a title"),
        json!({"description": "no title"}),
    ] {
        app.create_task(&token, body)
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let edge = json!({"title": "é".repeat(200), "description": "x".repeat(2000), "done": true});
    assert_eq!(
        app.create_task(&token, edge).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn patch_updates_clears_and_validates() {
    let (app, token) = app_and_token().await;
    let task = app
        .create_task(&token, json!({"title": "a", "description": "d"}))
        .await
        .json();
    let uri = format!("/api/v1/tasks/{}", task["id"]);

    let same = app.call("PATCH", &uri, Some(json!({})), Some(&token)).await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.json(), task, "{{}} is a no-op");

    let res = app
        .call(
            "PATCH",
            &uri,
            Some(json!({"done": true, "description": null})),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["done"], true);
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["title"], "a");
    assert!(updated["updated_at"].as_str() > task["updated_at"].as_str());
    assert_eq!(updated["created_at"], task["created_at"]);
    assert_eq!(
        app.get(&uri, Some(&token)).await.json(),
        updated,
        "the change was stored"
    );

    for body in [
        json!({"title": null}),
        json!({"title": ""}),
        json!({"title": "\u{0}"}),
        json!({"description": "\u{0}"}),
        json!({"done": "yes"}),
        json!({"description": 3}),
        json!([]),
        json!([true]),
        json!(null),
    ] {
        app.call("PATCH", &uri, Some(body), Some(&token))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn delete_is_204_then_404() {
    let (app, token) = app_and_token().await;
    let task = app
        .create_task(&token, json!({"title": "bye"}))
        .await
        .json();
    let uri = format!("/api/v1/tasks/{}", task["id"]);
    let res = app.call("DELETE", &uri, None, Some(&token)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(res.body.is_empty());
    app.get(&uri, Some(&token))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.call("DELETE", &uri, None, Some(&token))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn other_users_tasks_are_404_and_unlisted() {
    let (app, alice) = app_and_token().await;
    let bob = app.token_for("bob@example.com").await;
    let task = app
        .create_task(&alice, json!({"title": "private"}))
        .await
        .json();
    let uri = format!("/api/v1/tasks/{}", task["id"]);

    app.get(&uri, Some(&bob))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.call("PATCH", &uri, Some(json!({"done": true})), Some(&bob))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.call("DELETE", &uri, None, Some(&bob))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let list = app.get("/api/v1/tasks", Some(&bob)).await.json();
    assert_eq!(list["total"], 0);
    assert_eq!(
        app.get(&uri, Some(&alice)).await.json()["done"],
        false,
        "untouched"
    );
}

#[tokio::test]
async fn malformed_ids_are_404() {
    let (app, token) = app_and_token().await;
    for id in ["abc", "0", "-1", "1.5", "99999999999999999999"] {
        app.get(&format!("/api/v1/tasks/{id}"), Some(&token))
            .await
            .assert_problem(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn list_paginates_oldest_first() {
    let (app, token) = app_and_token().await;
    for i in 1..=5 {
        app.create_task(&token, json!({"title": format!("task {i}")}))
            .await;
    }
    let page = app.get("/api/v1/tasks", Some(&token)).await.json();
    assert_eq!(
        (
            page["total"].as_i64(),
            page["limit"].as_i64(),
            page["offset"].as_i64()
        ),
        (Some(5), Some(20), Some(0))
    );
    let titles: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["task 1", "task 2", "task 3", "task 4", "task 5"]);

    let page = app
        .get("/api/v1/tasks?limit=2&offset=3", Some(&token))
        .await
        .json();
    assert_eq!(page["total"], 5);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 3);
    let titles: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["task 4", "task 5"]);

    let past_the_end = app
        .get("/api/v1/tasks?offset=10", Some(&token))
        .await
        .json();
    assert_eq!(past_the_end["items"], json!([]));
}

#[tokio::test]
async fn bad_pagination_is_422() {
    let (app, token) = app_and_token().await;
    for query in ["limit=0", "limit=101", "limit=abc", "offset=-1", "offset=x"] {
        app.get(&format!("/api/v1/tasks?{query}"), Some(&token))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn huge_pagination_numbers_are_422_not_500() {
    let (app, token) = app_and_token().await;
    for query in [
        "offset=2147483648",
        "offset=9223372036854775807",
        "offset=9223372036854775808",
        "limit=9223372036854775808",
        "offset=1e400",
        "limit=1e400",
        "offset=99999999999999999999999999",
        "limit=-9223372036854775809",
    ] {
        app.get(&format!("/api/v1/tasks?{query}"), Some(&token))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The contract's largest offset is a valid, empty page on both databases.
    let res = app
        .get("/api/v1/tasks?offset=2147483647", Some(&token))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["items"], json!([]));
}

#[tokio::test]
async fn timestamps_are_stored_natively_and_read_back_unchanged() {
    let (app, token) = app_and_token().await;
    let created = app.create_task(&token, json!({"title": "t"})).await.json();
    let fetched = app
        .get(&format!("/api/v1/tasks/{}", created["id"]), Some(&token))
        .await
        .json();
    assert_eq!(fetched["created_at"], created["created_at"]);
    let at = created["created_at"].as_str().unwrap();
    assert_eq!(at.len(), "2026-01-31T09:05:03.123456Z".len(), "{at}");
    assert!(at.ends_with('Z'), "{at}");

    if let api::db::Db::Postgres(pool) = &app.pool {
        let types: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text || '.' || column_name::text, data_type::text \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name LIKE '%\\_at' ESCAPE '\\' \
             ORDER BY 1",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for table in ["users.", "tasks."] {
            assert!(types.iter().any(|(c, _)| c.starts_with(table)), "{types:?}");
        }
        for (column, data_type) in types {
            assert_eq!(data_type, "timestamp with time zone", "{column}");
        }
    }
}
