"""Route classes that check a request before FastAPI reads its body.

They wrap the endpoint after routing (so metrics still see the route template) and before the
body is parsed (so even a request with a malformed body counts against the per-IP limit, and a
body that is not JSON is refused as such, 415, instead of failing validation as a 422).
"""

import json
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

import pydantic_core
from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from .ratelimit import AttemptLimiter, RateLimitedError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def is_json(content_type: str | None) -> bool:
    """`application/json`, with any parameters (e.g. charset) and in any case."""
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    return message.get_content_type() == "application/json"


class StrictJsonRequest(Request):
    """Parses the body as strict JSON (no NaN or Infinity, no lone surrogate escapes such as
    "\\ud800"), so every string a handler sees can be encoded for the database."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = pydantic_core.from_json(body, allow_inf_nan=False)
            except ValueError as exc:  # FastAPI answers JSONDecodeError with our 400
                raise json.JSONDecodeError(str(exc), body.decode("utf-8", "replace"), 0) from None
        return self._json


class JsonRoute(APIRoute):
    """An endpoint with a body accepts only `Content-Type: application/json` (else 415),
    and only strict JSON (else 400)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_only(request: Request) -> Response:
            if not is_json(request.headers.get("content-type")):
                raise HTTPException(415, "The request body must be application/json.")
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return json_only


def client_ip(request: Request) -> str:
    # The socket peer's address. X-Forwarded-For is deliberately not trusted (the server runs
    # without proxy headers): any client can send it, and would get a fresh allowance per value.
    # Behind a reverse proxy, let uvicorn rewrite the peer from the proxy's header instead
    # (--proxy-headers with --forwarded-allow-ips set to the proxy's address).
    return request.client.host if request.client else "unknown"


class ClientIpLimitedRoute(JsonRoute):
    """Counts every request, valid or not, against the caller's per-IP allowance (else 429)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limiter: AttemptLimiter = request.app.state.auth_ip_limiter
            try:
                await run_in_threadpool(limiter.reserve, client_ip(request))
            except RateLimitedError as exc:
                raise HTTPException(
                    429,
                    "Too many authentication requests from this address; try again later.",
                    headers={"Retry-After": str(exc.retry_after)},
                ) from None
            return await handler(request)

        return limited
