"""argon2id password hashing, with a bound on how many hashes run at once.

One hash holds ~19 MiB and a core for tens of milliseconds, so a burst of logins could exhaust
memory and starve every other request. At most `concurrency` hashes run at once, on threads of
their own (not the pool that serves the other endpoints); a request waits at most
`queue_timeout` seconds for a slot, then gets HashingBusyError, which the API answers with
503 and Retry-After.
"""

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")


class HashingBusyError(Exception):
    """No hashing slot freed within the queue timeout."""


class Passwords:
    """argon2id with OWASP's minimum cost by default (19 MiB, 2 passes, 1 lane); the parameters
    are stored in each hash, so raising them later still verifies old ones."""

    def __init__(
        self,
        time_cost: int = 2,
        memory_kib: int = 19456,
        parallelism: int = 1,
        *,
        concurrency: int = 1,
        queue_timeout: float = 5.0,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the email is unknown, so both login failures cost the same.
        self._dummy_hash = self._hasher.hash("not-a-real-password")
        self.queue_timeout = queue_timeout
        self._slots = anyio.Semaphore(concurrency)
        self._threads = anyio.CapacityLimiter(concurrency)

    async def hash(self, password: str) -> str:
        return await self._in_slot(self.hash_now, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a wrong password, and (after the same work) when there is no hash."""
        return await self._in_slot(self.verify_now, password_hash, password)

    def hash_now(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify_now(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    async def _in_slot(self, work: Callable[..., T], *args: object) -> T:
        try:
            with anyio.fail_after(self.queue_timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise HashingBusyError from None
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self._threads)
        finally:
            self._slots.release()
