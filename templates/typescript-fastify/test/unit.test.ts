// Unit tests of the pieces that need no HTTP: config, URL parsing, limiters, the hashing gate,
// email and text rules, query parameters.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isPlausibleEmail, normaliseEmail } from "../src/auth/email.js";
import { HashBusyError, createHashGate } from "../src/auth/hash-gate.js";
import { createWindowLimiter } from "../src/auth/rate-limit.js";
import { createTokenService } from "../src/auth/tokens.js";
import { ConfigError, loadConfig } from "../src/config.js";
import { dialectOf, sqliteFilename } from "../src/db/database.js";
import { methodLabel } from "../src/http/metrics.js";
import { safeInstance } from "../src/http/problem.js";
import { intParam } from "../src/http/query.js";
import { longerThan, trimSpace } from "../src/text.js";

// Exactly 32 bytes: the shortest secret production accepts.
const SECRET_32 = "s".repeat(32);
const PRODUCTION = { APP_ENV: "production", DATABASE_URL: "sqlite:///./data/app.db" };

describe("config", () => {
  it("has the contract's defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.jwtTtlSeconds, 900);
    assert.equal(config.logLevel, "info");
    assert.equal(config.migrateOnStart, true);
    assert.equal(config.databaseUrl, "sqlite:///./data/app.db");
    assert.equal(config.jwtSecretGenerated, true);
    assert.ok(config.jwtSecret.length >= 32);
    assert.ok(config.hashConcurrency >= 1);
    assert.equal(config.hashQueueTimeoutMs, 5000);
    assert.equal(config.authRateLimitPerIp, 100);
  });

  it("reads HOST, the hashing bounds and the per-IP limit", () => {
    const config = loadConfig({
      HOST: "0.0.0.0",
      HASH_CONCURRENCY: "2",
      HASH_QUEUE_TIMEOUT_SECONDS: "0.5",
      AUTH_RATE_LIMIT_PER_IP: "0",
    });
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.hashConcurrency, 2);
    assert.equal(config.hashQueueTimeoutMs, 500);
    assert.equal(config.authRateLimitPerIp, 0);
    assert.throws(() => loadConfig({ HASH_CONCURRENCY: "0" }), ConfigError);
    assert.throws(() => loadConfig({ AUTH_RATE_LIMIT_PER_IP: "-1" }), ConfigError);
  });

  it("refuses to start in production without JWT_SECRET, saying how to make one", () => {
    assert.throws(() => loadConfig(PRODUCTION), /openssl rand -hex 32/);
  });

  it("refuses a 31-byte secret in production and accepts 32 bytes", () => {
    assert.throws(
      () => loadConfig({ ...PRODUCTION, JWT_SECRET: SECRET_32.slice(1) }),
      (error: unknown) =>
        error instanceof ConfigError && /31 bytes.*openssl rand -hex 32/.test(error.message),
    );
    // Bytes, not characters: 16 two-byte characters are 32 bytes.
    assert.equal(
      loadConfig({ ...PRODUCTION, JWT_SECRET: "é".repeat(16) }).jwtSecret,
      "é".repeat(16),
    );
    const config = loadConfig({ ...PRODUCTION, JWT_SECRET: SECRET_32 });
    assert.equal(config.jwtSecret, SECRET_32);
    assert.equal(config.jwtSecretGenerated, false);
  });

  it("compares APP_ENV case-insensitively", () => {
    for (const appEnv of ["Production", "PRODUCTION", " production "]) {
      assert.throws(
        () => loadConfig({ ...PRODUCTION, APP_ENV: appEnv, JWT_SECRET: "short" }),
        ConfigError,
      );
    }
  });

  it("refuses to start in production without DATABASE_URL", () => {
    assert.throws(
      () => loadConfig({ APP_ENV: "production", JWT_SECRET: SECRET_32 }),
      (error: unknown) => error instanceof ConfigError && /DATABASE_URL/.test(error.message),
    );
  });

  it("rejects a non-numeric PORT and reads MIGRATE_ON_START=false", () => {
    assert.throws(() => loadConfig({ PORT: "eighty" }), ConfigError);
    assert.equal(loadConfig({ MIGRATE_ON_START: "false" }).migrateOnStart, false);
  });
});

describe("DATABASE_URL parsing", () => {
  it("picks the dialect from the scheme", () => {
    assert.equal(dialectOf("sqlite:///./data/app.db"), "sqlite");
    assert.equal(dialectOf("postgres://app:app@localhost:5432/app"), "postgres");
    assert.equal(dialectOf("postgresql://app:app@localhost:5432/app"), "postgres");
    assert.throws(() => dialectOf("mysql://localhost/app"));
  });

  it("reads relative, absolute and in-memory SQLite URLs", () => {
    assert.equal(sqliteFilename("sqlite:///./data/app.db"), "./data/app.db");
    assert.equal(sqliteFilename("sqlite:///data/app.db"), "data/app.db");
    assert.equal(sqliteFilename("sqlite:////app/data/app.db"), "/app/data/app.db");
    assert.equal(sqliteFilename("sqlite::memory:"), ":memory:");
  });
});

