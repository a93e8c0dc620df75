"""Tasks CRUD, validation, ownership and pagination."""

import pytest
from fastapi.testclient import TestClient

TASKS = "/api/v1/tasks"


@pytest.fixture
def ada(login_as) -> dict[str, str]:
    return login_as("ada@example.com")


def create(client: TestClient, headers: dict[str, str], **fields) -> dict:
    response = client.post(TASKS, json={"title": "write tests", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_201_location_and_defaults(client: TestClient, ada) -> None:
    response = client.post(TASKS, json={"title": "  buy milk  ", "extra": "ignored"}, headers=ada)
    assert response.status_code == 201
    task = response.json()
    assert response.headers["location"] == f"/api/v1/tasks/{task['id']}"
    assert set(task) == {"id", "title", "description", "done", "created_at", "updated_at"}
    assert task["title"] == "buy milk"
    assert task["description"] is None
    assert task["done"] is False
    assert task["created_at"].endswith("Z")
    assert task["updated_at"] == task["created_at"]


def test_get_returns_the_task(client: TestClient, ada) -> None:
    task = create(client, ada, description="details", done=True)
    response = client.get(f"{TASKS}/{task['id']}", headers=ada)
    assert response.status_code == 200
    assert response.json() == task


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "t" * 201},
        {"title": 5},
        {"title": None},
        {"title": "ok", "description": "d" * 2001},
        {"title": "ok", "done": "yes"},
        {"title": "ok", "description": 7},
    ],
)
def test_create_validation_is_422(client: TestClient, ada, payload: dict) -> None:
    response = client.post(TASKS, json=payload, headers=ada)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 422


def test_title_of_200_characters_is_accepted(client: TestClient, ada) -> None:
    assert create(client, ada, title="t" * 200)["title"] == "t" * 200


def test_patch_changes_fields_and_bumps_updated_at(client: TestClient, ada) -> None:
    task = create(client, ada, description="old")
    response = client.patch(
        f"{TASKS}/{task['id']}", json={"done": True, "title": "new"}, headers=ada
    )
    assert response.status_code == 200
    patched = response.json()
    assert patched["done"] is True and patched["title"] == "new"
    assert patched["description"] == "old"
    assert patched["updated_at"] > task["updated_at"]
    assert patched["created_at"] == task["created_at"]


def test_patch_empty_body_is_a_noop(client: TestClient, ada) -> None:
    task = create(client, ada)
    response = client.patch(f"{TASKS}/{task['id']}", json={}, headers=ada)
    assert response.status_code == 200
    assert response.json() == task


def test_patch_null_description_clears_it(client: TestClient, ada) -> None:
    task = create(client, ada, description="something")
    response = client.patch(f"{TASKS}/{task['id']}", json={"description": None}, headers=ada)
    assert response.status_code == 200
    assert response.json()["description"] is None


@pytest.mark.parametrize(
    "payload",
    [{"title": None}, {"title": ""}, {"done": None}, {"done": "yes"}, {"description": "d" * 2001}],
)
def test_patch_validation_is_422(client: TestClient, ada, payload: dict) -> None:
    task = create(client, ada)
    assert client.patch(f"{TASKS}/{task['id']}", json=payload, headers=ada).status_code == 422


def test_delete_is_204_then_404(client: TestClient, ada) -> None:
    task = create(client, ada)
    response = client.delete(f"{TASKS}/{task['id']}", headers=ada)
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{TASKS}/{task['id']}", headers=ada).status_code == 404


def test_other_users_task_is_404_everywhere(client: TestClient, ada, login_as) -> None:
    task = create(client, ada)
    bob = login_as("bob@example.com")
    url = f"{TASKS}/{task['id']}"
    assert client.get(url, headers=bob).status_code == 404
    assert client.patch(url, json={"done": True}, headers=bob).status_code == 404
    assert client.delete(url, headers=bob).status_code == 404
    assert client.get(TASKS, headers=bob).json()["total"] == 0
    assert client.get(url, headers=ada).json()["done"] is False  # untouched


