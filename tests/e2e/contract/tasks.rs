//! Contract groups `tasks`, `ownership` and `pagination`: the task resource, its validation,
//! owner-only access across two users, and `limit`/`offset` bounds and ordering.

use serde_json::{Value, json};

use super::{Exchange, Suite, User, field_problems, is_positive_int, is_utc_timestamp};
use crate::e2e::http::Request;
use crate::e2e::rfc3339;

const TASKS: &str = "/api/v1/tasks";

fn task_path(id: impl std::fmt::Display) -> String {
    format!("{TASKS}/{id}")
}

fn create(token: &str, body: Value) -> Request {
    Request::new("POST", TASKS).bearer(token).json(&body)
}

/// Checks the shape of a task body and returns its id.
fn check_task(s: &mut Suite, ex: &Exchange, body: &Value, what: &str) -> Option<i64> {
    let wrong = field_problems(
        body,
        &[
            ("id", &is_positive_int, "a positive integer"),
            ("title", &|v| v.is_string(), "a string"),
            (
                "description",
                &|v| v.is_null() || v.is_string(),
                "a string or null",
            ),
            ("done", &|v| v.is_boolean(), "a boolean"),
            ("created_at", &is_utc_timestamp, "an RFC 3339 UTC timestamp"),
            ("updated_at", &is_utc_timestamp, "an RFC 3339 UTC timestamp"),
        ],
    );
    if !wrong.is_empty() {
        s.fail(&format!("{what}: task body: {}", wrong.join("; ")), ex);
    }
    body.get("id").and_then(Value::as_i64)
}

fn ts(body: &Value, field: &str) -> Option<rfc3339::Instant> {
    body.get(field)
        .and_then(Value::as_str)
        .and_then(|t| rfc3339::parse(t, false))
}

