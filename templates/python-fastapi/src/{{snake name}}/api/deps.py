"""Shared, typed dependencies: settings, services, the database session, the current user.

Handlers ask for what they need by type (`SettingsDep`, `PasswordsDep`, ...) instead of reaching
into `request.app.state`, so a test can swap any of them through `app.dependency_overrides`.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .. import repository
from ..config import Settings
from ..db import get_session
from ..models import User
from ..passwords import Passwords
from ..ratelimit import AttemptLimiter
from ..security import InvalidTokenError, decode_access_token


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


def get_login_limiter(request: Request) -> AttemptLimiter:
    limiter: AttemptLimiter = request.app.state.login_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
LoginLimiterDep = Annotated[AttemptLimiter, Depends(get_login_limiter)]
DbSession = Annotated[Session, Depends(get_session)]

# auto_error=False: a missing or non-Bearer header is our 401 below, not FastAPI's 403.
bearer = HTTPBearer(auto_error=False)


def unauthorized(detail: str, challenge: str = 'Bearer error="invalid_token"') -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: SettingsDep,
    session: DbSession,
) -> User:
    if credentials is None or not credentials.credentials.strip():
        raise unauthorized("A bearer token is required.", challenge="Bearer")
    try:
        user_id = decode_access_token(
            credentials.credentials.strip(), settings.effective_jwt_secret
        )
    except InvalidTokenError:
        raise unauthorized("The bearer token is invalid or expired.") from None
    user = repository.get_user(session, user_id)
    if user is None:
        raise unauthorized("The bearer token's user no longer exists.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
