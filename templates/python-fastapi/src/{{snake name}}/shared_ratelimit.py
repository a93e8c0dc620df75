"""Rate limits kept in PostgreSQL, so every replica enforces one limit.

The in-memory limiter (ratelimit.py) counts per process: three replicas would allow three times
the attempts. Here an attempt is a row, and `reserve` checks and records it in one transaction
under a transaction-level advisory lock on the key, so concurrent attempts for one key queue
behind each other in every process, and parallel guesses cannot pass a check that none of them
has recorded yet (the same guarantee as the in-memory limiter's lock). Time is the database's
clock, which all replicas share. Expired rows are swept by every process now and then, so the
table stays as small as the traffic of one window.
"""

import hashlib
import math
import threading
import time
from datetime import timedelta

from sqlalchemy import ColumnElement, Engine, and_, delete, func, insert, select, text

from .models import RateLimitAttempt
from .ratelimit import RateLimitedError, SlidingWindowLimiter

SWEEP_EVERY_SECONDS = 60.0


def _digest(key: str) -> str:
    # Keys are stored hashed: an email may hold characters PostgreSQL text cannot (NUL), any
    # length fits one column, and the table holds no email addresses.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _lock_id(scope: str, digest: str) -> int:
    # A signed 64-bit key for pg_advisory_xact_lock, from the scope and the hashed key.
    return int.from_bytes(
        hashlib.sha256(f"{scope}:{digest}".encode()).digest()[:8], "big", signed=True
    )


class DatabaseWindowLimiter:
    """At most `limit` attempts per key in any `window_seconds`, across every process that
    shares the database; a limit of 0 allows everything (and touches no table)."""

    def __init__(self, engine: Engine, scope: str, limit: int, window_seconds: float) -> None:
        self.engine = engine
        self.scope = scope
        self.limit = limit
        self.window = timedelta(seconds=window_seconds)
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def _mine(self, key: str) -> ColumnElement[bool]:
        return and_(RateLimitAttempt.scope == self.scope, RateLimitAttempt.key == _digest(key))

    def reserve(self, key: str) -> None:
        """Record an attempt for `key`, or raise RateLimitedError (recording nothing)."""
        if self.limit <= 0:
            return
        self._maybe_sweep()
        with self.engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"),
                {"id": _lock_id(self.scope, _digest(key))},
            )
            now = connection.execute(select(func.clock_timestamp())).scalar_one()
            in_window = and_(self._mine(key), RateLimitAttempt.attempted_at > now - self.window)
            count, oldest = connection.execute(
                select(func.count(), func.min(RateLimitAttempt.attempted_at)).where(in_window)
            ).one()
            if count >= self.limit:
                # A slot frees when the oldest attempt in the window leaves it.
                seconds = (oldest + self.window - now).total_seconds()
                raise RateLimitedError(max(1, math.ceil(seconds)))
            connection.execute(
                insert(RateLimitAttempt).values(
                    scope=self.scope, key=_digest(key), attempted_at=now
                )
            )

    def release(self, key: str) -> None:
        """Give back the latest reservation of `key` (the attempt was never judged)."""
        latest = (
            select(RateLimitAttempt.id)
            .where(self._mine(key))
            .order_by(RateLimitAttempt.attempted_at.desc(), RateLimitAttempt.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        with self.engine.begin() as connection:
            connection.execute(delete(RateLimitAttempt).where(RateLimitAttempt.id == latest))

    def reset(self, key: str) -> None:
        """Forget every attempt of `key` (e.g. after a successful login)."""
        with self.engine.begin() as connection:
            connection.execute(delete(RateLimitAttempt).where(self._mine(key)))

    def sweep(self) -> int:
        """Delete this scope's attempts that left the window; how many went."""
        with self.engine.begin() as connection:
            expired = RateLimitAttempt.attempted_at <= func.clock_timestamp() - self.window
            result = connection.execute(
                delete(RateLimitAttempt).where(RateLimitAttempt.scope == self.scope, expired)
            )
            return int(result.rowcount or 0)

    def _maybe_sweep(self) -> None:
        with self._sweep_lock:
            now = time.monotonic()
            if now < self._next_sweep:
                return
            self._next_sweep = now + SWEEP_EVERY_SECONDS
        self.sweep()


def limiter_for(
    engine: Engine, scope: str, limit: int, window_seconds: float
) -> DatabaseWindowLimiter | SlidingWindowLimiter:
    """PostgreSQL: the shared limiter. SQLite (one process): memory is the right place."""
    if engine.dialect.name == "postgresql":
        return DatabaseWindowLimiter(engine, scope, limit, window_seconds)
    return SlidingWindowLimiter(limit, window_seconds)
