"""JWT access tokens: HS256 only, with `sub` and `exp` required."""

import time

import jwt

ALGORITHM = "HS256"


def create_access_token(user_id: int, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class InvalidTokenError(Exception):
    """The bearer token is malformed, forged, expired or not HS256."""


def decode_access_token(token: str, secret: str) -> int:
    """Return the user id in a valid token's `sub` claim."""
    try:
        # `algorithms` pins HS256: alg "none" and every other algorithm are rejected.
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidTokenError(str(exc)) from exc
    if user_id < 1:
        raise InvalidTokenError("sub is not a user id")
    return user_id
