import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { PASSWORD, type TestContext, expectProblem, register, setup } from "./helpers.js";

describe("registration and login", () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const loginAs = (email: string, password: string) =>
    ctx.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });

  it("registers a user: 201 with id, normalised email and created_at", async () => {
    const res = await register(ctx.app, "  Ada@Example.COM ");
    assert.equal(res.statusCode, 201);
    const body = res.json<Record<string, unknown>>();
    assert.equal(typeof body["id"], "number");
    assert.equal(body["email"], "ada@example.com");
    assert.ok(!Number.isNaN(Date.parse(String(body["created_at"]))));
    assert.ok(!("password" in body) && !("password_hash" in body));
  });

  it("refuses a duplicate email case-insensitively with 409", async () => {
    await register(ctx.app, "dup@example.com");
    expectProblem(await register(ctx.app, "DUP@example.com"), 409);
  });

  it("refuses invalid emails with 422", async () => {
    for (const email of ["no-at-sign", "a@nodot", "@example.com", "a b@example.com", "a@@b.com"]) {
      const body = expectProblem(await register(ctx.app, email), 422);
      assert.ok(Array.isArray(body["errors"]), email);
    }
    expectProblem(await register(ctx.app, `${"x".repeat(250)}@example.com`), 422);
  });

  it("refuses passwords outside 8..128 characters with 422", async () => {
    expectProblem(await register(ctx.app, "short@example.com", "1234567"), 422);
    expectProblem(await register(ctx.app, "long@example.com", "x".repeat(129)), 422);
    // Characters, not bytes: 8 two-byte characters are a valid password.
    assert.equal((await register(ctx.app, "utf8@example.com", "éééééééé")).statusCode, 201);
    assert.equal((await register(ctx.app, "max@example.com", "x".repeat(128))).statusCode, 201);
  });

  it("refuses wrong JSON types and missing fields with 422", async () => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/auth/register",
      payload: { email: 5, password: PASSWORD },
    });
    expectProblem(res, 422);
    const missing = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/auth/register",
      payload: { email: "x@example.com" },
    });
    expectProblem(missing, 422);
  });

  it("logs in with a bearer token and its lifetime", async () => {
    await register(ctx.app, "login@example.com");
    const res = await loginAs("LOGIN@example.com", PASSWORD);
    assert.equal(res.statusCode, 200);
    const body = res.json<Record<string, unknown>>();
    assert.equal(body["token_type"], "Bearer");
    assert.equal(body["expires_in"], 900);
    assert.equal(String(body["access_token"]).split(".").length, 3);
  });

  it("answers a wrong password and an unknown email with the same 401", async () => {
    await register(ctx.app, "who@example.com");
    const wrong = await loginAs("who@example.com", "wrong password");
    const unknown = await loginAs("nobody@example.com", PASSWORD);
    for (const res of [wrong, unknown]) {
      expectProblem(res, 401);
      assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
    }
    assert.equal(
      wrong.json<{ detail: string }>().detail,
      unknown.json<{ detail: string }>().detail,
    );
  });

  it("rate-limits a login email after 10 failures with 429 and Retry-After", async () => {
    await register(ctx.app, "victim@example.com");
    for (let i = 0; i < 10; i++) {
      expectProblem(await loginAs("victim@example.com", "wrong password"), 401);
    }
    // Even the right password is refused now, and the email's case does not matter.
    const blocked = await loginAs("VICTIM@example.com", PASSWORD);
    expectProblem(blocked, 429);
    const retryAfter = Number(blocked.headers["retry-after"]);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60);
    // Other emails are not affected.
    await register(ctx.app, "other@example.com");
    assert.equal((await loginAs("other@example.com", PASSWORD)).statusCode, 200);
  });
});
