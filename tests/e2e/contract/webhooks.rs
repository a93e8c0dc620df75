//! Contract group `webhooks` (docs/contract.md, "Webhooks and the background worker"): the
//! endpoint routes, one signed event per create/complete/delete delivered to a receiver the
//! suite runs on 127.0.0.1, retries until a flaky receiver answers, the deliveries list (owner
//! only, paginated), and nothing sent once the endpoint is removed.
//!
//! Runs only when the served project declares the routes (a `--jobs none` project has none).
//! The server was started with `WEBHOOK_ALLOW_LOOPBACK=true` and a 200 ms backoff base
//! (`runner::server_env`), so a delivery arrives within seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::{Exchange, Suite, User};
use crate::e2e::http::Request;
use crate::e2e::receiver::{Received, Receiver, verify};

const WEBHOOK: &str = "/api/v1/users/me/webhook";
const DELIVERIES: &str = "/api/v1/webhook-deliveries";
const TASKS: &str = "/api/v1/tasks";
/// How long a delivery may take to arrive (docs/contract.md: within 10 s).
const ARRIVAL: Duration = Duration::from_secs(10);

/// Whether the project declares the webhook routes.
pub fn declared(s: &Suite) -> bool {
    s.target
        .committed_openapi
        .as_ref()
        .and_then(|doc| doc.get("paths"))
        .is_some_and(|paths| paths.get(WEBHOOK).is_some())
}

pub fn webhooks(s: &mut Suite) {
    s.group("webhooks");
    if !declared(s) {
        return;
    }
    let receiver = match Receiver::start() {
        Ok(r) => r,
        Err(e) => {
            s.fail("cannot start the suite's receiver", e);
            return;
        }
    };
    let Some(user) = s.user("hooks") else { return };
    let Some(other) = s.user("hooks-other") else {
        return;
    };
    routes(s, &user, &receiver);
    let Some(secret) = set(s, &user, &receiver.url("/hooks/a")) else {
        return;
    };
    events(s, &user, &receiver, &secret);
    deliveries(s, &user, &other);
    retries(s, &other, &receiver);
    removal(s, &user, &receiver);
}

fn put(token: &str, body: Value) -> Request {
    Request::new("PUT", WEBHOOK).bearer(token).json(&body)
}

/// Authentication, validation and the GET-before-PUT of the endpoint routes.
fn routes(s: &mut Suite, user: &User, receiver: &Receiver) {
    for req in [
        Request::get(WEBHOOK),
        Request::new("PUT", WEBHOOK).json(&json!({"url": receiver.url("/x")})),
        Request::new("DELETE", WEBHOOK),
        Request::get(DELIVERIES),
    ] {
        let what = format!("{} {} without a token", req.method, req.path);
        let ex = s.call(req);
        s.expect_unauthorized(&ex, &what);
    }
    let ex = s.call(Request::get(WEBHOOK).bearer(&user.token));
    s.expect_problem(&ex, 404, "GET the webhook before one is set");
    let url = receiver.url("/x");
    for (body, what) in [
        (json!({}), "no url"),
        (json!({"url": null}), "a null url"),
        (json!({"url": 5}), "a number as url"),
        (json!({"url": "ftp://example.com/x"}), "an ftp URL"),
        (json!({"url": "not a url"}), "text that is no URL"),
        (
            json!({"url": "http://user:pw@example.com/"}),
            "a URL with user info",
        ),
        (
            json!({"url": "https://example.com/#frag"}),
            "a URL with a fragment",
        ),
        (
            json!({"url": format!("https://example.com/{}", "a".repeat(2048))}),
            "a URL over 2048 characters",
        ),
        (
            json!({"url": url, "secret": "whsec_short"}),
            "a too-short secret",
        ),
        (
            json!({"url": url, "secret": "plain-text-secret-of-some-length-0123456789"}),
            "a secret without whsec_",
        ),
        (json!({"url": url, "secret": 42}), "a number as secret"),
    ] {
        let ex = s.call(put(&user.token, body));
        s.expect_problem(&ex, 422, &format!("PUT the webhook with {what}"));
    }
    let ex = s.call(
        Request::new("PUT", WEBHOOK)
            .bearer(&user.token)
            .header("Content-Type", "text/plain")
            .raw_json(format!("{{\"url\":\"{url}\"}}")),
    );
    s.expect_problem(&ex, 415, "PUT the webhook as text/plain");
}

