"""Bodies of the webhook routes. The URL and secret rules are openapi.yaml's patterns."""

import re

from pydantic import BaseModel, ConfigDict, StrictStr, field_validator

from ..schemas import Timestamp
from .signing import is_valid_secret

MAX_URL_LENGTH = 2048
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_CHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2}"
_QUERY_CHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2}"
# Absolute http(s), a DNS name or IPv4 address, optional port, path and query; no user info,
# no fragment. fullmatch, not `$` (which would let a trailing newline through).
URL_PATTERN = re.compile(
    rf"https?://{_LABEL}(\.{_LABEL})*(:{_PORT})?(/({_CHAR})*)?(\?({_QUERY_CHAR})*)?"
)


class WebhookSet(BaseModel):
    url: StrictStr
    secret: StrictStr | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if len(value) > MAX_URL_LENGTH or URL_PATTERN.fullmatch(value) is None:
            raise ValueError("must be an absolute http(s) URL without user info or fragment")
        return value

    @field_validator("secret", mode="before")
    @classmethod
    def _secret_given(cls, value: object) -> object:
        # Only absent means "make one": an explicit null is not a string (openapi.yaml).
        if value is None:
            raise ValueError("must be a string; leave it out to have one made")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_secret(value):
            raise ValueError("must be whsec_ and the base64 of 22 to 66 bytes")
        return value


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    url: str
    created_at: Timestamp
    updated_at: Timestamp


class WebhookWithSecretOut(WebhookOut):
    secret: str


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    total: int
    limit: int
    offset: int
