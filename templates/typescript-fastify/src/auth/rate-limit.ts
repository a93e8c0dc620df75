// Failed-login limiter: counts failures per (lower-cased) email in a sliding 60-second window,
// in memory. Good for one process; several replicas would need a shared store such as Redis.

export interface LoginLimiter {
  /** Seconds until the next attempt is allowed, or 0 when the email is not blocked. */
  retryAfter(email: string): number;
  recordFailure(email: string): void;
}

export function createLoginLimiter(
  maxFailures = 10,
  windowMs = 60_000,
  now: () => number = Date.now,
): LoginLimiter {
  const failures = new Map<string, number[]>();

  const recent = (email: string): number[] => {
    const cutoff = now() - windowMs;
    const kept = (failures.get(email) ?? []).filter((t) => t > cutoff);
    if (kept.length === 0) failures.delete(email);
    else failures.set(email, kept);
    return kept;
  };

  return {
    retryAfter(email) {
      const times = recent(email);
      if (times.length < maxFailures) return 0;
      // Blocked until the oldest failure that still counts leaves the window.
      const oldest = times[times.length - maxFailures] ?? now();
      return Math.max(1, Math.ceil((oldest + windowMs - now()) / 1000));
    },
    recordFailure(email) {
      failures.set(email, [...recent(email), now()]);
    },
  };
}
