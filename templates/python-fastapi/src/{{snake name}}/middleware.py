"""Pure ASGI middleware: request ids, security headers, metrics, request logs, body limit.

Pure ASGI (rather than BaseHTTPMiddleware) so streamed bodies are counted as they arrive
and an unexpected exception still gets a problem+json 500 carrying our headers.
"""

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .log import request_id_var
from .metrics import UNMATCHED, Metrics
from .problems import problem

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

log = logging.getLogger("http")


class RequestContextMiddleware:
    """Outermost layer: every response gets X-Request-ID and nosniff, is counted and logged."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        sent = Headers(scope=scope).get("x-request-id", "")
        request_id = sent if _SANE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        start = time.perf_counter()
        status = 500
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception(
                "unhandled error", extra={"method": scope["method"], "path": scope["path"]}
            )
            if not started:
                response = problem(500, "An unexpected error occurred; it has been logged.")
                await response(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            self.metrics.observe(scope["method"], template, status, elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": template,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


class PayloadTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, f"The request body exceeds {MAX_BODY_BYTES} bytes.")


class BodySizeLimitMiddleware:
    """413 for bodies over the limit: by Content-Length up front, else by counting chunks."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPExceptions from body reading, so the
                    # problem handler answers 413 (or we do, below).
                    raise PayloadTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLarge:
            if started:
                raise
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"The request body exceeds {self.max_bytes} bytes.")
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
