"""In-memory sliding-window rate limits (one process; several replicas would share Redis instead).

Two limits use it: failed logins per normalised email, and register + login requests per client
IP. An attempt is *reserved* - checked and recorded in one step, under one lock - before the slow
password hash runs, so parallel guesses cannot all pass a check that none of them has recorded yet.

Memory stays bounded however many distinct keys arrive. Keys are kept in the order of their
latest attempt, so each call first drops the keys at the front whose window has passed; and at
`max_keys` the oldest key is dropped even inside its window: forgetting a little, rather than
letting a spray of unique emails or addresses grow the process without limit.
"""

import math
import threading
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

# Measured at worst: ~0.6 KiB a key for 10 attempts of a 254-character email, ~1 KiB for 100
# attempts of an IPv6 address: at most ~55 MiB and ~100 MiB at the cap.
DEFAULT_MAX_KEYS = 100_000


class RateLimitedError(Exception):
    """The key used its whole allowance; a slot frees in `retry_after` seconds (>= 1)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


class AttemptLimiter(Protocol):
    """What the auth endpoints need of a limiter: this in-memory one, or with PostgreSQL the
    shared one in shared_ratelimit.py. Calls may block (a database), so they run on a thread."""

    def reserve(self, key: str) -> None: ...
    def release(self, key: str) -> None: ...
    def reset(self, key: str) -> None: ...


class SlidingWindowLimiter:
    """At most `limit` attempts per key in any `window_seconds`; a limit of 0 allows everything."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        # key -> times of its attempts still in the window, oldest first (a compact array of
        # doubles, 8 bytes each); keys ordered by their latest attempt.
        self._attempts: OrderedDict[str, array[float]] = OrderedDict()
        self._lock = threading.Lock()  # sync endpoints run on a thread pool

    def __len__(self) -> int:
        return len(self._attempts)

    def reserve(self, key: str) -> None:
        """Record an attempt for `key`, or raise RateLimitedError (recording nothing)."""
        if self.limit <= 0:
            return
        with self._lock:
            now = self._clock()
            self._drop_expired_keys(now)
            attempts = self._attempts.setdefault(key, array("d"))
            del attempts[: bisect_right(attempts, now - self.window)]
            if len(attempts) >= self.limit:
                # A slot frees when the oldest attempt in the window leaves it.
                raise RateLimitedError(max(1, math.ceil(attempts[0] + self.window - now)))
            attempts.append(now)
            self._attempts.move_to_end(key)
            while len(self._attempts) > self.max_keys:
                self._attempts.popitem(last=False)

    def release(self, key: str) -> None:
        """Give back the latest reservation of `key` (the attempt was never judged)."""
        with self._lock:
            attempts = self._attempts.get(key)
            if attempts:
                attempts.pop()

    def reset(self, key: str) -> None:
        """Forget every attempt of `key` (e.g. after a successful login)."""
        with self._lock:
            self._attempts.pop(key, None)

    def _drop_expired_keys(self, now: float) -> None:
        # The front key has the oldest latest attempt: once it is inside the window, all are.
        while self._attempts:
            attempts = next(iter(self._attempts.values()))
            if attempts and attempts[-1] > now - self.window:
                return
            self._attempts.popitem(last=False)
