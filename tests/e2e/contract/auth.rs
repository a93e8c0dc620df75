//! Contract groups `register`, `login` and `tokens`: accounts, credentials, the rate limit, and
//! every kind of token a server must refuse with 401 + `WWW-Authenticate: Bearer`.

use serde_json::{Value, json};

use super::{Suite, field_problems, is_positive_int, is_utc_timestamp};
use crate::e2e::http::Request;
use crate::e2e::jwt::{self, Alg};

fn register_req(body: Value) -> Request {
    Request::new("POST", "/api/v1/auth/register").json(&body)
}

fn login_req(body: Value) -> Request {
    Request::new("POST", "/api/v1/auth/login").json(&body)
}

pub fn register(s: &mut Suite) {
    s.group("register");
    let email = s.email("alice");
    let typed = format!("  {}  ", email.to_uppercase());
    let password = "correct horse battery".to_string();
    s.secrets.push(password.clone());
    let ex = s.call(register_req(json!({"email": typed, "password": password})));
    if let Some(body) = s.expect_json(&ex, 201, "register with a mixed-case, padded email") {
        let wrong = field_problems(
            &body,
            &[
                ("id", &is_positive_int, "a positive integer"),
                (
                    "email",
                    &|v| v.as_str() == Some(email.as_str()),
                    "the email lower-cased and trimmed",
                ),
                ("created_at", &is_utc_timestamp, "an RFC 3339 UTC timestamp"),
            ],
        );
        if !wrong.is_empty() {
            s.fail(&format!("register body: {}", wrong.join("; ")), &ex);
        }
        if let Some(key) = body.as_object().and_then(|o| {
            o.keys()
                .find(|k| k.contains("password") || k.contains("hash"))
        }) {
            s.fail(&format!("register body exposes `{key}`"), &ex);
        }
    }

    let ex = s.call(register_req(
        json!({"email": email.to_uppercase(), "password": "another password"}),
    ));
    s.expect_problem(&ex, 409, "duplicate email in another case");

    let long_email = format!("{}@example.com", "a".repeat(243));
    for bad in [
        "no-at-sign.example.com",
        "a@localhost",
        "two words@example.com",
        "@example.com",
        "a@b@example.com",
        &long_email,
    ] {
        let ex = s.call(register_req(
            json!({"email": bad, "password": "long enough password"}),
        ));
        s.expect_problem(
            &ex,
            422,
            &format!(
                "invalid email {}",
                crate::e2e::http::excerpt(bad.as_bytes(), 40)
            ),
        );
    }
    let cases: [(&str, String); 4] = [
        ("7-character password", "a".repeat(7)),
        ("129-character password", "a".repeat(129)),
        ("7-character password of 14 bytes", "é".repeat(7)),
        ("empty password", String::new()),
    ];
    for (what, pw) in cases {
        let e = s.email("short");
        let ex = s.call(register_req(json!({"email": e, "password": pw})));
        s.expect_problem(&ex, 422, what);
    }
    for (what, pw) in [
        ("8-character password of 16 bytes", "é".repeat(8)),
        ("128-character password", "p".repeat(128)),
    ] {
        let e = s.email("edge");
        let ex = s.call(register_req(json!({"email": e, "password": pw})));
        s.expect_status(&ex, 201, what);
    }
    let e = s.email("types");
    for (what, body) in [
        ("missing password", json!({"email": e})),
        ("missing email", json!({"password": "long enough password"})),
        (
            "email is a number",
            json!({"email": 5, "password": "long enough password"}),
        ),
        ("body is an array", json!([])),
    ] {
        let ex = s.call(register_req(body));
        s.expect_problem(&ex, 422, what);
    }
    let ex = s.call(
        Request::new("POST", "/api/v1/auth/register").raw_json("{\"email\": \"x@example.com\","),
    );
    s.expect_problem(&ex, 400, "malformed JSON");
}

