"""Password hashing (argon2id) and JWT access tokens (HS256 only)."""

import time

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

ALGORITHM = "HS256"


class Passwords:
    """argon2id hashing. The defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane);
    the parameters are stored in each hash, so raising them later still verifies old ones."""

    def __init__(self, time_cost: int = 2, memory_kib: int = 19456, parallelism: int = 1) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the email is unknown, so both login failures cost the same.
        self._dummy_hash = self._hasher.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None


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
