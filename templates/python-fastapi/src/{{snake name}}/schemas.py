"""Request and response bodies. Strict types: `"done": "yes"` or `"title": 5` is a 422."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictStr,
    ValidationInfo,
    field_validator,
)

MAX_EMAIL_LENGTH = 254


def rfc3339(value: datetime) -> str:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


Timestamp = Annotated[datetime, PlainSerializer(rfc3339, return_type=str)]


def _trimmed_email(value: str) -> str:
    """Trim and lower-case (Unicode-aware), refusing an over-long email before any other check."""
    email = value.strip()
    # First, so no later step ever works on a huge input (bodies may be up to 1 MiB).
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be at most {MAX_EMAIL_LENGTH} characters")
    return email.lower()


def normalize_email(value: str) -> str:
    """Trim and lower-case; raise ValueError unless it looks like an address.

    One linear pass of plain string operations: no regular expression that could backtrack.
    """
    email = _trimmed_email(value)
    local, at, domain = email.partition("@")
    valid = (
        at == "@"
        and local
        and "@" not in domain
        and "." in domain.strip(".")
        # No whitespace, and no control, format or unassigned characters (NUL among them,
        # which PostgreSQL text cannot even store).
        and all(ch.isprintable() and not ch.isspace() for ch in email)
    )
    if not valid:
        raise ValueError("must be a valid email address")
    return email


class Credentials(BaseModel):
    email: StrictStr
    password: StrictStr


class RegisterRequest(Credentials):
    password: Annotated[StrictStr, Field(min_length=8, max_length=128)]

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class LoginRequest(Credentials):
    """Any string may try to log in, but it is normalised like a registered email (the rate
    limit's key), and one longer than any registered email can be is refused outright."""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _trimmed_email(value)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    created_at: Timestamp


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


def could_be_registered(email: str) -> bool:
    """Whether a login email could belong to an account (else no query is needed)."""
    try:
        normalize_email(email)
    except ValueError:
        return False
    return True


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL text cannot hold U+0000: refused (422) on both databases, never a 500.
    if value is not None and "\x00" in value:
        raise ValueError("must not contain U+0000")
    return value


def _clean_title(value: str | None) -> str:
    if value is None:
        raise ValueError("title may not be null")
    title = value.strip()
    if not 1 <= len(title) <= 200:
        raise ValueError("title must be 1 to 200 characters")
    _no_nul(title)
    return title


Description = Annotated[StrictStr | None, Field(max_length=2000), AfterValidator(_no_nul)]


class TaskCreate(BaseModel):
    title: StrictStr
    description: Description = None
    done: StrictBool = False

    _title = field_validator("title")(_clean_title)


class TaskUpdate(BaseModel):
    """PATCH body: only the fields present are changed (see model_fields_set)."""

    title: StrictStr | None = None
    description: Description = None
    done: StrictBool | None = None

    @field_validator("title", "done")
    @classmethod
    def _not_null(cls, value: str | bool | None, info: ValidationInfo) -> str | bool:
        if value is None:
            raise ValueError(f"{info.field_name} may not be null")
        return _clean_title(value) if isinstance(value, str) else value


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    done: bool
    created_at: Timestamp
    updated_at: Timestamp


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int
    limit: int
    offset: int
