"""Every way a bearer token can be wrong is a 401 with WWW-Authenticate: Bearer."""

import base64
import json

import pytest
from fastapi.testclient import TestClient

ME = "/api/v1/users/me"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_401(response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


def test_me_with_a_valid_token(client: TestClient, login_as) -> None:
    response = client.get(ME, headers=login_as("ada@example.com"))
    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"


def test_missing_token(client: TestClient) -> None:
    assert_401(client.get(ME))


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not.a.jwt", "Bearer abc", "Basic dXNlcjpwYXNz", "Token x.y.z"],
)
def test_malformed_token(client: TestClient, authorization: str) -> None:
    assert_401(client.get(ME, headers={"Authorization": authorization}))


def test_tampered_token(client: TestClient, login_as, register) -> None:
    headers = login_as("ada@example.com")
    other = register("bob@example.com")
    header, _payload, signature = headers["Authorization"].removeprefix("Bearer ").split(".")
    forged_payload = _b64({"sub": str(other["id"]), "iat": 0, "exp": 9999999999})
    assert_401(
        client.get(ME, headers={"Authorization": f"Bearer {header}.{forged_payload}.{signature}"})
    )


def test_token_signed_with_another_secret(client: TestClient, register, forge_token) -> None:
    user = register("ada@example.com")
    token = forge_token(str(user["id"]), secret="another-secret-" + "y" * 50)
    assert_401(client.get(ME, headers={"Authorization": f"Bearer {token}"}))


def test_expired_token(client: TestClient, register, forge_token) -> None:
    user = register("ada@example.com")
    token = forge_token(str(user["id"]), ttl=-60)
    assert_401(client.get(ME, headers={"Authorization": f"Bearer {token}"}))


def test_alg_none_token(client: TestClient, register) -> None:
    user = register("ada@example.com")
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': str(user['id']), 'iat': 0, 'exp': 9999999999})}."
    assert_401(client.get(ME, headers={"Authorization": f"Bearer {unsigned}"}))


def test_other_hmac_algorithm_is_refused(client: TestClient, register, forge_token) -> None:
    user = register("ada@example.com")
    token = forge_token(str(user["id"]), algorithm="HS512")
    assert_401(client.get(ME, headers={"Authorization": f"Bearer {token}"}))


@pytest.mark.parametrize("sub", ["999999", "not-a-number", "0"])
def test_token_for_no_such_user(client: TestClient, forge_token, sub: str) -> None:
    assert_401(client.get(ME, headers={"Authorization": f"Bearer {forge_token(sub)}"}))
