"""The caller's webhook endpoint and the list of its deliveries (owner-only)."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..models import User, WebhookDelivery, WebhookEndpoint, utcnow
from ..routing import JsonRoute
from ..webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    WebhookOut,
    WebhookSet,
    WebhookWithSecretOut,
)
from ..webhooks.signing import generate_secret
from ..webhooks.ssrf import is_refused_host_name
from .deps import CurrentUser, DbSession, SettingsDep
from .tasks import MAX_OFFSET

router = APIRouter(prefix="/api/v1", tags=["webhooks"], route_class=JsonRoute)


def _endpoint(session: DbSession, user: User) -> WebhookEndpoint | None:
    return session.get(WebhookEndpoint, user.id)


def _upsert(session: DbSession, user: User, url: str, secret: str) -> WebhookEndpoint:
    now = utcnow()
    endpoint = _endpoint(session, user)
    if endpoint is None:
        endpoint = WebhookEndpoint(user_id=user.id, created_at=now)
        session.add(endpoint)
    endpoint.url, endpoint.secret, endpoint.updated_at = url, secret, now
    session.commit()
    return endpoint


@router.put("/users/me/webhook", response_model=WebhookWithSecretOut)
def set_webhook(
    body: WebhookSet, session: DbSession, user: CurrentUser, settings: SettingsDep
) -> WebhookWithSecretOut:
    host = urlsplit(body.url).hostname or ""
    if settings.is_production and is_refused_host_name(host):
        # Only what the URL itself shows; every delivery re-checks what the name resolves to.
        raise HTTPException(422, "The webhook URL points to a local or private address.")
    secret = body.secret or generate_secret()
    try:
        endpoint = _upsert(session, user, body.url, secret)
    except IntegrityError:  # a concurrent first PUT of this user inserted the row: update it
        session.rollback()
        endpoint = _upsert(session, user, body.url, secret)
    return WebhookWithSecretOut(
        url=endpoint.url,
        secret=secret,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


@router.get("/users/me/webhook", response_model=WebhookOut)
def get_webhook(session: DbSession, user: CurrentUser) -> WebhookEndpoint:
    endpoint = _endpoint(session, user)
    if endpoint is None:
        raise HTTPException(404, "No webhook endpoint is set.")
    return endpoint


@router.delete("/users/me/webhook", status_code=204)
def delete_webhook(session: DbSession, user: CurrentUser) -> Response:
    endpoint = _endpoint(session, user)
    if endpoint is not None:
        session.delete(endpoint)
        session.commit()
    return Response(status_code=204)


@router.get("/webhook-deliveries", response_model=DeliveryPage)
def list_deliveries(
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeliveryPage:
    mine = WebhookDelivery.user_id == user.id
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(mine)) or 0
    rows = session.scalars(
        select(WebhookDelivery).where(mine).order_by(WebhookDelivery.id).limit(limit).offset(offset)
    )
    items = [DeliveryOut.model_validate(row) for row in rows]
    return DeliveryPage(items=items, total=total, limit=limit, offset=offset)
