// The sliding-window limiter of rate-limit.ts, kept in PostgreSQL so that every replica counts
// against one limit: three replicas must not allow three times the attempts.
//
// Each attempt is a row (key, hit_at). tryAcquire counts a key's rows inside the window and
// inserts one in a transaction that first takes `pg_advisory_xact_lock` on the key: concurrent
// attempts for one key, from any process, queue on that lock, so the count and the insert act
// as one step (30 parallel wrong passwords still get exactly 10 slots). Other keys never wait.
// Time is the database's clock, the one clock all replicas share. Rows older than the window
// are swept at most once a window per process.
import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.js";
import type { Acquired, RateLimiter } from "./rate-limit.js";

export interface PgLimiterOptions {
  /** Keeps this limiter's keys apart from another's in the shared table, e.g. "login". */
  name: string;
  max: number;
  windowMs?: number;
}

export function createPgWindowLimiter(
  db: Kysely<Database>,
  { name, max, windowMs = 60_000 }: PgLimiterOptions,
): RateLimiter {
  const window = sql`make_interval(secs => ${windowMs / 1000})`;
  // Stored hashed: a key is client input (an email may hold U+0000, which PostgreSQL text
  // cannot), and a digest keeps every row the same small size.
  const keyOf = (raw: string) => `${name}:${createHash("sha256").update(raw).digest("hex")}`;
  let lastSweep = 0;

  const sweep = async () => {
    if (Date.now() - lastSweep < windowMs) return;
    lastSweep = Date.now();
    await sql`delete from rate_limit_hits where hit_at <= now() - ${window}`.execute(db);
  };

  return {
    async tryAcquire(rawKey): Promise<Acquired> {
      const key = keyOf(rawKey);
      await sweep();
      const acquired = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
        const { rows } = await sql<{ count: string; retry_after: string | null }>`
          select count(*) as count,
                 ceil(extract(epoch from (
                   (array_agg(hit_at order by hit_at desc))[${max}] + ${window} - now()
                 ))) as retry_after
          from rate_limit_hits
          where key = ${key} and hit_at > now() - ${window}`.execute(trx);
        const count = Number(rows[0]?.count ?? 0);
        if (count >= max) {
          return { id: null, retryAfterSeconds: Math.max(1, Number(rows[0]?.retry_after ?? 1)) };
        }
        const inserted = await sql<{ id: number }>`
          insert into rate_limit_hits (key, hit_at) values (${key}, now()) returning id`.execute(
          trx,
        );
        return { id: inserted.rows[0]?.id ?? null, retryAfterSeconds: 0 };
      });
      const { id } = acquired;
      if (id === null) return { allowed: false, retryAfterSeconds: acquired.retryAfterSeconds };
      let released = false;
      return {
        allowed: true,
        async release() {
          if (released) return;
          released = true;
          await db.deleteFrom("rate_limit_hits").where("id", "=", id).execute();
        },
      };
    },

    async reset(rawKey) {
      await db.deleteFrom("rate_limit_hits").where("key", "=", keyOf(rawKey)).execute();
    },
  };
}
