"""The three webhook routes: set, read, remove the endpoint; list deliveries; their 4xx."""

import base64
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import DELIVERIES, SECRET, WEBHOOK, Headers, create_task

PROBLEM = "application/problem+json"


def test_put_get_delete_round_trip(client: TestClient, ada: Headers) -> None:
    assert client.get(WEBHOOK, headers=ada).status_code == 404
    put = client.put(WEBHOOK, json={"url": "https://example.com/hooks"}, headers=ada)
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["url"] == "https://example.com/hooks"
    # A generated secret: whsec_ and the padded base64 of 32 random bytes.
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"), validate=True)) == 32
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")

    got = client.get(WEBHOOK, headers=ada)
    assert got.status_code == 200
    assert got.json() == {k: v for k, v in body.items() if k != "secret"}  # never the secret

    again = client.put(WEBHOOK, json={"url": "https://example.org/", "secret": SECRET}, headers=ada)
    assert again.json()["secret"] == SECRET
    assert again.json()["created_at"] == body["created_at"]

    for _ in range(2):  # idempotent
        deleted = client.delete(WEBHOOK, headers=ada)
        assert deleted.status_code == 204 and deleted.content == b""
    missing = client.get(WEBHOOK, headers=ada)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"url": 5},
        {"url": None},
        {"url": "ftp://example.com/"},
        {"url": "example.com/hooks"},
        {"url": "http://"},
        {"url": "http://user:pw@example.com/"},
        {"url": "http://example.com/#fragment"},
        {"url": "http://[::1]/"},
        {"url": "http://example.com:0/"},
        {"url": "http://example.com:65536/"},
        {"url": "http://exa mple.com/"},
        {"url": "http://example.com/\n"},
        {"url": "https://example.com/" + "a" * 2030},
        {"url": "https://example.com/", "secret": "not-a-secret"},
        {"url": "https://example.com/", "secret": "whsec_c2hvcnQ="},  # 5 bytes
        {"url": "https://example.com/", "secret": "whsec_" + "A" * 30},  # padding missing
        {"url": "https://example.com/", "secret": 7},
        {"url": "https://example.com/", "secret": None},  # absent makes one; null is no string
    ],
)
def test_invalid_bodies_are_422(client: TestClient, ada: Headers, body: dict) -> None:
    response = client.put(WEBHOOK, json=body, headers=ada)
    assert response.status_code == 422, (body, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_url_of_2048_characters_and_a_66_byte_secret_are_accepted(
    client: TestClient, ada: Headers
) -> None:
    url = "https://example.com/" + "a" * (2048 - len("https://example.com/"))
    secret = "whsec_" + base64.b64encode(b"s" * 66).decode()
    response = client.put(WEBHOOK, json={"url": url, "secret": secret}, headers=ada)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "api.localhost",
        "127.0.0.1",
        "127.1",  # what resolvers read as 127.0.0.1
        "2130706433",  # also 127.0.0.1
        "10.0.0.1",
        "169.254.169.254",
        "172.16.5.4",
        "192.168.1.1",
        "0.0.0.0",
    ],
)
def test_production_refuses_local_and_private_urls(
    make_app: Callable[..., FastAPI], login_as_in_app: Callable[..., Headers], host: str
) -> None:
    app = make_app(app_env="production", webhook_allow_loopback=False)
    with TestClient(app) as client:
        headers = login_as_in_app(client)
        response = client.put(WEBHOOK, json={"url": f"http://{host}:8080/x"}, headers=headers)
        assert response.status_code == 422, response.text
        ok = client.put(WEBHOOK, json={"url": "https://hooks.example.com/x"}, headers=headers)
        assert ok.status_code == 200


def test_development_may_save_a_loopback_url(client: TestClient, ada: Headers) -> None:
    response = client.put(WEBHOOK, json={"url": "http://127.0.0.1:9/x"}, headers=ada)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", WEBHOOK), ("put", WEBHOOK), ("delete", WEBHOOK), ("get", DELIVERIES)],
)
def test_the_routes_require_a_token(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"url": "https://example.com/"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_body_that_is_not_json_is_415(client: TestClient, ada: Headers) -> None:
    headers = {**ada, "Content-Type": "text/plain"}
    response = client.put(WEBHOOK, content=b'{"url": "https://example.com/"}', headers=headers)
    assert response.status_code == 415


def test_malformed_json_is_400(client: TestClient, ada: Headers) -> None:
    headers = {**ada, "Content-Type": "application/json"}
    assert client.put(WEBHOOK, content=b'{"url":', headers=headers).status_code == 400


def test_deliveries_are_the_callers_only_and_paginated(
    client: TestClient, ada: Headers, login_as: Callable[[str], Headers], subscribe
) -> None:
    grace = login_as("grace@example.com")
    subscribe(ada, "https://example.com/ada")
    subscribe(grace, "https://example.com/grace")
    for i in range(3):
        create_task(client, ada, f"ada {i}")
    create_task(client, grace, "grace")

    page = client.get(DELIVERIES, params={"limit": 2, "offset": 1}, headers=ada).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert len(page["items"]) == 2
    every = client.get(DELIVERIES, headers=ada).json()["items"]
    assert [item["id"] for item in every] == sorted(item["id"] for item in every)
    assert page["items"] == every[1:3]
    item = every[0]
    assert set(item) == {
        "id", "event_id", "event_type", "status", "attempts", "last_status_code",
        "last_error", "next_attempt_at", "created_at", "updated_at",
    }  # fmt: skip
    assert (item["event_type"], item["status"], item["attempts"]) == ("task.created", "pending", 0)

    theirs = client.get(DELIVERIES, headers=grace).json()
    assert theirs["total"] == 1
    assert {i["event_id"] for i in theirs["items"]}.isdisjoint({i["event_id"] for i in every})


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"offset": -1}, {"offset": 2**31}]
)
def test_bad_pagination_is_422(client: TestClient, ada: Headers, params: dict) -> None:
    assert client.get(DELIVERIES, params=params, headers=ada).status_code == 422
