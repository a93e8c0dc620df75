"""Tasks: CRUD on the caller's own tasks. Another user's task is a 404, never a 403."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from .. import repository
from ..models import Task
from ..routing import JsonRoute
from ..schemas import TaskCreate, TaskOut, TaskPage, TaskUpdate
from .deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], route_class=JsonRoute)
# The contract's largest offset (2^31 - 1, the range of the id column): a larger one is a 422,
# never a database error.
MAX_OFFSET = 2**31 - 1


def _own_task(session: DbSession, user: CurrentUser, raw_id: str) -> Task:
    """The caller's task with this id, or 404 (missing, malformed or someone else's)."""
    # The id is taken as a string so "abc" is a 404 like any other unknown task, not a 422.
    task_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else 0
    task = repository.get_task(session, user.id, task_id)
    if task is None:
        raise HTTPException(404, "No task with this id exists.")
    return task


@router.get("", response_model=TaskPage)
def list_tasks(
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TaskPage:
    rows, total = repository.list_tasks(session, user.id, limit, offset)
    items = [TaskOut.model_validate(row) for row in rows]
    return TaskPage(items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201, response_model=TaskOut)
def create_task(
    body: TaskCreate, response: Response, session: DbSession, user: CurrentUser
) -> Task:
    task = repository.create_task(session, user.id, **body.model_dump())
    response.headers["Location"] = f"/api/v1/tasks/{task.id}"
    return task


# The path parameter is named `id` to match the OpenAPI template (and the metrics label).
@router.get("/{id}", response_model=TaskOut)
def get_task(id: str, session: DbSession, user: CurrentUser) -> Task:  # noqa: A002
    return _own_task(session, user, id)


@router.patch("/{id}", response_model=TaskOut)
def update_task(id: str, body: TaskUpdate, session: DbSession, user: CurrentUser) -> Task:  # noqa: A002
    task = _own_task(session, user, id)
    # Only the fields the client sent: {"description": null} clears, an absent field stays.
    return repository.update_task(session, task, body.model_dump(include=body.model_fields_set))


@router.delete("/{id}", status_code=204)
def delete_task(id: str, session: DbSession, user: CurrentUser) -> Response:  # noqa: A002
    repository.delete_task(session, _own_task(session, user, id))
    return Response(status_code=204)
