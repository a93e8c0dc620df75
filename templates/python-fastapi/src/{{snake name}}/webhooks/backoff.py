"""Exponential backoff with jitter between failed attempts."""

import random
from datetime import timedelta


def retry_delay(
    failed_attempts: int, base_ms: int, max_ms: int, rng: random.Random | None = None
) -> timedelta:
    """After failed attempt n: a random delay in [d/2, d], d = min(base x 2^(n-1), max).

    The jitter spreads the retries of many deliveries that failed together (an endpoint that
    was down) instead of sending them all back at the same instant.
    """
    exponent = max(0, failed_attempts - 1)
    # Capped before multiplying out, so a large attempt count cannot build a huge integer.
    ceiling = max_ms if exponent >= 63 else min(base_ms * 2**exponent, max_ms)
    chosen = (rng or random).uniform(ceiling / 2, ceiling)  # jitter, not a secret
    return timedelta(milliseconds=chosen)
