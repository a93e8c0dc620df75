// Sliding-window limiters, in memory: good for one process (SQLite means one process). Several
// replicas each keep their own counts, which multiplies the limit by their number: with
// PostgreSQL the limiters live in the database instead (pg-rate-limit.ts), same semantics.
//
// `tryAcquire` checks and records an attempt in one synchronous step. Node runs JavaScript on
// one thread, so no other request can slip in between the check and the increment: 30 parallel
// logins for one email get exactly 10 slots, even though each then awaits a slow hash.
//
// Memory stays bounded under a flood of distinct keys (sprayed emails or addresses): a key lives
// only while it has attempts inside the window, expired keys are swept at least once a window,
// and past `maxKeys` the least recently used keys are dropped.

/** One attempt's slot; `release` is synchronous in memory and a query in the database. */
export type Acquired<Release = void | Promise<void>> =
  | {
      allowed: true;
      /** Gives the attempt back (it was not judged, e.g. the server was busy). */
      release(): Release;
    }
  | { allowed: false; retryAfterSeconds: number };

/** What the routes need from a limiter, in memory or in the database. */
export interface RateLimiter {
  /** Checks and records one attempt in a single atomic step. */
  tryAcquire(key: string): Acquired | Promise<Acquired>;
  /** Forgets every attempt of a key (a successful login clears its failures). */
  reset(key: string): void | Promise<void>;
}

export interface WindowLimiter extends RateLimiter {
  tryAcquire(key: string): Acquired<void>;
  reset(key: string): void;
  /** How many keys are held: for tests and for a gauge. */
  readonly size: number;
}

export interface WindowLimiterOptions {
  max: number;
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

export function createWindowLimiter({
  max,
  windowMs = 60_000,
  maxKeys = 100_000,
  now = Date.now,
}: WindowLimiterOptions): WindowLimiter {
  // Map keeps insertion order; a touched key is re-inserted, so the first keys are the stalest.
  const attempts = new Map<string, number[]>();
  let lastSweep = now();

  const sweep = (cutoff: number) => {
    for (const [key, times] of attempts) {
      if ((times[times.length - 1] ?? 0) <= cutoff) attempts.delete(key);
    }
    lastSweep = now();
  };

  const evictStalest = () => {
    // Drop a tenth at once, so a flood costs one pass per maxKeys / 10 new keys, not per key.
    let excess = attempts.size - Math.floor(maxKeys * 0.9);
    for (const key of attempts.keys()) {
      if (excess-- <= 0) break;
      attempts.delete(key);
    }
  };

  return {
    tryAcquire(key) {
      const at = now();
      const cutoff = at - windowMs;
      if (at - lastSweep >= windowMs) sweep(cutoff);
      const times = (attempts.get(key) ?? []).filter((t) => t > cutoff);
      if (times.length >= max) {
        attempts.set(key, times);
        // Blocked until the oldest attempt that still counts leaves the window.
        const oldest = times[times.length - max] ?? at;
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - at) / 1000)),
        };
      }
      times.push(at);
      attempts.delete(key);
      attempts.set(key, times);
      if (attempts.size > maxKeys) {
        sweep(cutoff);
        if (attempts.size > maxKeys) evictStalest();
      }
      let released = false;
      return {
        allowed: true,
        release() {
          if (released) return;
          released = true;
          const current = attempts.get(key);
          const index = current?.lastIndexOf(at) ?? -1;
          if (current && index >= 0) {
            current.splice(index, 1);
            if (current.length === 0) attempts.delete(key);
          }
        },
      };
    },
    reset(key) {
      attempts.delete(key);
    },
    get size() {
      return attempts.size;
    },
  };
}
