"""Register and login: happy paths, duplicates, validation, the login rate limit."""

import pytest
from fastapi.testclient import TestClient

from .conftest import PASSWORD

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def test_register_returns_the_user(client: TestClient) -> None:
    response = client.post(REGISTER, json={"email": "  Ada@Example.COM ", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "created_at"}
    assert isinstance(body["id"], int) and body["id"] > 0
    assert body["email"] == "ada@example.com"  # trimmed and lower-cased
    assert body["created_at"].endswith("Z")


def test_register_duplicate_email_is_409_case_insensitive(client: TestClient, register) -> None:
    register("ada@example.com")
    response = client.post(REGISTER, json={"email": "ADA@example.com", "password": PASSWORD})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@nodot", "password": PASSWORD},
        {"email": "a b@example.com", "password": PASSWORD},
        {"email": "a@b@example.com", "password": PASSWORD},
        {"email": "x" * 250 + "@example.com", "password": PASSWORD},
        {"email": "ada@example.com", "password": "short"},
        {"email": "ada@example.com", "password": "p" * 129},
        {"email": "ada@example.com"},
        {"email": 5, "password": PASSWORD},
        {"email": "ada\x00@example.com", "password": PASSWORD},
        {"email": "ada\u200b@example.com", "password": PASSWORD},  # zero-width space
        {"email": "ada\x07@example.com", "password": PASSWORD},
    ],
)
def test_register_validation_is_422(client: TestClient, payload: dict) -> None:
    response = client.post(REGISTER, json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["errors"]
    assert PASSWORD not in response.text  # inputs are never echoed back


def test_password_length_counts_characters_not_bytes(client: TestClient) -> None:
    response = client.post(REGISTER, json={"email": "u@example.com", "password": "é" * 128})
    assert response.status_code == 201


def test_login_returns_a_bearer_token(client: TestClient, register) -> None:
    register("ada@example.com")
    response = client.post(LOGIN, json={"email": "ADA@example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["access_token"].count(".") == 2


def test_login_failures_look_the_same(client: TestClient, register) -> None:
    register("ada@example.com")
    wrong_password = client.post(LOGIN, json={"email": "ada@example.com", "password": "wrong-pass"})
    unknown_email = client.post(LOGIN, json={"email": "bob@example.com", "password": "wrong-pass"})
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"]
    assert wrong_password.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "email", ["ada\x00@example.com", "\x00", "no-at-sign", "a b@example.com", "ada@example"]
)
def test_login_with_an_email_no_account_can_have_is_401(client: TestClient, email: str) -> None:
    # Not 422 (any string may try) and not a database error (NUL): simply no such account.
    response = client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_login_is_rate_limited_after_ten_failures(client: TestClient, register) -> None:
    register("ada@example.com")
    for _ in range(10):
        response = client.post(LOGIN, json={"email": "ada@example.com", "password": "wrong-pass"})
        assert response.status_code == 401
    # Even the right password is refused now, with the same email in another case.
    response = client.post(LOGIN, json={"email": "ADA@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["content-type"] == "application/problem+json"
    # Another email is not affected.
    other = client.post(LOGIN, json={"email": "bob@example.com", "password": "wrong-pass"})
    assert other.status_code == 401
