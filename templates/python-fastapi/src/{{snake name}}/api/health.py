"""Liveness, readiness and metrics: no authentication, no /api/v1 prefix."""

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from ..problems import problem

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(request: Request) -> dict[str, str] | Response:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the reason goes to the log only
        log.warning("readiness check failed", exc_info=True)
        return problem(503, "The database is unreachable.")
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)