pub fn login(s: &mut Suite) {
    s.group("login");
    let Some(user) = s.user("login") else { return };
    let ttl = s.target.jwt_ttl_seconds;
    let secret = s.target.jwt_secret.as_bytes().to_vec();

    let ex = s.call(login_req(
        json!({"email": user.email.to_uppercase(), "password": user.password}),
    ));
    if let Some(body) = s.expect_json(&ex, 200, "login with the email in upper case") {
        let wrong = field_problems(
            &body,
            &[
                ("access_token", &|v| v.is_string(), "a string"),
                (
                    "token_type",
                    &|v| v.as_str() == Some("Bearer"),
                    "\"Bearer\"",
                ),
                (
                    "expires_in",
                    &|v| v.as_i64() == Some(ttl),
                    "JWT_TTL_SECONDS",
                ),
            ],
        );
        if !wrong.is_empty() {
            s.fail(&format!("login body: {}", wrong.join("; ")), &ex);
        }
        if let Some(token) = body.get("access_token").and_then(Value::as_str) {
            s.secrets.push(token.to_string());
            check_issued_token(s, token, user.id, ttl, &secret, &ex);
        }
    }

    let wrong_pw = s.call(login_req(
        json!({"email": user.email, "password": "not the password"}),
    ));
    s.expect_unauthorized(&wrong_pw, "wrong password");
    let nobody = s.email("nobody");
    let unknown = s.call(login_req(
        json!({"email": nobody, "password": "not the password"}),
    ));
    s.expect_unauthorized(&unknown, "unknown email");
    let same = |f: &str| {
        wrong_pw.json().and_then(|b| b.get(f).cloned())
            == unknown.json().and_then(|b| b.get(f).cloned())
    };
    if wrong_pw.status() == unknown.status() && !(same("title") && same("detail")) {
        let detail = format!("{wrong_pw}\n{unknown}");
        s.fail(
            "unknown email and wrong password must get the same answer (title, detail)",
            detail,
        );
    }
    let ex = s.call(Request::new("POST", "/api/v1/auth/login").raw_json("{\"email\":"));
    s.expect_problem(&ex, 400, "malformed JSON");
    let ex = s.call(login_req(json!({"email": user.email})));
    s.expect_problem(&ex, 422, "missing password");

    // The rate limit: 10 failures a minute for one email, then 429 whatever the password.
    s.group("login rate limit");
    let Some(victim) = s.user("ratelimit") else {
        return;
    };
    for attempt in 1..=10 {
        let ex = s.call(login_req(
            json!({"email": victim.email, "password": "wrong password!"}),
        ));
        if !matches!(ex.status(), Some(401)) {
            s.fail(
                &format!("failed attempt {attempt} of 10 should still be 401"),
                &ex,
            );
            break;
        }
    }
    for what in [
        "11th attempt (wrong password)",
        "12th attempt (right password)",
    ] {
        let password = if what.starts_with("11") {
            "wrong password!"
        } else {
            victim.password.as_str()
        };
        let ex = s.call(login_req(
            json!({"email": victim.email, "password": password}),
        ));
        if s.expect_problem(&ex, 429, what) {
            let retry = ex.header("retry-after").unwrap_or("");
            if !retry.trim().parse::<u64>().is_ok_and(|n| n >= 1) {
                s.fail(
                    &format!("{what}: Retry-After should be integer seconds >= 1 (got {retry:?})"),
                    &ex,
                );
            }
        }
    }
    let ex = s.call(login_req(
        json!({"email": user.email, "password": user.password}),
    ));
    s.expect_status(&ex, 200, "another email is not rate-limited");
}

