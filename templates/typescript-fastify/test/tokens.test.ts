// Every way a bearer token can be wrong ends in 401 + WWW-Authenticate: Bearer.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { sql } from "kysely";
import { type TestContext, expectProblem, forgeToken, login, setup } from "./helpers.js";

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("bearer token checks on GET /api/v1/users/me", () => {
  let ctx: TestContext;
  let token: string;
  beforeEach(async () => {
    ctx = await setup();
    token = await login(ctx.app, "token@example.com");
  });
  afterEach(async () => {
    await ctx.close();
  });

  const me = (authorization?: string) =>
    ctx.app.inject({
      method: "GET",
      url: "/api/v1/users/me",
      headers: authorization === undefined ? {} : { authorization },
    });

  const expect401 = async (authorization?: string) => {
    const res = await me(authorization);
    expectProblem(res, 401);
    assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
  };

  it("accepts a valid token", async () => {
    const res = await me(`Bearer ${token}`);
    assert.equal(res.statusCode, 200);
    const body = res.json<{ id: number; email: string; created_at: string }>();
    assert.equal(body.email, "token@example.com");
    assert.equal(typeof body.id, "number");
    assert.ok(!("password_hash" in body));
  });

  it("rejects a missing Authorization header", async () => {
    await expect401();
  });

  it("rejects a malformed token and a non-Bearer scheme", async () => {
    await expect401("Bearer not-a-jwt");
    await expect401("Bearer ");
    await expect401(`Basic ${token}`);
  });

  it("rejects a tampered token", async () => {
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { sub: string };
    const forged = b64url({ ...claims, sub: "999" });
    await expect401(`Bearer ${header}.${forged}.${signature}`);
    const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
    await expect401(`Bearer ${header}.${payload}.${flipped}`);
  });

  it("rejects an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const me200 = await me(`Bearer ${token}`);
    const { id } = me200.json<{ id: number }>();
    const expired = await forgeToken({ sub: String(id), iat: now - 3600, exp: now - 60 });
    await expect401(`Bearer ${expired}`);
  });

  it("rejects alg:none and algorithms other than HS256", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = b64url({ sub: "1", iat: now, exp: now + 600 });
    await expect401(`Bearer ${b64url({ alg: "none", typ: "JWT" })}.${claims}.`);
    const [, , signature] = token.split(".") as [string, string, string];
    await expect401(`Bearer ${b64url({ alg: "HS512", typ: "JWT" })}.${claims}.${signature}`);
  });

  it("rejects a signed token whose subject is not a user id", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const sub of ["abc", "0", "99999999999", "2147483648"]) {
      await expect401(`Bearer ${await forgeToken({ sub, iat: now, exp: now + 600 })}`);
    }
  });

  it("rejects a valid token whose user no longer exists", async () => {
    await sql`DELETE FROM users`.execute(ctx.db.kysely);
    await expect401(`Bearer ${token}`);
  });
});
