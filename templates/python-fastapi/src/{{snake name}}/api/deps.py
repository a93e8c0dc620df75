"""Shared dependencies: the database session and the authenticated user."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from .. import repository
from ..db import get_session
from ..models import User
from ..security import InvalidTokenError, decode_access_token

DbSession = Annotated[Session, Depends(get_session)]


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def current_user(request: Request, session: DbSession) -> User:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status_code=401,
            detail="A bearer token is required.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        user_id = decode_access_token(
            token.strip(), request.app.state.settings.effective_jwt_secret
        )
    except InvalidTokenError:
        raise unauthorized("The bearer token is invalid or expired.") from None
    user = repository.get_user(session, user_id)
    if user is None:
        raise unauthorized("The bearer token's user no longer exists.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
