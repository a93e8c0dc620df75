// Webhook endpoints and deliveries. The deliveries table is both the outbox (rows are written
// in the transaction of the task change, see outbox.ts) and the worker's queue (claimed with
// one atomic UPDATE ... RETURNING, see claim()).
import { type Kysely, type Transaction, sql } from "kysely";
import type { DialectName } from "../db/database.js";
import { type Database, type DeliveryRow, toIso } from "../db/schema.js";

export interface Endpoint {
  url: string;
  created_at: string;
  updated_at: string;
}

export interface Delivery {
  id: number;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewDelivery {
  userId: number;
  eventId: string;
  eventType: string;
  payload: string;
}

/** What the worker decided about one attempt. */
export type Outcome =
  | { status: "delivered"; statusCode: number }
  | { status: "pending"; statusCode: number | null; error: string; nextAttemptAt: Date }
  | { status: "dead"; statusCode: number | null; error: string }
  | { status: "cancelled"; error: string };

const optionalIso = (value: Date | string | null) => (value === null ? null : toIso(value));

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  event_id: row.event_id,
  event_type: row.event_type,
  status: row.status,
  attempts: row.attempts,
  last_status_code: row.last_status_code,
  last_error: row.last_error,
  next_attempt_at: optionalIso(row.next_attempt_at),
  created_at: toIso(row.created_at),
  updated_at: toIso(row.updated_at),
});

type Executor = Kysely<Database> | Transaction<Database>;

export function createWebhookRepository(db: Kysely<Database>, dialect: DialectName) {
  return {
    async getEndpoint(userId: number): Promise<Endpoint | undefined> {
      const row = await db
        .selectFrom("webhook_endpoints")
        .select(["url", "created_at", "updated_at"])
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return (
        row && {
          url: row.url,
          created_at: toIso(row.created_at),
          updated_at: toIso(row.updated_at),
        }
      );
    },

    /** The endpoint's url and secret, read inside the caller's transaction or at delivery. */
    async findTarget(userId: number, executor: Executor = db) {
      return executor
        .selectFrom("webhook_endpoints")
        .select(["url", "secret"])
        .where("user_id", "=", userId)
        .executeTakeFirst();
    },

    async setEndpoint(userId: number, url: string, secret: string): Promise<Endpoint> {
      const now = new Date().toISOString();
      const row = await db
        .insertInto("webhook_endpoints")
        .values({ user_id: userId, url, secret, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column("user_id").doUpdateSet({ url, secret, updated_at: now }))
        .returning(["url", "created_at", "updated_at"])
        .executeTakeFirstOrThrow();
      return { url: row.url, created_at: toIso(row.created_at), updated_at: toIso(row.updated_at) };
    },

    async deleteEndpoint(userId: number): Promise<void> {
      await db.deleteFrom("webhook_endpoints").where("user_id", "=", userId).execute();
    },

    async insertDelivery(executor: Executor, delivery: NewDelivery): Promise<void> {
      const now = new Date().toISOString();
      await executor
        .insertInto("webhook_deliveries")
        .values({
          user_id: delivery.userId,
          event_id: delivery.eventId,
          event_type: delivery.eventType,
          payload: delivery.payload,
          status: "pending",
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async list(userId: number, limit: number, offset: number) {
      const rows = await db
        .selectFrom("webhook_deliveries")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("id", "asc")
        .limit(limit)
        .offset(offset)
        .execute();
      const { total } = await db
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll().as("total"))
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      return { items: rows.map(toDelivery), total: Number(total) };
    },

    /**
     * Takes up to `limit` due rows for this worker: pending and due, or in flight with an
     * expired lease (a worker that died mid-delivery). One statement, so the check and the take
     * cannot be split: on PostgreSQL SKIP LOCKED lets concurrent workers each take other rows
     * instead of waiting or taking the same; SQLite runs the statement as one write transaction.
     */
    async claim(limit: number, leaseMs: number, now = new Date()): Promise<DeliveryRow[]> {
      const at = now.toISOString();
      const lease = new Date(now.getTime() + leaseMs).toISOString();
      const lock = dialect === "postgres" ? sql`for update skip locked` : sql``;
      const { rows } = await sql<DeliveryRow>`
        update webhook_deliveries
        set status = 'in_flight', locked_until = ${lease}, updated_at = ${at}
        where id in (
          select id from webhook_deliveries
          where (status = 'pending' and next_attempt_at <= ${at})
             or (status = 'in_flight' and locked_until <= ${at})
          order by id
          limit ${limit}
          ${lock}
        )
        returning *`.execute(db);
      return rows;
    },

    /**
     * Records an attempt's outcome, only while this worker still holds the row's lease (a row
     * reclaimed by another worker after a lapsed lease is that worker's now).
     */
    async finish(row: DeliveryRow, outcome: Outcome, attempted: boolean): Promise<void> {
      const now = new Date().toISOString();
      await db
        .updateTable("webhook_deliveries")
        .set({
          status: outcome.status,
          attempts: row.attempts + (attempted ? 1 : 0),
          last_status_code: "statusCode" in outcome ? outcome.statusCode : null,
          last_error: "error" in outcome ? outcome.error.slice(0, 500) : null,
          next_attempt_at:
            outcome.status === "pending" ? outcome.nextAttemptAt.toISOString() : null,
          locked_until: null,
          updated_at: now,
        })
        .where("id", "=", row.id)
        .where("status", "=", "in_flight")
        .where("locked_until", "=", row.locked_until === null ? "" : toIso(row.locked_until))
        .execute();
    },

    /** Gives a claimed row back untouched (shutdown before its attempt started). */
    async release(row: DeliveryRow): Promise<void> {
      await db
        .updateTable("webhook_deliveries")
        .set({ status: "pending", locked_until: null })
        .where("id", "=", row.id)
        .where("status", "=", "in_flight")
        .execute();
    },

    /** Rows waiting for an attempt (pending, due or not): the queue depth gauge. */
    async queueDepth(): Promise<number> {
      const { depth } = await db
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll().as("depth"))
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      return Number(depth);
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