/// The issued token: HS256 over JWT_SECRET, `sub` = user id as a string, `exp - iat` = TTL.
fn check_issued_token(
    s: &mut Suite,
    token: &str,
    id: i64,
    ttl: i64,
    secret: &[u8],
    ex: &super::Exchange,
) {
    let Some((header, claims)) = jwt::decode(token) else {
        s.fail("access_token is not a JWT", ex);
        return;
    };
    let mut wrong = Vec::new();
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        wrong.push(format!(
            "alg is {}, not HS256",
            header.get("alg").unwrap_or(&Value::Null)
        ));
    }
    if !jwt::verify_hs256(token, secret) {
        wrong.push("signature does not verify with JWT_SECRET from the environment".to_string());
    }
    if claims.get("sub").and_then(Value::as_str) != Some(id.to_string().as_str()) {
        wrong.push(format!(
            "sub is {}, not the string \"{id}\"",
            claims.get("sub").unwrap_or(&Value::Null)
        ));
    }
    match (
        claims.get("iat").and_then(Value::as_i64),
        claims.get("exp").and_then(Value::as_i64),
    ) {
        (Some(iat), Some(exp)) if (exp - iat - ttl).abs() <= 2 => {}
        (iat, exp) => wrong.push(format!(
            "iat {iat:?} / exp {exp:?} should be numbers {ttl} s apart"
        )),
    }
    if !wrong.is_empty() {
        s.fail(&format!("issued token: {}", wrong.join("; ")), ex);
    }
}

pub fn tokens(s: &mut Suite) {
    s.group("tokens");
    let Some(user) = s.user("tokens") else { return };
    let Some(other) = s.user("tokens-other") else {
        return;
    };
    let secret = s.target.jwt_secret.as_bytes().to_vec();
    let me = || Request::get("/api/v1/users/me");

    let ex = s.call(me().bearer(&user.token));
    if let Some(body) = s.expect_json(&ex, 200, "GET /users/me with the login token") {
        let wrong = field_problems(
            &body,
            &[
                ("id", &|v| v.as_i64() == Some(user.id), "the registered id"),
                (
                    "email",
                    &|v| v.as_str() == Some(user.email.as_str()),
                    "the registered email",
                ),
                ("created_at", &is_utc_timestamp, "an RFC 3339 UTC timestamp"),
            ],
        );
        if !wrong.is_empty() {
            s.fail(&format!("users/me body: {}", wrong.join("; ")), &ex);
        }
    }

    let now = jwt::now();
    let sub = user.id.to_string();
    let forged = jwt::forge(Alg::Hs256, &secret, &jwt::claims(&sub, now, now + 300));
    let ex = s.call(me().bearer(&forged));
    s.expect_status(
        &ex,
        200,
        "a token the harness signed with JWT_SECRET (is JWT_SECRET from the environment used?)",
    );

    let refused: Vec<(&str, Request)> = vec![
        ("missing Authorization header", me()),
        ("malformed token", me().bearer("not-a-jwt")),
        (
            "malformed token with three parts",
            me().bearer("abc.def.ghi"),
        ),
        (
            "wrong scheme",
            me().header("Authorization", &format!("Token {}", user.token)),
        ),
        (
            "tampered signature (sub changed)",
            me().bearer(&jwt::tamper(
                &user.token,
                &jwt::claims(&other.id.to_string(), now, now + 300),
            )),
        ),
        (
            "signed with another secret",
            me().bearer(&jwt::forge(
                Alg::Hs256,
                b"not-the-secret",
                &jwt::claims(&sub, now, now + 300),
            )),
        ),
        (
            "expired token",
            me().bearer(&jwt::forge(
                Alg::Hs256,
                &secret,
                &jwt::claims(&sub, now - 7200, now - 3600),
            )),
        ),
        (
            "alg:none token",
            me().bearer(&jwt::forge(
                Alg::None,
                &secret,
                &jwt::claims(&sub, now, now + 300),
            )),
        ),
        (
            "HS512 token (only HS256 is accepted)",
            me().bearer(&jwt::forge(
                Alg::Hs512,
                &secret,
                &jwt::claims(&sub, now, now + 300),
            )),
        ),
        (
            "token of a user that does not exist",
            me().bearer(&jwt::forge(
                Alg::Hs256,
                &secret,
                &jwt::claims("987654321", now, now + 300),
            )),
        ),
        (
            "token whose sub is not a number",
            me().bearer(&jwt::forge(
                Alg::Hs256,
                &secret,
                &jwt::claims("abc", now, now + 300),
            )),
        ),
    ];
    for (what, req) in refused {
        let ex = s.call(req);
        s.expect_unauthorized(&ex, what);
    }
}
