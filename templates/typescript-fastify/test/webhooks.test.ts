// Webhooks end to end inside one process: the routes, the outbox written with each task change,
// and the worker delivering to a local receiver (signature, retries, backoff, dead, SSRF).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { sql } from "kysely";
import { createTaskRepository } from "../src/tasks/repository.js";
import { createOutbox } from "../src/webhooks/outbox.js";
import { createWebhookRepository } from "../src/webhooks/repository.js";
import { verify } from "../src/webhooks/signature.js";
import { type Worker, type WorkerConfig, createWorker } from "../src/webhooks/worker.js";
import { createDb } from "../src/db/database.js";
import {
  type TestContext,
  bearer,
  expectProblem,
  login,
  setup,
  testDatabaseUrl,
} from "./helpers.js";
import { type Receiver, startReceiver } from "./receiver.js";

interface Delivery {
  id: number;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  updated_at: string;
}

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Tiny backoff so that retries take milliseconds; timeouts short, but not flaky on a busy CI. */
const FAST: WorkerConfig = {
  pollIntervalMs: 10,
  timeoutMs: 3000,
  maxAttempts: 3,
  backoffBaseMs: 20,
  backoffMaxMs: 40,
  allowLoopback: true,
};

describe("webhooks", () => {
  let ctx: TestContext;
  let alice: string;
  let receiver: Receiver | undefined;
  beforeEach(async () => {
    ctx = await setup();
    alice = await login(ctx.app, "alice@example.com");
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await ctx.close();
  });

  const call = (
    method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE",
    url: string,
    token: string,
    payload?: object,
  ) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  const setEndpoint = async (token: string, url: string, secret = SECRET) => {
    const res = await call("PUT", "/api/v1/users/me/webhook", token, { url, secret });
    assert.equal(res.statusCode, 200, res.body);
  };

  const createTask = async (token: string, title = "Write tests"): Promise<number> => {
    const res = await call("POST", "/api/v1/tasks", token, { title });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: number }>().id;
  };

  const deliveries = async (token: string): Promise<Delivery[]> => {
    const res = await call("GET", "/api/v1/webhook-deliveries?limit=100", token);
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ items: Delivery[] }>().items;
  };

  const worker = (config: Partial<WorkerConfig> = {}): Worker =>
    createWorker(
      createWebhookRepository(ctx.db.kysely, ctx.db.dialect),
      { ...FAST, ...config },
      ctx.app.jobMetrics,
      ctx.app.log,
    );

  /** Runs the worker until no delivery waits any more (retries included). */
  const drain = async (w: Worker, token: string, timeoutMs = 8000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await w.runOnce();
      const open = (await deliveries(token)).filter(
        (d) => d.status === "pending" || d.status === "in_flight",
      );
      if (open.length === 0) return;
      if (Date.now() > deadline) throw new Error(`deliveries still open: ${JSON.stringify(open)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  describe("the endpoint routes", () => {
    it("sets, shows (without the secret) and removes the caller's endpoint", async () => {
      const res = await call("PUT", "/api/v1/users/me/webhook", alice, {
        url: "https://example.com/hooks",
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<{
        url: string;
        secret: string;
        created_at: string;
        updated_at: string;
      }>();
      assert.equal(body.url, "https://example.com/hooks");
      assert.match(body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.ok(body.created_at.endsWith("Z") && body.updated_at.endsWith("Z"));

      const got = await call("GET", "/api/v1/users/me/webhook", alice);
      assert.equal(got.statusCode, 200);
      assert.deepEqual(Object.keys(got.json<object>()).sort(), ["created_at", "updated_at", "url"]);

      const replaced = await call("PUT", "/api/v1/users/me/webhook", alice, {
        url: "https://example.org/x?y=1",
        secret: SECRET,
      });
      assert.equal(replaced.json<{ secret: string }>().secret, SECRET);
      assert.equal(
        (await call("GET", "/api/v1/users/me/webhook", alice)).json<{ url: string }>().url,
        "https://example.org/x?y=1",
      );

      assert.equal((await call("DELETE", "/api/v1/users/me/webhook", alice)).statusCode, 204);
      assert.equal((await call("DELETE", "/api/v1/users/me/webhook", alice)).statusCode, 204);
      expectProblem(await call("GET", "/api/v1/users/me/webhook", alice), 404);
    });

    it("refuses URLs and secrets outside the contract with 422", async () => {
      const bad = [
        { url: "ftp://example.com/hooks" },
        { url: "https://user:pass@example.com/hooks" },
        { url: "https://example.com/hooks#frag" },
        { url: "https://[::1]/hooks" },
        { url: "https://example.com:0/" },
        { url: "https://example.com:65536/" },
        { url: "example.com/hooks" },
        { url: `https://example.com/${"a".repeat(2040)}` },
        { url: 42 },
        {},
        { url: "https://example.com/", secret: "not-a-secret" },
        { url: "https://example.com/", secret: "whsec_c2hvcnQ=" },
      ];
      for (const payload of bad) {
        expectProblem(await call("PUT", "/api/v1/users/me/webhook", alice, payload), 422);
      }
    });

    it("answers 401 without a token on every webhook route", async () => {
      for (const [method, url] of [
        ["GET", "/api/v1/users/me/webhook"],
        ["PUT", "/api/v1/users/me/webhook"],
        ["DELETE", "/api/v1/users/me/webhook"],
        ["GET", "/api/v1/webhook-deliveries"],
      ] as const) {
        const res = await ctx.app.inject({
          method,
          url,
          ...(method === "PUT" ? { payload: { url: "https://example.com/" } } : {}),
        });
        expectProblem(res, 401);
      }
    });

    it("validates the deliveries page like the task list", async () => {
      for (const query of ["limit=0", "limit=101", "limit=x", "offset=-1", "offset=2147483648"]) {
        expectProblem(await call("GET", `/api/v1/webhook-deliveries?${query}`, alice), 422);
      }
      const res = await call("GET", "/api/v1/webhook-deliveries", alice);
      assert.deepEqual(res.json<object>(), { items: [], total: 0, limit: 20, offset: 0 });
    });

    it("refuses localhost and private IPv4 literals at once under production rules", async () => {
      const production = await setup({ production: true });
      try {
        const token = await login(production.app, "prod@example.com");
        for (const url of [
          "http://localhost/hooks",
          "http://api.localhost/hooks",
          "http://127.0.0.1:8080/hooks",
          "http://10.0.0.1/hooks",
          "http://169.254.169.254/latest/meta-data",
          "http://192.168.1.10/hooks",
        ]) {
          const res = await production.app.inject({
            method: "PUT",
            url: "/api/v1/users/me/webhook",
            headers: bearer(token),
            payload: { url },
          });
          expectProblem(res, 422);
        }
      } finally {
        await production.close();
      }
    });
  });

  describe("events (the outbox)", () => {
    it("enqueues one event per create, completion and delete, and none otherwise", async () => {
      await setEndpoint(alice, "https://example.com/hooks");
      const id = await createTask(alice);
      await call("PATCH", `/api/v1/tasks/${id}`, alice, { title: "Renamed" });
      await call("PATCH", `/api/v1/tasks/${id}`, alice, { done: true });
      await call("PATCH", `/api/v1/tasks/${id}`, alice, { done: true });
      await call("PATCH", `/api/v1/tasks/${id}`, alice, { done: false });
      assert.equal((await call("DELETE", `/api/v1/tasks/${id}`, alice)).statusCode, 204);
      expectProblem(await call("DELETE", `/api/v1/tasks/${id}`, alice), 404);

      const items = await deliveries(alice);
      assert.deepEqual(
        items.map((d) => d.event_type),
        ["task.created", "task.completed", "task.deleted"],
      );
      for (const d of items) {
        assert.equal(d.status, "pending");
        assert.equal(d.attempts, 0);
        assert.match(
          d.event_id,
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      }
      assert.equal(new Set(items.map((d) => d.event_id)).size, 3);
    });

    it("enqueues nothing for a user without an endpoint", async () => {
      const id = await createTask(alice);
      await call("PATCH", `/api/v1/tasks/${id}`, alice, { done: true });
      await call("DELETE", `/api/v1/tasks/${id}`, alice);
      const { count } = await ctx.db.kysely
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll().as("count"))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count), 0);
    });

    it("leaves neither the task nor its event when the transaction rolls back", async () => {
      await setEndpoint(alice, "https://example.com/hooks");
      const webhooks = createWebhookRepository(ctx.db.kysely, ctx.db.dialect);
      const real = createOutbox(webhooks);
      // The event is written, then the transaction fails: both must be gone.
      const failing = {
        ...real,
        async enqueue(...args: Parameters<typeof real.enqueue>) {
          await real.enqueue(...args);
          throw new Error("simulated failure after the event was written");
        },
      };
      const tasks = createTaskRepository(ctx.db.kysely, failing);
      const userId = Number(
        (await sql<{ id: number }>`select id from users`.execute(ctx.db.kysely)).rows[0]?.id,
      );
      await assert.rejects(
        tasks.create(userId, { title: "Doomed", description: null, done: false }),
        /simulated/,
      );
      const list = await call("GET", "/api/v1/tasks", alice);
      assert.equal(list.json<{ total: number }>().total, 0);
      assert.deepEqual(await deliveries(alice), []);
    });

    it("lists only the caller's deliveries, paginated", async () => {
      const bob = await login(ctx.app, "bob@example.com");
      await setEndpoint(alice, "https://example.com/alice");
      await setEndpoint(bob, "https://example.com/bob");
      for (let i = 0; i < 3; i++) await createTask(alice, `alice ${i}`);
      await createTask(bob, "bob");
      assert.equal((await deliveries(alice)).length, 3);
      assert.equal((await deliveries(bob)).length, 1);
      const page = await call("GET", "/api/v1/webhook-deliveries?limit=2&offset=1", alice);
      const body = page.json<{ items: Delivery[]; total: number; limit: number; offset: number }>();
      assert.equal(body.total, 3);
      assert.equal(body.items.length, 2);
      assert.deepEqual([body.limit, body.offset], [2, 1]);
      const ids = body.items.map((d) => d.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
    });
  });

  describe("delivery", () => {
    it("POSTs the event with a Standard Webhooks signature the receiver can verify", async () => {
      receiver = await startReceiver();
      await setEndpoint(alice, receiver.url);
      const id = await createTask(alice, "Signed");
      await drain(worker(), alice);

      const [request] = await receiver.waitFor(1);
      assert.ok(request);
      assert.equal(request.headers["content-type"], "application/json");
      const headers = {
        id: String(request.headers["webhook-id"]),
        timestamp: String(request.headers["webhook-timestamp"]),
        signature: String(request.headers["webhook-signature"]),
      };
      assert.match(headers.signature, /^v1,[A-Za-z0-9+/]+=*$/);
      assert.ok(Math.abs(Number(headers.timestamp) - Date.now() / 1000) < 60);
      assert.equal(verify(SECRET, headers, request.body), true);
      // A tampered body, another secret or another timestamp fails verification.
      assert.equal(verify(SECRET, headers, request.body.replace("Signed", "Forged")), false);
      assert.equal(
        verify("whsec_" + Buffer.alloc(32, 7).toString("base64"), headers, request.body),
        false,
      );
      assert.equal(
        verify(
          SECRET,
          { ...headers, timestamp: String(Number(headers.timestamp) + 1) },
          request.body,
        ),
        false,
      );

      const event = JSON.parse(request.body) as {
        type: string;
        timestamp: string;
        data: { id: number; title: string };
      };
      assert.equal(event.type, "task.created");
      assert.ok(!Number.isNaN(Date.parse(event.timestamp)));
      assert.deepEqual([event.data.id, event.data.title], [id, "Signed"]);

      const [delivery] = await deliveries(alice);
      assert.equal(delivery?.status, "delivered");
      assert.equal(delivery?.attempts, 1);
      assert.equal(delivery?.last_status_code, 204);
      assert.equal(delivery?.event_id, headers.id);
      assert.equal(delivery?.next_attempt_at, null);
    });

    it("retries 500s with backoff, then delivers with the same id and body", async () => {
      receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
      await setEndpoint(alice, receiver.url);
      await createTask(alice);
      // A long backoff, so that "not due yet" cannot depend on how fast this machine is.
      const w = worker({ maxAttempts: 5, backoffBaseMs: 60_000, backoffMaxMs: 600_000 });
      const makeDue = () =>
        ctx.db.kysely
          .updateTable("webhook_deliveries")
          .set({ next_attempt_at: new Date().toISOString() })
          .where("status", "=", "pending")
          .execute();

      await w.runOnce();
      const [first] = await deliveries(alice);
      assert.equal(first?.status, "pending");
      assert.equal(first?.attempts, 1);
      assert.equal(first?.last_status_code, 500);
      // After failure 1 the next attempt is due in [base/2, base] = [30, 60] s.
      const wait =
        Date.parse(String(first?.next_attempt_at)) - Date.parse(String(first?.updated_at));
      assert.ok(wait >= 30_000 && wait <= 60_000, `next attempt in ${wait} ms`);
      assert.equal(await w.runOnce(), 0, "not due yet: nothing claimed");
      assert.equal(receiver.received.length, 1);

      await makeDue();
      await w.runOnce();
      const [second] = await deliveries(alice);
      assert.equal(second?.attempts, 2);
      // After failure 2: [base, 2 x base] = [60, 120] s.
      const wait2 =
        Date.parse(String(second?.next_attempt_at)) - Date.parse(String(second?.updated_at));
      assert.ok(wait2 >= 60_000 && wait2 <= 120_000, `next attempt in ${wait2} ms`);

      await makeDue();
      await w.runOnce();
      const [done] = await deliveries(alice);
      assert.equal(done?.status, "delivered");
      assert.equal(done?.attempts, 3);
      assert.equal(done?.next_attempt_at, null);
      const bodies = new Set(receiver.received.map((r) => r.body));
      const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
      assert.equal(receiver.received.length, 3);
      assert.equal(bodies.size, 1);
      assert.equal(ids.size, 1);
    });

    it("marks a delivery dead after the attempt limit of failures", async () => {
      receiver = await startReceiver(() => 500);
      await setEndpoint(alice, receiver.url);
      await createTask(alice);
      await drain(worker({ maxAttempts: 3 }), alice);
      const [dead] = await deliveries(alice);
      assert.equal(dead?.status, "dead");
      assert.equal(dead?.attempts, 3);
      assert.equal(dead?.last_status_code, 500);
      assert.equal(dead?.next_attempt_at, null);
      assert.equal(receiver.received.length, 3);
      const metrics = await ctx.app.inject({ method: "GET", url: "/metrics" });
      assert.match(
        metrics.body,
        /background_jobs_total\{type="webhook_delivery",outcome="retry"\} 2/,
      );
      assert.match(
        metrics.body,
        /background_jobs_total\{type="webhook_delivery",outcome="dead"\} 1/,
      );
      assert.match(metrics.body, /webhook_delivery_duration_seconds_count 3/);
      assert.match(metrics.body, /background_jobs_queue_depth\{type="webhook_delivery"\} 0/);
    });

    it("counts a receiver that does not answer in time as a failed attempt", async () => {
      receiver = await startReceiver(() => "hang");
      await setEndpoint(alice, receiver.url);
      await createTask(alice);
      const started = Date.now();
      await drain(worker({ timeoutMs: 200, maxAttempts: 2 }), alice);
      const [dead] = await deliveries(alice);
      assert.equal(dead?.status, "dead");
      assert.equal(dead?.attempts, 2);
      assert.equal(dead?.last_status_code, null);
      assert.match(String(dead?.last_error), /timeout/);
      assert.ok(Date.now() - started < 15_000, "two short timeouts, not the default 5 s each");
    });

    it("does not follow redirects", async () => {
      receiver = await startReceiver(() => 302);
      await setEndpoint(alice, receiver.url);
      await createTask(alice);
      await drain(worker({ maxAttempts: 1 }), alice);
      const [dead] = await deliveries(alice);
      assert.equal(dead?.status, "dead");
      assert.equal(dead?.last_status_code, 302);
      assert.equal(receiver.received.length, 1);
    });

    it("cancels a delivery whose user removed the endpoint, without a request", async () => {
      receiver = await startReceiver();
      await setEndpoint(alice, receiver.url);
      await createTask(alice);
      await call("DELETE", "/api/v1/users/me/webhook", alice);
      await drain(worker(), alice);
      const [cancelled] = await deliveries(alice);
      assert.equal(cancelled?.status, "cancelled");
      assert.equal(cancelled?.attempts, 0);
      assert.equal(receiver.received.length, 0);
    });

    for (const url of [
      "http://127.0.0.1:{port}/hooks",
      "http://localhost:{port}/hooks",
      "http://10.0.0.1/hooks",
      "http://169.254.169.254/latest/meta-data",
    ]) {
      it(`refuses ${url.replace(":{port}", "")} under production rules: dead, no request`, async () => {
        receiver = await startReceiver();
        const port = new URL(receiver.url).port;
        await setEndpoint(alice, url.replace("{port}", port));
        await createTask(alice);
        await drain(worker({ allowLoopback: false }), alice);
        const [dead] = await deliveries(alice);
        assert.equal(dead?.status, "dead");
        assert.equal(dead?.attempts, 1);
        assert.match(String(dead?.last_error), /^refused address /);
        assert.equal(receiver.received.length, 0);
      });
    }
  });
  describe(
    "two workers on one PostgreSQL database",
    {
      skip: testDatabaseUrl().startsWith("postgres")
        ? false
        : "no PostgreSQL configured (set TEST_DATABASE_URL=postgres://...)",
    },
    () => {
      it("never deliver one event twice (FOR UPDATE SKIP LOCKED)", async () => {
        receiver = await startReceiver();
        await setEndpoint(alice, receiver.url);
        for (let i = 0; i < 40; i++) await createTask(alice, `task ${i}`);
        // Two pools, as two processes would have.
        const dbs = [createDb(testDatabaseUrl()), createDb(testDatabaseUrl())];
        try {
          const workers = dbs.map((db) =>
            createWorker(
              createWebhookRepository(db.kysely, db.dialect),
              FAST,
              ctx.app.jobMetrics,
              ctx.app.log,
            ),
          );
          const handled = await Promise.all(
            workers.map(async (w) => {
              let total = 0;
              for (let n = await w.runOnce(); n > 0; n = await w.runOnce()) total += n;
              return total;
            }),
          );
          assert.equal(
            handled.reduce((a, b) => a + b, 0),
            40,
            `per worker: ${handled.join(", ")}`,
          );
          const ids = receiver.received.map((r) => String(r.headers["webhook-id"]));
          assert.equal(ids.length, 40);
          assert.equal(new Set(ids).size, 40);
          const items = await deliveries(alice);
          assert.ok(items.every((d) => d.status === "delivered" && d.attempts === 1));
        } finally {
          await Promise.all(dbs.map((db) => db.close()));
        }
      });
    },
  );
});
