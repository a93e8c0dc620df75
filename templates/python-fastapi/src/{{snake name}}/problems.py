"""RFC 9457 problem+json for every error: HTTP errors, validation, malformed JSON, overload, crashes."""

import logging
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from .passwords import HashingBusyError

PROBLEM_JSON = "application/problem+json"
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

log = logging.getLogger(__name__)


def problem(
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _detail_for(exc: HTTPException) -> str:
    defaults = {
        404: "No resource exists at this path.",
        405: "This path does not accept this method.",
    }
    if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase:
        return exc.detail
    return defaults.get(exc.status_code, HTTPStatus(exc.status_code).description or "Error.")


# Starlette types every handler's exception as Exception; each is registered for one class.
async def http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    http_exc = cast(HTTPException, exc)
    headers = dict(http_exc.headers or {})
    if http_exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem(http_exc.status_code, _detail_for(http_exc), headers=headers or None)


def _allowed_methods(request: Request) -> str:
    # FastAPI makes one route per method, so Starlette's Allow names only the first match:
    # ask every route which methods would fully match this path.
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def validation_exception_handler(_request: Request, exc: Exception) -> JSONResponse:
    errors = cast(RequestValidationError, exc).errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return problem(400, "The request body is not valid JSON.")
    # Only location, message and type: never echo input values (they may hold a password).
    cleaned = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in errors
    ]
    return problem(422, "The request is invalid; see errors.", errors=cleaned)


async def hashing_busy_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # Every hashing slot stayed taken for the whole queue timeout: shed load, ask for a retry.
    return problem(
        503, "The server is busy checking passwords; retry shortly.", headers={"Retry-After": "1"}
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, validation_exception_handler)
    app.add_exception_handler(HashingBusyError, hashing_busy_handler)
