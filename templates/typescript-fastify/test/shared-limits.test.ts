// With PostgreSQL the login limiters live in the database, so two app instances (standing in
// for two replicas: separate pools, separate memory) on one database enforce one limit.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { type Db, createDb } from "../src/db/database.js";
import { PASSWORD, type TestContext, appFor, register, setup, testDatabaseUrl } from "./helpers.js";

const postgres = testDatabaseUrl().startsWith("postgres");

describe(
  "login limits shared by two instances on one PostgreSQL database",
  { skip: postgres ? false : "no PostgreSQL configured (set TEST_DATABASE_URL=postgres://...)" },
  () => {
    let ctx: TestContext;
    let otherDb: Db;
    let other: FastifyInstance;
    before(async () => {
      ctx = await setup();
      otherDb = createDb(testDatabaseUrl());
      other = await appFor(otherDb);
    });
    after(async () => {
      await other.close();
      await otherDb.close();
      await ctx.close();
    });

    const login = (app: FastifyInstance, email: string, password: string) =>
      app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });

    it("counts failures from both instances: the 11th is 429 on either", async () => {
      await register(ctx.app, "shared@example.com");
      for (let i = 0; i < 10; i++) {
        const app = i % 2 === 0 ? ctx.app : other;
        assert.equal((await login(app, "shared@example.com", "wrong password")).statusCode, 401);
      }
      for (const app of [ctx.app, other]) {
        const res = await login(app, "shared@example.com", PASSWORD);
        assert.equal(res.statusCode, 429, res.body);
        assert.ok(Number(res.headers["retry-after"]) >= 1);
      }
    });

    it("gives 30 concurrent wrong passwords over both instances at most 10 answers of 401", async () => {
      await register(ctx.app, "race@example.com");
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          login(i % 2 === 0 ? ctx.app : other, "race@example.com", "wrong password"),
        ),
      );
      const codes = answers.map((res) => res.statusCode);
      assert.equal(codes.filter((code) => code === 401).length, 10, codes.join(","));
      assert.equal(codes.filter((code) => code === 429).length, 20, codes.join(","));
    });

    it("clears an email's failures on a successful login, on every instance", async () => {
      await register(ctx.app, "reset@example.com");
      for (let i = 0; i < 9; i++) await login(other, "reset@example.com", "wrong password");
      assert.equal((await login(ctx.app, "reset@example.com", PASSWORD)).statusCode, 200);
      for (let i = 0; i < 10; i++) {
        assert.equal((await login(other, "reset@example.com", "wrong password")).statusCode, 401);
      }
    });

    it("shares the per-IP limit too", async () => {
      await sql`delete from rate_limit_hits`.execute(ctx.db.kysely);
      const a = await appFor(ctx.db, { authRateLimitPerIp: 3 });
      const b = await appFor(otherDb, { authRateLimitPerIp: 3 });
      try {
        const codes = [];
        for (const app of [a, b, a, b]) {
          codes.push((await login(app, "nobody@example.com", "wrong password")).statusCode);
        }
        assert.deepEqual(codes, [401, 401, 401, 429]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  },
);