describe("window limiter", () => {
  it("allows max attempts in the window, then says when the next one frees", () => {
    let now = 1_000_000;
    const limiter = createWindowLimiter({ max: 10, now: () => now });
    for (let i = 0; i < 10; i++) assert.equal(limiter.tryAcquire("a").allowed, true);
    assert.deepEqual(limiter.tryAcquire("a"), { allowed: false, retryAfterSeconds: 60 });
    assert.equal(limiter.tryAcquire("b").allowed, true);
    now += 30_500;
    assert.deepEqual(limiter.tryAcquire("a"), { allowed: false, retryAfterSeconds: 30 });
    now += 30_000;
    assert.equal(limiter.tryAcquire("a").allowed, true);
  });

  it("gives a released attempt back and forgets a key on reset", () => {
    const limiter = createWindowLimiter({ max: 2 });
    const first = limiter.tryAcquire("a");
    assert.ok(first.allowed);
    assert.ok(limiter.tryAcquire("a").allowed);
    assert.equal(limiter.tryAcquire("a").allowed, false);
    first.release();
    first.release(); // twice is once
    assert.ok(limiter.tryAcquire("a").allowed);
    assert.equal(limiter.tryAcquire("a").allowed, false);
    limiter.reset("a");
    assert.equal(limiter.size, 0);
    assert.ok(limiter.tryAcquire("a").allowed);
  });

  it("stays bounded under many distinct keys, and drops expired ones", () => {
    let now = 0;
    const limiter = createWindowLimiter({ max: 10, maxKeys: 1_000, now: () => now });
    for (let i = 0; i < 50_000; i++) limiter.tryAcquire(`sprayed-${i}@example.com`);
    assert.ok(limiter.size <= 1_000, `size ${limiter.size}`);
    // Once the window has passed, the next attempt sweeps every expired key away.
    now += 60_001;
    limiter.tryAcquire("fresh@example.com");
    assert.equal(limiter.size, 1);
  });
});

describe("hashing gate", () => {
  it("runs at most `concurrency` at once and refuses a waiter after the timeout", async () => {
    const gate = createHashGate(1, 20);
    const release = await gate.acquire();
    assert.equal(gate.inUse, 1);
    await assert.rejects(
      gate.run(async () => "never"),
      HashBusyError,
    );
    assert.equal(gate.waiting, 0);
    release();
    assert.equal(await gate.run(async () => "ran"), "ran");
    assert.equal(gate.inUse, 0);
  });

  it("hands a freed slot to the next waiter", async () => {
    const gate = createHashGate(2, 1000);
    let running = 0;
    let peak = 0;
    const work = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    await Promise.all(Array.from({ length: 8 }, () => gate.run(work)));
    assert.equal(peak, 2);
    assert.equal(gate.inUse, 0);
  });
});

describe("emails and text", () => {
  it("normalises with Unicode-aware lower-casing and contract whitespace", () => {
    assert.equal(normaliseEmail("\u2003 ÉMILE@Example.COM\t"), "émile@example.com");
    assert.equal(trimSpace("\f\x1c title \u3000"), "title");
    // U+FEFF is not whitespace in the contract, so it is kept.
    assert.equal(trimSpace("\ufeff"), "\ufeff");
  });

  it("accepts plausible addresses and refuses the rest", () => {
    for (const email of ["a@b.co", "first.last+tag@sub.example.com", "a!#$%&'*+/=?^_`{|}~@x.io"]) {
      assert.ok(isPlausibleEmail(email), email);
    }
    for (const email of ["", "a", "a@b", "@b.co", "a@@b.co", "a@b..co", "a@.b.co", "a b@c.co"]) {
      assert.ok(!isPlausibleEmail(email), email);
    }
    assert.ok(isPlausibleEmail(`${"x".repeat(242)}@example.com`)); // 254 characters
    assert.ok(!isPlausibleEmail(`${"x".repeat(243)}@example.com`)); // 255
  });

  it("judges a 1 MiB address in linear time", () => {
    const started = performance.now();
    assert.ok(!isPlausibleEmail(`${"a@".repeat(512 * 1024)}.com`));
    assert.ok(!longerThan("x".repeat(254), 254));
    assert.ok(longerThan("😀".repeat(255), 254));
    assert.ok(performance.now() - started < 1000);
  });
});

describe("query integers", () => {
  const range = { min: 0n, max: 2_147_483_647n, fallback: 0n };

  it("reads plain digits, with the fallback when absent", () => {
    assert.equal(intParam({}, "offset", range), 0);
    assert.equal(intParam({ offset: "42" }, "offset", range), 42);
    assert.equal(intParam({ offset: "2147483647" }, "offset", range), 2_147_483_647);
  });

  it("refuses anything out of range or not plain digits, however large", () => {
    for (const raw of [
      "2147483648",
      "9223372036854775808",
      "1e400",
      "-1",
      "1.5",
      "",
      " 1",
      "0x10",
      "Infinity",
    ]) {
      assert.throws(() => intParam({ offset: raw }, "offset", range), /offset/, raw);
    }
    assert.throws(() => intParam({ offset: ["1", "2"] }, "offset", range));
  });
});

describe("metrics and problems", () => {
  it("labels standard methods as themselves and every other one OTHER", () => {
    assert.equal(methodLabel("GET"), "GET");
    assert.equal(methodLabel("PATCH"), "PATCH");
    for (const method of ["PROPFIND", "QUERY", "TRACE", "FOO1"])
      assert.equal(methodLabel(method), "OTHER");
  });

  it("percent-encodes what a URI reference cannot hold", () => {
    assert.equal(safeInstance("/api/v1/tasks/1"), "/api/v1/tasks/1");
    assert.equal(safeInstance('/a b/{x}|"é'), "/a%20b/%7Bx%7D%7C%22%C3%A9");
    assert.equal(safeInstance("/100%/ok%41"), "/100%25/ok%41");
  });
});

describe("token service", () => {
  it("round-trips a user id and rejects another secret's token", async () => {
    const tokens = createTokenService(SECRET_32, 60);
    const token = await tokens.issue(42);
    assert.equal(await tokens.verify(token), 42);
    assert.equal(await createTokenService(SECRET_32.toUpperCase(), 60).verify(token), null);
  });
});
