import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type TestContext, expectProblem, login, setup } from "./helpers.js";

describe("operations endpoints and cross-cutting behaviour", () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it("GET /healthz answers ok", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/healthz" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "ok" });
  });

  it("GET /readyz answers ready when the database is reachable", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/readyz" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "ready" });
  });

  it("GET /readyz answers 503 problem+json when the database is gone", async () => {
    await ctx.db.close();
    const res = await ctx.app.inject({ method: "GET", url: "/readyz" });
    expectProblem(res, 503);
  });

  it("GET /openapi.json serves the OpenAPI document with every /api/v1 path", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.match(doc.openapi, /^3\./);
    for (const path of ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/tasks/{id}"]) {
      assert.ok(path in doc.paths, `${path} missing`);
    }
  });

  it("echoes a sane X-Request-ID and replaces an unsafe one", async () => {
    const echoed = await ctx.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "abc-123_DEF.4" },
    });
    assert.equal(echoed.headers["x-request-id"], "abc-123_DEF.4");
    const replaced = await ctx.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "bad id with spaces" },
    });
    assert.match(String(replaced.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
  });

  it("sets X-Content-Type-Options: nosniff on every response, errors included", async () => {
    for (const url of ["/healthz", "/nope", "/api/v1/users/me"]) {
      const res = await ctx.app.inject({ method: "GET", url });
      assert.equal(res.headers["x-content-type-options"], "nosniff", url);
      assert.ok(res.headers["x-request-id"], url);
    }
  });

  it("answers unknown routes with 404 problem+json", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/api/v1/nothing-here" });
    expectProblem(res, 404);
    expectProblem(await ctx.app.inject({ method: "POST", url: "/healthz/extra" }), 404);
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const res = await ctx.app.inject({ method: "PUT", url: "/api/v1/tasks/1" });
    expectProblem(res, 405);
    const allow = String(res.headers["allow"]);
    for (const method of ["GET", "PATCH", "DELETE"]) assert.ok(allow.includes(method), allow);
    const collection = await ctx.app.inject({ method: "DELETE", url: "/api/v1/tasks" });
    expectProblem(collection, 405);
  });

  it("GET /metrics labels requests by route template, and unmatched ones as unmatched", async () => {
    const token = await login(ctx.app, "metrics@example.com");
    const created = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/tasks",
      headers: { authorization: `Bearer ${token}` },
      payload: { title: "count me" },
    });
    const { id } = created.json<{ id: number }>();
    await ctx.app.inject({
      method: "GET",
      url: `/api/v1/tasks/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    await ctx.app.inject({ method: "GET", url: "/no/such/route" });

    const res = await ctx.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain/);
    assert.ok(
      res.body.includes(
        'http_requests_total{method="GET",route="/api/v1/tasks/{id}",status="200"} 1',
      ),
      res.body,
    );
    assert.ok(res.body.includes('route="unmatched",status="404"'));
    assert.ok(!res.body.includes(`/api/v1/tasks/${id}"`), "raw path must not be a label");
    assert.match(
      res.body,
      /http_request_duration_seconds_bucket\{.*route="\/api\/v1\/tasks\/\{id\}"/,
    );
    assert.ok(res.body.includes("http_request_duration_seconds_count"));
  });
});
