// The delivery worker: a loop over the deliveries table. It claims due rows (see
// repository.claim), sends each with a fresh timestamp and signature, and records the outcome:
// delivered, retry later (backoff), dead after the last attempt or at once for a refused
// address, cancelled when the user no longer has an endpoint. Several workers may run against
// one PostgreSQL database; SQLite supports one worker process.
import type { FastifyBaseLogger } from "fastify";
import type { JobsConfig } from "../config.js";
import type { DeliveryRow } from "../db/schema.js";
import { backoffMs } from "./backoff.js";
import { type AttemptResult, post } from "./http-client.js";
import type { JobMetrics } from "./metrics.js";
import type { Outcome, WebhookRepository } from "./repository.js";
import { sign } from "./signature.js";
import { RefusedAddressError, resolveChecked } from "./ssrf.js";

/** `promise`, or a rejection with `message` after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rows claimed per poll; each is delivered concurrently. */
const BATCH_SIZE = 10;

export type WorkerConfig = Pick<
  JobsConfig,
  | "pollIntervalMs"
  | "timeoutMs"
  | "maxAttempts"
  | "backoffBaseMs"
  | "backoffMaxMs"
  | "allowLoopback"
>;

export interface Worker {
  start(): void;
  /** Polls now instead of at the next tick (an in-process enqueue just committed). */
  wake(): void;
  /** Claims and delivers one batch; returns how many rows it handled. For tests and the loop. */
  runOnce(): Promise<number>;
  /** Stops claiming and waits for the deliveries in hand (each bounded by its timeouts). */
  stop(): Promise<void>;
}

export function createWorker(
  webhooks: WebhookRepository,
  config: WorkerConfig,
  metrics: JobMetrics,
  log: FastifyBaseLogger,
): Worker {
  // A lapsed lease means a crashed worker: longer than any attempt (connect + read timeouts).
  const leaseMs = config.timeoutMs * 2 + 30_000;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let again = false;

  async function attempt(row: DeliveryRow): Promise<{ outcome: Outcome; attempted: boolean }> {
    const target = await webhooks.findTarget(row.user_id);
    if (!target)
      return { outcome: { status: "cancelled", error: "no webhook endpoint" }, attempted: false };
    const url = new URL(target.url);
    let result: AttemptResult;
    try {
      // The lookup counts against the connect timeout: a resolver that never answers must not
      // hold the delivery (and its lease) forever.
      const address = await withTimeout(
        resolveChecked(url.hostname, config.allowLoopback),
        config.timeoutMs,
        "DNS lookup timeout",
      );
      const timestamp = Math.floor(Date.now() / 1000);
      const started = process.hrtime.bigint();
      result = await post({
        url,
        address,
        body: row.payload,
        timeoutMs: config.timeoutMs,
        headers: {
          "content-type": "application/json",
          "user-agent": "webhook-worker",
          "webhook-id": row.event_id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": sign(target.secret, row.event_id, timestamp, row.payload),
        },
      });
      metrics.attemptDuration(Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RefusedAddressError) {
        return { outcome: { status: "dead", statusCode: null, error: message }, attempted: true };
      }
      // DNS failure and the like: an attempt that failed without a request.
      result = { ok: false, status: null, error: message };
    }
    if (result.ok)
      return { outcome: { status: "delivered", statusCode: result.status }, attempted: true };
    const attempts = row.attempts + 1;
    if (attempts >= config.maxAttempts) {
      return {
        outcome: { status: "dead", statusCode: result.status, error: result.error },
        attempted: true,
      };
    }
    const delay = backoffMs(attempts, config.backoffBaseMs, config.backoffMaxMs);
    return {
      outcome: {
        status: "pending",
        statusCode: result.status,
        error: result.error,
        nextAttemptAt: new Date(Date.now() + delay),
      },
      attempted: true,
    };
  }

  async function handle(row: DeliveryRow): Promise<void> {
    if (stopping) {
      await webhooks.release(row);
      return;
    }
    const { outcome, attempted } = await attempt(row);
    await webhooks.finish(row, outcome, attempted);
    metrics.outcome(outcome.status === "pending" ? "retry" : outcome.status);
    log.info(
      {
        delivery_id: row.id,
        event_id: row.event_id,
        status: outcome.status,
        attempts: row.attempts + (attempted ? 1 : 0),
      },
      "webhook delivery attempt",
    );
  }

  async function runOnce(): Promise<number> {
    const rows = await webhooks.claim(BATCH_SIZE, leaseMs);
    await Promise.all(
      rows.map((row) =>
        handle(row).catch((error: unknown) => {
          // The lease lapses and another poll retries the row.
          log.error({ err: error, delivery_id: row.id }, "webhook delivery failed unexpectedly");
        }),
      ),
    );
    return rows.length;
  }

  /** One poll cycle at a time; a wake during a cycle makes it poll once more before sleeping. */
  function cycle(): void {
    if (stopping) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    clearTimeout(timer);
    running = (async () => {
      do {
        again = false;
        try {
          // A full batch means more may be due: go on without waiting for the next tick.
          while (!stopping && (await runOnce()) === BATCH_SIZE);
        } catch (error) {
          log.warn({ err: error }, "webhook worker poll failed; retrying at the next tick");
        }
      } while (again && !stopping);
      busy = false;
      if (!stopping) timer = setTimeout(cycle, config.pollIntervalMs);
    })();
  }

  return {
    start: cycle,
    wake: cycle,
    runOnce,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await running;
    },
  };
}
