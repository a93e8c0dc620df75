// Bounds how many argon2 hashes run at once. Each one holds its memory cost (19 MiB by default)
// while it runs, so an unbounded number of parallel logins could exhaust memory; a request
// waits for a free slot at most `queueTimeoutMs`, then gets 503 + Retry-After instead.
//
// argon2 runs on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default), which already queues
// work, but that queue has no bound and no timeout: this gate makes both explicit.

export class HashBusyError extends Error {
  override name = "HashBusyError";
}

export interface HashGate {
  /** Runs `work` once a slot is free; rejects with HashBusyError after the queue timeout. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Takes a slot by hand; the returned function frees it (tests hold a slot with this). */
  acquire(): Promise<() => void>;
  readonly inUse: number;
  readonly waiting: number;
}

export function createHashGate(concurrency: number, queueTimeoutMs: number): HashGate {
  const limit = Math.max(1, Math.floor(concurrency));
  let inUse = 0;
  const queue: Array<() => void> = [];

  const freeSlot = () => {
    const next = queue.shift();
    // Hand the slot straight to the next waiter, so inUse never drops below the queue's needs.
    if (next) next();
    else inUse--;
  };

  const acquire = (): Promise<() => void> => {
    const release = () => {
      let done = false;
      return () => {
        if (!done) {
          done = true;
          freeSlot();
        }
      };
    };
    if (inUse < limit) {
      inUse++;
      return Promise.resolve(release());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(release());
      };
      const timer = setTimeout(() => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        reject(new HashBusyError("no password-hashing slot became free in time"));
      }, queueTimeoutMs);
      queue.push(grant);
    });
  };

  return {
    acquire,
    async run(work) {
      const release = await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return queue.length;
    },
  };
}
