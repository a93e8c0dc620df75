"""Operations endpoints and the HTTP rules every response follows."""

import re

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
MIB = 1024 * 1024


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_is_unreachable(app, client: TestClient) -> None:
    from sqlalchemy import create_engine

    # A database that cannot be opened stands in for one that went away.
    app.state.engine = create_engine("sqlite:////nonexistent-folder/never/db.sqlite")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert "sqlite" not in response.text.lower()  # no driver error reaches the client


def test_metrics_use_route_templates(client: TestClient, login_as) -> None:
    headers = login_as("ada@example.com")
    task = client.post("/api/v1/tasks", json={"title": "x"}, headers=headers).json()
    client.get(f"/api/v1/tasks/{task['id']}", headers=headers)
    client.get("/no/such/route")
    client.get("/openapi.json")

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'http_requests_total{method="GET",route="/api/v1/tasks/{id}",status="200"} 1.0' in text
    assert 'route="unmatched",status="404"' in text
    assert f"/api/v1/tasks/{task['id']}" not in text  # never the raw path
    assert 'route="/openapi.json",status="200"' in text
    # The same buckets as every other stack; the one request to the task landed in all of them.
    for bound in (
        "0.005",
        "0.01",
        "0.025",
        "0.05",
        "0.1",
        "0.25",
        "0.5",
        "1.0",
        "2.5",
        "5.0",
        "10.0",
    ):
        bucket = f'http_request_duration_seconds_bucket{{le="{bound}",method="GET",route="/api/v1/tasks/{{id}}"}}'
        assert re.search(re.escape(bucket) + r" [01]\.0$", text, re.MULTILINE), bound
    assert 'le="+Inf",method="GET",route="/api/v1/tasks/{id}"} 1.0' in text
    assert 'le="0.075"' not in text  # not the client library's own default buckets
    assert re.search(
        r'http_request_duration_seconds_sum\{method="POST",route="/api/v1/tasks"\}', text
    )


def _method_labels(metrics_text: str) -> set[str]:
    return set(re.findall(r'^http_requests_total\{method="([^"]*)"', metrics_text, re.MULTILINE))


def _series(metrics_text: str) -> set[str]:
    lines = metrics_text.splitlines()
    return {line.rsplit(" ", 1)[0] for line in lines if line.startswith("http_requests_total{")}


def test_invented_methods_add_no_series(client: TestClient) -> None:
    client.get("/healthz")
    client.request("FOO0", "/healthz")
    client.get("/metrics")  # so the scrape itself is already a series
    before = client.get("/metrics").text
    for method in ["FOO1", "FOO2", "PROPFIND", "X" * 100, "BREW"]:
        response = client.request(method, "/healthz")
        assert response.status_code == 405
        client.request(method, "/no/such/route")
    after = client.get("/metrics").text
    assert _method_labels(after) == {"GET", "OTHER"}
    assert _series(after) - _series(before) <= {
        'http_requests_total{method="OTHER",route="unmatched",status="404"}'
    }


def test_login_response_is_not_cached(client: TestClient, register) -> None:
    register("ada@example.com")
    response = client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_openapi_json_is_the_committed_contract(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    api_paths = [path for path in document["paths"] if path.startswith("/api/v1")]
    assert "/api/v1/tasks/{id}" in api_paths
    assert client.get("/docs").status_code == 200


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123.X_y"})
    assert echoed.headers["x-request-id"] == "abc-123.X_y"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert replaced.headers["x-request-id"] not in ("", "bad id with spaces")
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 129})
    assert too_long.headers["x-request-id"] != "a" * 129
    assert client.get("/healthz").headers["x-request-id"]


def test_every_response_has_nosniff_and_a_request_id(client: TestClient) -> None:
    for response in [client.get("/healthz"), client.get("/nope"), client.get("/api/v1/users/me")]:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-request-id"]


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert set(response.json()) >= {"type", "title", "status", "detail"}


def test_wrong_method_is_405_problem_with_allow(client: TestClient) -> None:
    response = client.put("/api/v1/tasks", json={})
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]
    assert response.json()["status"] == 405


def test_malformed_json_is_400(client: TestClient, login_as) -> None:
    headers = {**login_as("ada@example.com"), "Content-Type": "application/json"}
    response = client.post("/api/v1/tasks", content=b'{"title": "x",', headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    register = client.post(
        "/api/v1/auth/register", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert register.status_code == 400


def test_body_over_1_mib_is_413_by_content_length(client: TestClient) -> None:
    body = b'{"email": "a@example.com", "password": "' + b"x" * MIB + b'"}'
    response = client.post(
        "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_streamed_body_over_1_mib_is_413(client: TestClient) -> None:
    def chunks():  # no Content-Length: the middleware has to count
        yield b'{"email": "a@example.com", "password": "'
        for _ in range(20):
            yield b"x" * (64 * 1024)
        yield b'"}'

    response = client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_body_of_exactly_1_mib_is_not_413(client: TestClient) -> None:
    prefix, suffix = b'{"email": "a@example.com", "password": "', b'"}'
    body = prefix + b"x" * (MIB - len(prefix) - len(suffix)) + suffix
    response = client.post(
        "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422  # too long a password, but the size is allowed


def test_unexpected_errors_are_500_problem_without_details(app, client: TestClient) -> None:
    def explode() -> None:
        raise RuntimeError("secret internals: SELECT * FROM users")

    app.add_api_route("/boom", explode)
    response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["x-request-id"] == "boom-1"
    assert "SELECT" not in response.text and "RuntimeError" not in response.text
