"""The assignment's notes resource: the same guarantees as tasks (owner-only, validated, paged)."""

from collections.abc import Callable

from fastapi.testclient import TestClient

Headers = dict[str, str]


def test_a_note_is_created_listed_read_and_deleted(
    client: TestClient, login_as: Callable[[str], Headers]
) -> None:
    ada = login_as("ada@example.org")
    created = client.post("/api/v1/notes", json={"body": "Read chapter 3"}, headers=ada)
    assert created.status_code == 201, created.text
    note = created.json()
    assert note["body"] == "Read chapter 3"
    assert created.headers["Location"] == f"/api/v1/notes/{note['id']}"
    assert note["created_at"].endswith("Z")

    listed = client.get("/api/v1/notes", headers=ada).json()
    assert listed == {"items": [note], "total": 1, "limit": 20, "offset": 0}
    assert client.get(f"/api/v1/notes/{note['id']}", headers=ada).json() == note

    assert client.delete(f"/api/v1/notes/{note['id']}", headers=ada).status_code == 204
    assert client.get(f"/api/v1/notes/{note['id']}", headers=ada).status_code == 404


def test_another_users_note_is_a_404_and_never_listed(
    client: TestClient, login_as: Callable[[str], Headers]
) -> None:
    ada, grace = login_as("ada@example.org"), login_as("grace@example.org")
    note = client.post("/api/v1/notes", json={"body": "mine"}, headers=ada).json()
    for method in ("get", "delete"):
        response = client.request(method, f"/api/v1/notes/{note['id']}", headers=grace)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/notes", headers=grace).json()["total"] == 0
    assert client.get(f"/api/v1/notes/{note['id']}", headers=ada).status_code == 200


def test_bodies_are_validated(client: TestClient, login_as: Callable[[str], Headers]) -> None:
    ada = login_as("ada@example.org")
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": 5}, {"body": "x" * 5001},
                 {"body": "a\x00b"}, {"body": "ok", "extra": 1}):
        response = client.post("/api/v1/notes", json=body, headers=ada)
        assert response.status_code == 422, (body, response.text)
    assert client.post("/api/v1/notes", json={"body": "x" * 5000}, headers=ada).status_code == 201


def test_pages_and_malformed_ids(client: TestClient, login_as: Callable[[str], Headers]) -> None:
    ada = login_as("ada@example.org")
    ids = [client.post("/api/v1/notes", json={"body": f"n{i}"}, headers=ada).json()["id"]
           for i in range(3)]
    page = client.get("/api/v1/notes?limit=2&offset=1", headers=ada).json()
    assert [item["id"] for item in page["items"]] == ids[1:3]
    assert page["total"] == 3
    for query in ("limit=0", "limit=101", "offset=-1", "offset=9223372036854775808", "limit=x"):
        assert client.get(f"/api/v1/notes?{query}", headers=ada).status_code == 422, query
    for raw in ("abc", "0", "-1", "99999999999999999999"):
        assert client.get(f"/api/v1/notes/{raw}", headers=ada).status_code == 404, raw


def test_notes_need_a_token(client: TestClient) -> None:
    for method, path in (("get", "/api/v1/notes"), ("post", "/api/v1/notes"),
                         ("get", "/api/v1/notes/1"), ("delete", "/api/v1/notes/1")):
        response = client.request(method, path, json={"body": "x"} if method == "post" else None)
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_contract_documents_the_notes_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/notes"]) >= {"get", "post"}
    assert set(paths["/api/v1/notes/{id}"]) >= {"get", "delete"}