/// Sets the endpoint, checks the answers of PUT and GET, and returns the secret.
fn set(s: &mut Suite, user: &User, url: &str) -> Option<String> {
    // A caller-chosen secret is taken as given...
    let chosen = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let ex = s.call(put(&user.token, json!({"url": url, "secret": chosen})));
    let body = s.expect_json(&ex, 200, "PUT the webhook with a secret")?;
    if body.get("secret").and_then(Value::as_str) != Some(chosen) {
        s.fail("PUT with a secret: the answer should echo that secret", &ex);
    }
    // ...and without one the server makes one, shown once.
    let ex = s.call(put(&user.token, json!({"url": url})));
    let body = s.expect_json(&ex, 200, "PUT the webhook")?;
    let secret = body.get("secret").and_then(Value::as_str).map(String::from);
    let wrong = super::field_problems(
        &body,
        &[
            ("url", &|v| v.as_str() == Some(url), "the URL sent"),
            (
                "secret",
                &|v| {
                    v.as_str()
                        .is_some_and(|t| t.starts_with("whsec_") && t.len() >= 38)
                },
                "a whsec_ secret",
            ),
            (
                "created_at",
                &super::is_utc_timestamp,
                "an RFC 3339 UTC timestamp",
            ),
            (
                "updated_at",
                &super::is_utc_timestamp,
                "an RFC 3339 UTC timestamp",
            ),
        ],
    );
    if !wrong.is_empty() {
        s.fail(&format!("PUT the webhook: {}", wrong.join("; ")), &ex);
    }
    if secret.as_deref() == Some(chosen) {
        s.fail(
            "PUT without a secret kept the old one; it should make a new one",
            &ex,
        );
    }
    let ex = s.call(Request::get(WEBHOOK).bearer(&user.token));
    if let Some(body) = s.expect_json(&ex, 200, "GET the webhook") {
        if body.get("secret").is_some()
            || ex
                .resp
                .as_ref()
                .is_ok_and(|r| secret.as_deref().is_some_and(|sec| r.text().contains(sec)))
        {
            s.fail(
                "GET the webhook shows the secret; only PUT's answer may",
                &ex,
            );
        }
        if body.get("url").and_then(Value::as_str) != Some(url) {
            s.fail("GET the webhook: `url` should be the URL set", &ex);
        }
    }
    secret
}