pub fn crud(s: &mut Suite) {
    s.group("tasks");
    let Some(user) = s.user("tasks") else { return };
    let t = user.token.as_str();

    // Unauthenticated access to every task route.
    for req in [
        Request::get(TASKS),
        Request::new("POST", TASKS).json(&json!({"title": "x"})),
        Request::get(&task_path(1)),
        Request::new("PATCH", &task_path(1)).json(&json!({"done": true})),
        Request::new("DELETE", &task_path(1)),
    ] {
        let what = format!("{} {} without a token", req.method, req.path);
        let ex = s.call(req);
        s.expect_unauthorized(&ex, &what);
    }

    let ex = s.call(create(t, json!({"title": "Buy milk"})));
    let Some(created) = s.expect_json(&ex, 201, "create a task") else {
        return;
    };
    let Some(id) = check_task(s, &ex, &created, "create") else {
        return;
    };
    let wrong = field_problems(
        &created,
        &[
            ("title", &|v| v.as_str() == Some("Buy milk"), "\"Buy milk\""),
            ("description", &|v| v.is_null(), "null by default"),
            ("done", &|v| v.as_bool() == Some(false), "false by default"),
        ],
    );
    if !wrong.is_empty() {
        s.fail(&format!("create defaults: {}", wrong.join("; ")), &ex);
    }
    let location = ex.header("location").unwrap_or("").to_string();
    let want = task_path(id);
    if !(location == want || (location.starts_with("http") && location.ends_with(&want))) {
        s.fail(
            &format!("create: Location should be {want} (got {location:?})"),
            &ex,
        );
    }

    let ex = s.call(create(
        t,
        json!({"title": "Walk", "description": "the dog", "done": true, "unknown_field": 1}),
    ));
    if let Some(body) = s.expect_json(
        &ex,
        201,
        "create with description, done and an unknown field",
    ) {
        check_task(s, &ex, &body, "create with all fields");
        if body.get("description") != Some(&json!("the dog"))
            || body.get("done") != Some(&json!(true))
        {
            s.fail("create with all fields: description/done not stored", &ex);
        }
    }
    let boundaries: [(&str, Value, u16); 14] = [
        (
            "200-character title (multi-byte)",
            json!({"title": "é".repeat(200)}),
            201,
        ),
        (
            "2000-character description",
            json!({"title": "x", "description": "d".repeat(2000)}),
            201,
        ),
        (
            "201-character title",
            json!({"title": "t".repeat(201)}),
            422,
        ),
        ("empty title", json!({"title": ""}), 422),
        ("blank title", json!({"title": "   "}), 422),
        ("missing title", json!({"description": "no title"}), 422),
        ("null title", json!({"title": null}), 422),
        ("title is a number", json!({"title": 5}), 422),
        (
            "2001-character description",
            json!({"title": "x", "description": "d".repeat(2001)}),
            422,
        ),
        (
            "description is a number",
            json!({"title": "x", "description": 5}),
            422,
        ),
        ("done is \"yes\"", json!({"title": "x", "done": "yes"}), 422),
        (
            "done is a string \"true\"",
            json!({"title": "x", "done": "true"}),
            422,
        ),
        ("body is an array", json!([{"title": "x"}]), 422),
        ("body is a string", json!("title"), 422),
    ];
    for (what, body, status) in boundaries {
        let ex = s.call(create(t, body));
        if status == 201 {
            s.expect_status(&ex, 201, &format!("create: {what}"));
        } else {
            s.expect_problem(&ex, status, &format!("create: {what}"));
        }
    }

    let ex = s.call(Request::get(&want).bearer(t));
    if let Some(body) = s.expect_json(&ex, 200, "get own task") {
        if body != created {
            s.fail(
                &format!("get own task: body differs from the created task {created}"),
                &ex,
            );
        }
    }
    for bad in [
        "999999999",
        "abc",
        "0",
        "-1",
        "1.5",
        "99999999999999999999999",
    ] {
        let ex = s.call(Request::get(&task_path(bad)).bearer(t));
        s.expect_problem(&ex, 404, &format!("get task id {bad}"));
    }

    // PATCH: one second later, so a changed updated_at is visible even at second precision.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let ex = s.call(
        Request::new("PATCH", &want)
            .bearer(t)
            .json(&json!({"done": true})),
    );
    let mut current = created.clone();
    if let Some(body) = s.expect_json(&ex, 200, "patch done=true") {
        check_task(s, &ex, &body, "patch");
        if body.get("done") != Some(&json!(true)) || body.get("title") != created.get("title") {
            s.fail("patch done=true: done not set or title changed", &ex);
        }
        if body.get("created_at") != created.get("created_at") {
            s.fail("patch: created_at changed", &ex);
        }
        match (ts(&created, "updated_at"), ts(&body, "updated_at")) {
            (Some(before), Some(after)) if after > before => {}
            _ => s.fail(
                &format!(
                    "patch: updated_at not bumped (was {})",
                    created["updated_at"]
                ),
                &ex,
            ),
        }
        current = body;
    }
    let ex = s.call(Request::new("PATCH", &want).bearer(t).json(&json!({})));
    if let Some(body) = s.expect_json(&ex, 200, "patch {} (a no-op)") {
        if body != current {
            s.fail(
                &format!("patch {{}}: should change nothing, was {current}"),
                &ex,
            );
        }
    }
    let ex = s.call(
        Request::new("PATCH", &want)
            .bearer(t)
            .json(&json!({"description": "set"})),
    );
    if let Some(body) = s.expect_json(&ex, 200, "patch description") {
        if body.get("description") != Some(&json!("set")) {
            s.fail("patch description: not set", &ex);
        }
    }
    let ex = s.call(
        Request::new("PATCH", &want)
            .bearer(t)
            .json(&json!({"description": null})),
    );
    if let Some(body) = s.expect_json(&ex, 200, "patch description=null") {
        if !body.get("description").is_some_and(Value::is_null) {
            s.fail("patch description=null: should clear it", &ex);
        }
    }
    for (what, body) in [
        ("title null", json!({"title": null})),
        ("title empty", json!({"title": ""})),
        ("201-character title", json!({"title": "t".repeat(201)})),
        ("done \"yes\"", json!({"done": "yes"})),
        (
            "2001-character description",
            json!({"description": "d".repeat(2001)}),
        ),
    ] {
        let ex = s.call(Request::new("PATCH", &want).bearer(t).json(&body));
        s.expect_problem(&ex, 422, &format!("patch {what}"));
    }
    let ex = s.call(
        Request::new("PATCH", &want)
            .bearer(t)
            .raw_json("{\"done\": tru"),
    );
    s.expect_problem(&ex, 400, "patch with malformed JSON");
    for bad in ["999999999", "abc"] {
        let ex = s.call(
            Request::new("PATCH", &task_path(bad))
                .bearer(t)
                .json(&json!({"done": true})),
        );
        s.expect_problem(&ex, 404, &format!("patch task id {bad}"));
    }

    let ex = s.call(Request::new("DELETE", &want).bearer(t));
    let deleted = s.expect_status(&ex, 204, "delete own task");
    if deleted && ex.resp.as_ref().is_ok_and(|r| !r.body.is_empty()) {
        s.fail("delete: 204 must have an empty body", &ex);
    }
    let ex = s.call(Request::get(&want).bearer(t));
    s.expect_problem(&ex, 404, "get a deleted task");
    let ex = s.call(Request::new("DELETE", &want).bearer(t));
    s.expect_problem(&ex, 404, "delete a deleted task");
    let ex = s.call(
        Request::new("PATCH", &want)
            .bearer(t)
            .json(&json!({"done": false})),
    );
    s.expect_problem(&ex, 404, "patch a deleted task");
    let ex = s.call(Request::new("DELETE", &task_path("abc")).bearer(t));
    s.expect_problem(&ex, 404, "delete task id abc");
}