@pytest.mark.parametrize("raw_id", ["abc", "0", "-1", "1.5", "99999999999999999999", "%C2%B2"])
def test_malformed_or_missing_id_is_404(client: TestClient, ada, raw_id: str) -> None:
    response = client.get(f"{TASKS}/{raw_id}", headers=ada)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_list_is_paginated_oldest_first(client: TestClient, ada, login_as) -> None:
    ids = [create(client, ada, title=f"task {n}")["id"] for n in range(5)]
    create(client, login_as("bob@example.com"), title="not ada's")

    default = client.get(TASKS, headers=ada).json()
    assert default["total"] == 5 and default["limit"] == 20 and default["offset"] == 0
    assert [item["id"] for item in default["items"]] == ids

    page = client.get(TASKS, params={"limit": 2, "offset": 3}, headers=ada).json()
    assert [item["id"] for item in page["items"]] == ids[3:5]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 3)

    past_the_end = client.get(TASKS, params={"offset": 10}, headers=ada).json()
    assert past_the_end["items"] == [] and past_the_end["total"] == 5


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "abc"},
        {"limit": "9223372036854775808"},
        {"limit": "1e400"},
        {"limit": "1.5"},
        {"offset": -1},
        {"offset": "x"},
        {"offset": "2147483648"},  # one past the documented maximum
        {"offset": "9223372036854775807"},
        {"offset": "9223372036854775808"},
        {"offset": "1" + "0" * 400},
        {"offset": "1e400"},
        {"offset": "-9223372036854775809"},
    ],
)
def test_list_bad_pagination_is_422(client: TestClient, ada, params: dict) -> None:
    response = client.get(TASKS, params=params, headers=ada)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_largest_offset_is_an_empty_page_not_an_error(client: TestClient, ada) -> None:
    create(client, ada)
    response = client.get(TASKS, params={"offset": "2147483647"}, headers=ada)
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["total"] == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/json-x",
        None,
    ],
)
def test_a_body_that_is_not_json_is_415(client: TestClient, ada, content_type: str | None) -> None:
    headers = dict(ada)
    if content_type is not None:
        headers["Content-Type"] = content_type
    created = client.post(TASKS, content=b'{"title": "x"}', headers=headers)
    assert created.status_code == 415, created.text
    assert created.headers["content-type"] == "application/problem+json"
    task = create(client, ada)
    patched = client.patch(f"{TASKS}/{task['id']}", content=b'{"done": true}', headers=headers)
    assert patched.status_code == 415


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "a\x00b"},
        {"title": "ok", "description": "nul \x00 inside"},
        {"title": "\x00"},
    ],
)
def test_nul_characters_are_422_on_every_database(client: TestClient, ada, payload) -> None:
    # PostgreSQL text cannot store U+0000: refused up front, never a driver error.
    response = client.post(TASKS, json=payload, headers=ada)
    assert response.status_code == 422, response.text
    task = create(client, ada)
    patched = client.patch(f"{TASKS}/{task['id']}", json=payload, headers=ada)
    assert patched.status_code == 422, patched.text


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "\\ud800"}',  # a lone surrogate escape: not encodable text
        b'{"title": "ok", "description": "\\udfff"}',
        b'{"title": "ok", "done": NaN}',
        b'{"title": "\xff\xfe"}',  # not UTF-8
    ],
)
def test_json_that_is_not_strict_is_400(client: TestClient, ada, raw: bytes) -> None:
    headers = {**ada, "Content-Type": "application/json"}
    response = client.post(TASKS, content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_json_with_parameters_or_other_case_is_accepted(client: TestClient, ada) -> None:
    for content_type in ["application/json; charset=utf-8", "Application/JSON"]:
        response = client.post(
            TASKS, content=b'{"title": "x"}', headers={**ada, "Content-Type": content_type}
        )
        assert response.status_code == 201, response.text


def test_tasks_require_a_token(client: TestClient) -> None:
    for method, url in [
        ("GET", TASKS),
        ("POST", TASKS),
        ("GET", f"{TASKS}/1"),
        ("DELETE", f"{TASKS}/1"),
    ]:
        response = client.request(method, url, json={"title": "x"} if method == "POST" else None)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