/// Problems with one delivered request: method, headers, signature, body.
fn delivery_problems(secret: &str, got: &Received, event: &str, task_id: i64) -> Vec<String> {
    let mut wrong = Vec::new();
    if got.method != "POST" {
        wrong.push(format!("method {} (should be POST)", got.method));
    }
    let media = got.header("content-type").unwrap_or("");
    if !media.to_ascii_lowercase().starts_with("application/json") {
        wrong.push(format!(
            "Content-Type {media:?} (should be application/json)"
        ));
    }
    let (Some(id), Some(ts), Some(sig)) = (
        got.header("webhook-id"),
        got.header("webhook-timestamp"),
        got.header("webhook-signature"),
    ) else {
        wrong.push("Webhook-Id, Webhook-Timestamp and Webhook-Signature must all be sent".into());
        return wrong;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    match ts.parse::<i64>() {
        Ok(t) if (t - now).abs() <= 300 => {}
        _ => wrong.push(format!(
            "Webhook-Timestamp {ts:?} is not the Unix time in seconds"
        )),
    }
    if !verify(secret, id, ts, &got.body, sig) {
        wrong.push(format!(
            "Webhook-Signature {sig:?} is not v1,base64(HMAC-SHA256(key, id.timestamp.body))"
        ));
    }
    match got.json() {
        Some(body) => {
            if body.get("type").and_then(Value::as_str) != Some(event) {
                wrong.push(format!("`type` is {:?}, not {event:?}", body.get("type")));
            }
            if !body.get("timestamp").is_some_and(super::is_utc_timestamp) {
                wrong.push("`timestamp` is not an RFC 3339 UTC timestamp".into());
            }
            if body.pointer("/data/id").and_then(Value::as_i64) != Some(task_id) {
                wrong.push(format!("`data.id` is not the task's id {task_id}"));
            }
        }
        None => wrong.push("the body is not JSON".into()),
    }
    wrong
}

fn describe(got: &[Received]) -> String {
    if got.is_empty() {
        return "the receiver got nothing".into();
    }
    got.iter()
        .map(|r| {
            format!(
                "{} {} headers {:?} body {}",
                r.method,
                r.path,
                r.headers,
                String::from_utf8_lossy(&r.body)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits for the `n`-th request to `path` and checks it is `event` about `task_id`.
fn expect_event(
    s: &mut Suite,
    receiver: &Receiver,
    secret: &str,
    n: usize,
    event: &str,
    task_id: i64,
) -> Option<Received> {
    let (arrived, got) = receiver.wait_for("/hooks/a", ARRIVAL, |r| r.len() >= n);
    if !arrived {
        s.fail(
            &format!("no {event} delivery within {} s", ARRIVAL.as_secs()),
            describe(&got),
        );
        return None;
    }
    let last = got[n - 1].clone();
    let wrong = delivery_problems(secret, &last, event, task_id);
    if !wrong.is_empty() {
        s.fail(
            &format!("the {event} delivery: {}", wrong.join("; ")),
            describe(std::slice::from_ref(&last)),
        );
    }
    Some(last)
}

fn task_id(s: &mut Suite, ex: &Exchange, status: u16, what: &str) -> Option<i64> {
    s.expect_json(ex, status, what)?
        .get("id")
        .and_then(Value::as_i64)
}

/// One event each for create, complete (false -> true only) and delete.
fn events(s: &mut Suite, user: &User, receiver: &Receiver, secret: &str) {
    let t = &user.token;
    let ex = s.call(
        Request::new("POST", TASKS)
            .bearer(t)
            .json(&json!({"title": "hook me"})),
    );
    let Some(id) = task_id(s, &ex, 201, "create a task with a webhook set") else {
        return;
    };
    let Some(created) = expect_event(s, receiver, secret, 1, "task.created", id) else {
        return;
    };
    let path = format!("{TASKS}/{id}");
    let ex = s.call(
        Request::new("PATCH", &path)
            .bearer(t)
            .json(&json!({"done": true})),
    );
    s.expect_json(&ex, 200, "complete the task");
    let Some(completed) = expect_event(s, receiver, secret, 2, "task.completed", id) else {
        return;
    };
    if created.header("webhook-id") == completed.header("webhook-id") {
        s.fail(
            "two events carry the same Webhook-Id; each event needs its own",
            describe(&[created, completed]),
        );
    }
    // Neither true -> true nor a title change is a completion.
    let ex = s.call(
        Request::new("PATCH", &path)
            .bearer(t)
            .json(&json!({"done": true})),
    );
    s.expect_json(&ex, 200, "complete the task again");
    let ex = s.call(
        Request::new("PATCH", &path)
            .bearer(t)
            .json(&json!({"title": "renamed"})),
    );
    s.expect_json(&ex, 200, "rename the task");
    let ex = s.call(Request::new("DELETE", &path).bearer(t));
    s.expect_status(&ex, 204, "delete the task");
    let Some(deleted) = expect_event(s, receiver, secret, 3, "task.deleted", id) else {
        return;
    };
    if deleted
        .json()
        .and_then(|b| b.pointer("/data/title").cloned())
        != Some(json!("renamed"))
    {
        s.fail(
            "task.deleted: `data` should be the task as it was before the delete",
            describe(&[deleted]),
        );
    }
    std::thread::sleep(Duration::from_millis(1500));
    let got = receiver.requests("/hooks/a");
    if got.len() != 3 {
        s.fail(
            "expected exactly 3 deliveries (created, completed, deleted); a repeated completion or a rename sends nothing",
            describe(&got),
        );
    }
}

/// The deliveries list: shape, statuses, owner-only, pagination bounds.
fn deliveries(s: &mut Suite, user: &User, other: &User) {
    let ex = s.call(Request::get(DELIVERIES).bearer(&user.token));
    let Some(body) = s.expect_json(&ex, 200, "list deliveries") else {
        return;
    };
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if body.get("total").and_then(Value::as_i64) != Some(3) || items.len() != 3 {
        s.fail(
            "list deliveries: expected the 3 deliveries of this user (total 3)",
            &ex,
        );
    }
    let types: Vec<&str> = items
        .iter()
        .filter_map(|i| i.get("event_type").and_then(Value::as_str))
        .collect();
    if types != ["task.created", "task.completed", "task.deleted"] {
        s.fail(
            &format!("list deliveries: event types in id order should be created, completed, deleted (got {types:?})"),
            &ex,
        );
    }
    for item in &items {
        let wrong = super::field_problems(
            item,
            &[
                ("id", &super::is_positive_int, "a positive integer"),
                (
                    "event_id",
                    &|v| v.as_str().is_some_and(|t| !t.is_empty()),
                    "a string",
                ),
                (
                    "status",
                    &|v| v.as_str() == Some("delivered"),
                    "\"delivered\"",
                ),
                ("attempts", &|v| v.as_i64() == Some(1), "1"),
                ("last_status_code", &|v| v.as_i64() == Some(200), "200"),
                ("next_attempt_at", &Value::is_null, "null once delivered"),
                (
                    "created_at",
                    &super::is_utc_timestamp,
                    "an RFC 3339 UTC timestamp",
                ),
                (
                    "updated_at",
                    &super::is_utc_timestamp,
                    "an RFC 3339 UTC timestamp",
                ),
            ],
        );
        if !wrong.is_empty() {
            s.fail(&format!("a delivery: {}", wrong.join("; ")), &ex);
            break;
        }
    }
    let ex = s.call(Request::get(&format!("{DELIVERIES}?limit=1&offset=2")).bearer(&user.token));
    if let Some(page) = s.expect_json(&ex, 200, "list deliveries ?limit=1&offset=2") {
        let ids: Vec<Option<&Value>> = page
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|i| i.get("id")).collect())
            .unwrap_or_default();
        if ids != [items.get(2).and_then(|i| i.get("id"))] || page.get("limit") != Some(&json!(1)) {
            s.fail(
                "list deliveries ?limit=1&offset=2: should be the third delivery alone",
                &ex,
            );
        }
    }
    for query in [
        "?limit=0",
        "?limit=101",
        "?offset=-1",
        "?limit=abc",
        "?offset=2147483648",
    ] {
        let ex = s.call(Request::get(&format!("{DELIVERIES}{query}")).bearer(&user.token));
        s.expect_problem(&ex, 422, &format!("list deliveries {query}"));
    }
    let ex = s.call(Request::get(DELIVERIES).bearer(&other.token));
    if let Some(body) = s.expect_json(&ex, 200, "another user lists deliveries")
        && body.get("total").and_then(Value::as_i64) != Some(0)
    {
        s.fail(
            "another user sees deliveries that are not theirs (owner-only)",
            &ex,
        );
    }
}

/// A receiver that answers 500 three times sees the fourth attempt, and the delivery ends
/// `delivered` after 4 attempts.
fn retries(s: &mut Suite, user: &User, receiver: &Receiver) {
    receiver.plan("/hooks/flaky", &[500, 500, 500]);
    let ex = s.call(put(
        &user.token,
        json!({"url": receiver.url("/hooks/flaky")}),
    ));
    let Some(secret) = s
        .expect_json(&ex, 200, "PUT a second user's webhook")
        .and_then(|b| b.get("secret").and_then(Value::as_str).map(String::from))
    else {
        return;
    };
    let ex = s.call(
        Request::new("POST", TASKS)
            .bearer(&user.token)
            .json(&json!({"title": "retry me"})),
    );
    let Some(id) = task_id(s, &ex, 201, "create a task for the flaky receiver") else {
        return;
    };
    // Backoff base 200 ms: the delays are at most 0.2 + 0.4 + 0.8 s, plus polling.
    let (arrived, got) =
        receiver.wait_for("/hooks/flaky", ARRIVAL + Duration::from_secs(10), |r| {
            r.len() >= 4
        });
    if !arrived {
        s.fail(
            "a receiver that answers 500 three times never saw the fourth attempt within 20 s",
            describe(&got),
        );
        return;
    }
    let ids: Vec<Option<&str>> = got.iter().map(|r| r.header("webhook-id")).collect();
    if ids.iter().any(|i| *i != ids[0]) {
        s.fail("retries must keep the event's Webhook-Id", describe(&got));
    }
    // With jitter in [d/2, d] the three waits add up to at least 0.1 + 0.2 + 0.4 s: retrying
    // at once is not backing off.
    let span = got[3].at.duration_since(got[0].at);
    if span < Duration::from_millis(650) {
        s.fail(
            &format!(
                "four attempts within {} ms: retries must back off (WEBHOOK_BACKOFF_BASE_MS=200)",
                span.as_millis()
            ),
            describe(&got),
        );
    }
    let wrong = delivery_problems(&secret, &got[3], "task.created", id);
    if !wrong.is_empty() {
        s.fail(
            &format!("the fourth attempt: {}", wrong.join("; ")),
            describe(&got[3..4]),
        );
    }
    // The list catches up once the worker has recorded the success.
    let start = std::time::Instant::now();
    loop {
        let ex = s.call(Request::get(DELIVERIES).bearer(&user.token));
        let item = ex
            .json()
            .and_then(|b| b.pointer("/items/0").cloned())
            .unwrap_or(Value::Null);
        let done = item.get("status").and_then(Value::as_str) == Some("delivered");
        if done {
            if item.get("attempts").and_then(Value::as_i64) != Some(4)
                || item.get("last_status_code").and_then(Value::as_i64) != Some(200)
            {
                s.fail(
                    "the retried delivery should show attempts 4 and last_status_code 200",
                    &ex,
                );
            }
            break;
        }
        if start.elapsed() > Duration::from_secs(5) {
            s.fail(
                "the retried delivery is not `delivered` 5 s after the receiver took it",
                &ex,
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// DELETE is idempotent, GET is 404 afterwards, and no more events are sent.
fn removal(s: &mut Suite, user: &User, receiver: &Receiver) {
    for n in 1..=2 {
        let ex = s.call(Request::new("DELETE", WEBHOOK).bearer(&user.token));
        s.expect_status(&ex, 204, &format!("DELETE the webhook (time {n})"));
    }
    let ex = s.call(Request::get(WEBHOOK).bearer(&user.token));
    s.expect_problem(&ex, 404, "GET the webhook after DELETE");
    let before = receiver.requests("/hooks/a").len();
    let ex = s.call(
        Request::new("POST", TASKS)
            .bearer(&user.token)
            .json(&json!({"title": "nobody listens"})),
    );
    s.expect_status(&ex, 201, "create a task without a webhook");
    std::thread::sleep(Duration::from_millis(1500));
    let got = receiver.requests("/hooks/a");
    if got.len() != before {
        s.fail(
            "an event was delivered after the webhook was removed",
            describe(&got[before..]),
        );
    }
}