pub fn ownership(s: &mut Suite) {
    s.group("ownership");
    let (Some(alice), Some(bob)) = (s.user("owner"), s.user("intruder")) else {
        return;
    };
    let ex = s.call(create(&alice.token, json!({"title": "alice's secret"})));
    let Some(task) = s.expect_json(&ex, 201, "alice creates a task") else {
        return;
    };
    let Some(id) = task.get("id").and_then(Value::as_i64) else {
        return;
    };
    let path = task_path(id);

    let ex = s.call(Request::get(&path).bearer(&bob.token));
    s.expect_problem(&ex, 404, "bob reads alice's task");
    let ex = s.call(
        Request::new("PATCH", &path)
            .bearer(&bob.token)
            .json(&json!({"title": "pwned", "done": true})),
    );
    s.expect_problem(&ex, 404, "bob patches alice's task");
    let ex = s.call(Request::new("DELETE", &path).bearer(&bob.token));
    s.expect_problem(&ex, 404, "bob deletes alice's task");
    let ex = s.call(Request::get(TASKS).bearer(&bob.token));
    if let Some(body) = s.expect_json(&ex, 200, "bob lists tasks") {
        let ids = item_ids(&body);
        if ids.contains(&id) || body.get("total") != Some(&json!(0)) {
            s.fail("bob's list shows alice's task (or total is not 0)", &ex);
        }
    }
    let ex = s.call(Request::get(&path).bearer(&alice.token));
    if let Some(body) = s.expect_json(&ex, 200, "alice still reads her task after bob's attempts") {
        if body.get("title") != task.get("title") || body.get("done") != task.get("done") {
            s.fail("alice's task was changed by bob", &ex);
        }
    }
    let ex = s.call(create(&bob.token, json!({"title": "bob's"})));
    if let Some(bob_task) = s.expect_json(&ex, 201, "bob creates a task") {
        if let Some(bob_id) = bob_task.get("id").and_then(Value::as_i64) {
            let ex = s.call(Request::get(&task_path(bob_id)).bearer(&alice.token));
            s.expect_problem(&ex, 404, "alice reads bob's task");
        }
    }
}

fn item_ids(list: &Value) -> Vec<i64> {
    list.get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|t| t.get("id").and_then(Value::as_i64))
                .collect()
        })
        .unwrap_or_default()
}

pub fn pagination(s: &mut Suite) {
    s.group("pagination");
    let Some(user) = s.user("pager") else { return };
    let Some(other) = s.user("pager-other") else {
        return;
    };
    let _ = s.call(create(&other.token, json!({"title": "someone else's"})));
    let mut ids = Vec::new();
    for n in 0..23 {
        let ex = s.call(create(&user.token, json!({"title": format!("task {n}")})));
        match ex.json().and_then(|b| b.get("id").and_then(Value::as_i64)) {
            Some(id) if ex.status() == Some(201) => ids.push(id),
            _ => {
                s.fail("could not create the 23 tasks to page through", &ex);
                return;
            }
        }
    }
    let mut sorted = ids.clone();
    sorted.sort();
    if sorted != ids {
        s.fail(
            "ids are not increasing in creation order",
            format!("ids: {ids:?}"),
        );
    }
    let cases: [(&str, usize, usize, usize); 5] = [
        ("", 20, 0, 20),
        ("?limit=5&offset=20", 5, 20, 3),
        ("?limit=100", 100, 0, 23),
        ("?limit=1&offset=22", 1, 22, 1),
        ("?offset=100", 20, 100, 0),
    ];
    for (query, limit, offset, count) in cases {
        let ex = s.call(Request::get(&format!("{TASKS}{query}")).bearer(&user.token));
        let what = format!("GET {TASKS}{query}");
        let Some(body) = s.expect_json(&ex, 200, &what) else {
            continue;
        };
        let want_ids: Vec<i64> = ids.iter().copied().skip(offset).take(count).collect();
        let mut wrong = Vec::new();
        if body.get("total") != Some(&json!(23)) {
            wrong.push(format!(
                "total should be 23 (own tasks only), got {}",
                body.get("total").unwrap_or(&Value::Null)
            ));
        }
        if body.get("limit") != Some(&json!(limit)) || body.get("offset") != Some(&json!(offset)) {
            wrong.push(format!("limit/offset should echo {limit}/{offset}"));
        }
        if item_ids(&body) != want_ids {
            wrong.push(format!(
                "items should be ids {want_ids:?} (oldest first), got {:?}",
                item_ids(&body)
            ));
        }
        if !wrong.is_empty() {
            s.fail(&format!("{what}: {}", wrong.join("; ")), &ex);
        }
    }
    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=-1",
        "limit=1.5",
        "offset=-1",
        "offset=abc",
    ] {
        let ex = s.call(Request::get(&format!("{TASKS}?{query}")).bearer(&user.token));
        s.expect_problem(&ex, 422, &format!("GET {TASKS}?{query}"));
    }
}

/// For `ops::metrics`: a user with one task, or `None` (already reported).
pub fn user_with_task(s: &mut Suite) -> Option<(User, String)> {
    let user = s.user("metrics")?;
    let ex = s.call(create(&user.token, json!({"title": "counted"})));
    let body = s.expect_json(&ex, 201, "create a task to count")?;
    let id = body.get("id").and_then(Value::as_i64)?;
    Some((user, task_path(id)))
}
