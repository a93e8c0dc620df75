// Abuse cases: oversized input, parallel guessing, request floods, hashing saturation, hostile
// methods and content types. Each is the class of an attack, not one lucky example.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { afterEach, describe, it } from "node:test";
import { type HashGate, createHashGate } from "../src/auth/hash-gate.js";
import {
  PASSWORD,
  type TestContext,
  bearer,
  expectProblem,
  login,
  register,
  setup,
} from "./helpers.js";

describe("abuse resistance", () => {
  let ctx: TestContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  const start = async (overrides: Parameters<typeof setup>[0] = {}) => {
    ctx = await setup(overrides);
    return ctx;
  };
  const loginAs = (c: TestContext, email: string, password: string, remoteAddress = "127.0.0.1") =>
    c.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email, password },
      remoteAddress,
    });

  it("answers a 128,000-character email with 422 within a second", async () => {
    const c = await start();
    const email = `${"a".repeat(128_000)}@example.com`;
    const started = performance.now();
    expectProblem(await register(c.app, email), 422);
    expectProblem(await register(c.app, `${"a@".repeat(64_000)}example.com`), 422);
    // Login checks the length first too: 422, and no limiter key of 128 kB.
    expectProblem(await loginAs(c, email, PASSWORD), 422);
    assert.ok(performance.now() - started < 1000, `${performance.now() - started} ms`);
  });

  it("judges at most 10 of 30 parallel wrong passwords for one email; the rest get 429", async () => {
    const c = await start();
    await register(c.app, "target@example.com");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        // Spelled differently each time: the limit is per normalised email.
        loginAs(c, i % 2 ? " TARGET@example.com" : "target@Example.com", `wrong password ${i}`),
      ),
    );
    const statuses = answers.map((res) => res.statusCode);
    assert.equal(statuses.filter((s) => s === 401).length, 10, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 20, statuses.join(","));
    for (const res of answers.filter((r) => r.statusCode === 429)) {
      assert.ok(Number(res.headers["retry-after"]) >= 1);
    }
  });

  it("clears an email's failures after a successful login", async () => {
    const c = await start();
    await register(c.app, "forgetful@example.com");
    for (let i = 0; i < 9; i++)
      expectProblem(await loginAs(c, "forgetful@example.com", "nope nope"), 401);
    const ok = await loginAs(c, "forgetful@example.com", PASSWORD);
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers["cache-control"], "no-store");
    // Ten fresh failures are allowed again before the 429.
    for (let i = 0; i < 10; i++)
      expectProblem(await loginAs(c, "forgetful@example.com", "nope nope"), 401);
    expectProblem(await loginAs(c, "forgetful@example.com", PASSWORD), 429);
  });

  it("limits register + login per client address, ignoring X-Forwarded-For", async () => {
    const c = await start({ authRateLimitPerIp: 5 });
    const attempt = (remoteAddress: string, forwardedFor?: string) =>
      c.app.inject({
        method: "POST",
        url: "/api/v1/auth/register",
        payload: { email: "x", password: "short" },
        remoteAddress,
        headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
      });
    for (let i = 0; i < 3; i++) expectProblem(await attempt("203.0.113.7"), 422);
    for (let i = 0; i < 2; i++) expectProblem(await loginAs(c, "a@b.co", "x", "203.0.113.7"), 401);
    // Every request counted, valid or not, on both routes together.
    const blocked = await attempt("203.0.113.7", `198.51.100.${Math.floor(Math.random() * 200)}`);
    expectProblem(blocked, 429);
    assert.ok(Number(blocked.headers["retry-after"]) >= 1);
    expectProblem(await attempt("203.0.113.8"), 422); // another client is not affected
    // Other routes are not limited.
    assert.equal(
      (await c.app.inject({ method: "GET", url: "/healthz", remoteAddress: "203.0.113.7" }))
        .statusCode,
      200,
    );
  });

  it("answers 503 + Retry-After when every hashing slot stays busy", async () => {
    const gate: HashGate = createHashGate(1, 50);
    const c = await start({ hashGate: gate });
    const release = await gate.acquire(); // the one slot, held for the whole check
    const busy = await register(c.app, "busy@example.com");
    expectProblem(busy, 503);
    assert.equal(busy.headers["retry-after"], "1");
    expectProblem(await loginAs(c, "busy@example.com", PASSWORD), 503);
    release();
    assert.equal((await register(c.app, "busy@example.com")).statusCode, 201);
    // The 503 logins were not judged, so they did not count as failures.
    for (let i = 0; i < 10; i++)
      expectProblem(await loginAs(c, "busy@example.com", "wrong one"), 401);
  });

  it("accepts and drops __proto__ keys instead of polluting prototypes", async () => {
    const c = await start();
    const token = await login(c.app, "proto@example.com");
    const res = await c.app.inject({
      method: "POST",
      url: "/api/v1/tasks",
      headers: { ...bearer(token), "content-type": "application/json" },
      payload: '{"title":"x","extra":{"__proto__":{"polluted":true}},"__proto__":{"done":true}}',
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json<{ done: boolean }>().done, false);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });

  it("refuses U+0000 in stored text with 422 on both databases, and never 500s on it", async () => {
    const c = await start();
    const token = await login(c.app, "nul@example.com");
    const post = (payload: object) =>
      c.app.inject({ method: "POST", url: "/api/v1/tasks", headers: bearer(token), payload });
    expectProblem(await post({ title: "a\u0000b" }), 422);
    expectProblem(await post({ title: "ok", description: "\u0000" }), 422);
    const task = (await post({ title: "ok" })).json<{ id: number }>();
    const patch = await c.app.inject({
      method: "PATCH",
      url: `/api/v1/tasks/${task.id}`,
      headers: bearer(token),
      payload: { description: "x\u0000" },
    });
    expectProblem(patch, 422);
    expectProblem(await register(c.app, "ada\u0000@example.com"), 422);
    expectProblem(await loginAs(c, "nul@example.com\u0000", PASSWORD), 401);
  });

  it("answers 415 to a body that is not JSON", async () => {
    const c = await start();
    const token = await login(c.app, "types@example.com");
    for (const contentType of [
      "text/plain",
      "application/xml",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "nonsense",
    ]) {
      const res = await c.app.inject({
        method: "POST",
        url: "/api/v1/tasks",
        headers: { ...bearer(token), "content-type": contentType },
        payload: '{"title":"x"}',
      });
      expectProblem(res, 415);
      expectProblem(
        await c.app.inject({
          method: "POST",
          url: "/api/v1/auth/register",
          headers: { "content-type": contentType },
          payload: "a",
        }),
        415,
      );
    }
  });

  it("answers 405 + Allow to any method a declared path does not serve", async () => {
    const c = await start();
    for (const method of ["OPTIONS", "PUT", "TRACE", "PROPFIND", "QUERY"] as const) {
      const res = await c.app.inject({ method, url: "/api/v1/tasks" });
      expectProblem(res, 405);
      assert.equal(res.headers["allow"], "GET, HEAD, POST", method);
    }
    const unknown = await c.app.inject({ method: "QUERY", url: "/api/v1/nothing" });
    expectProblem(unknown, 404);
  });

  it("answers 422, never 500, to huge limit and offset values", async () => {
    const c = await start();
    const token = await login(c.app, "pages@example.com");
    const page = (query: string) =>
      c.app.inject({ method: "GET", url: `/api/v1/tasks?${query}`, headers: bearer(token) });
    for (const query of [
      "offset=2147483648",
      "offset=9223372036854775808",
      "offset=1e400",
      "limit=1e400",
      "limit=9223372036854775808",
      "offset=99999999999999999999999999",
      "offset=-0.5",
    ]) {
      expectProblem(await page(query), 422);
    }
    // The largest valid offset is answered: an empty page.
    const last = await page("offset=2147483647");
    assert.equal(last.statusCode, 200, last.body);
    assert.deepEqual(last.json(), { items: [], total: 0, limit: 20, offset: 2147483647 });
  });

  it("adds no metric series for invented methods, answered 405 by the parser hook", async () => {
    const c = await start();
    await c.app.listen({ port: 0, host: "127.0.0.1" });
    const address = c.app.server.address();
    assert.ok(address && typeof address === "object");
    const raw = (method: string, path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(address.port, "127.0.0.1", () => {
          socket.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        });
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString()));
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
    for (let i = 0; i < 5; i++) {
      const answer = await raw(`FOO${i}`, "/api/v1/tasks");
      assert.match(answer, /^HTTP\/1\.1 405 /);
      assert.match(answer, /allow: GET, HEAD, POST/i);
      assert.match(answer, /application\/problem\+json/);
    }
    assert.match(await raw("PROPFIND", "/healthz"), /^HTTP\/1\.1 405 /);
    const metrics = (await c.app.inject({ method: "GET", url: "/metrics" })).body;
    assert.ok(!/method="(FOO\d|PROPFIND)"/.test(metrics), "an invented method became a label");
    assert.match(metrics, /http_requests_total\{method="OTHER",route="unmatched",status="405"\} 1/);
  });
});

describe("production start-up", () => {
  const startServer = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/server.ts"], {
      env: {
        PATH: process.env["PATH"] ?? "",
        APP_ENV: "production",
        DATABASE_URL: "sqlite::memory:",
        PORT: "1",
        ...env,
      },
      encoding: "utf8",
      timeout: 20_000,
    });

  it("refuses a missing or 31-byte JWT_SECRET with one JSON line saying how to make one", () => {
    // An empty variable still wins over .env's development secret.
    for (const env of [
      { JWT_SECRET: "" },
      { JWT_SECRET: "x".repeat(31) },
      { APP_ENV: "Production", JWT_SECRET: "weak" },
    ]) {
      const result = startServer(env);
      assert.equal(result.status, 1, result.stderr);
      const line = JSON.parse(result.stdout.trim()) as { level: string; msg: string };
      assert.equal(line.level, "fatal");
      assert.match(line.msg, /JWT_SECRET.*openssl rand -hex 32/);
    }
  });
});
