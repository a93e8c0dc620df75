// Unit tests of the pieces that need no HTTP: config, URL parsing, the login limiter.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLoginLimiter } from "../src/auth/rate-limit.js";
import { createTokenService } from "../src/auth/tokens.js";
import { ConfigError, loadConfig } from "../src/config.js";
import { dialectOf, sqliteFilename } from "../src/db/database.js";

describe("config", () => {
  it("has the contract's defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.jwtTtlSeconds, 900);
    assert.equal(config.logLevel, "info");
    assert.equal(config.migrateOnStart, true);
    assert.equal(config.databaseUrl, "sqlite:///./data/app.db");
    assert.equal(config.jwtSecretGenerated, true);
    assert.ok(config.jwtSecret.length >= 32);
  });

  it("refuses to start in production without JWT_SECRET", () => {
    assert.throws(() => loadConfig({ APP_ENV: "production" }), ConfigError);
    const config = loadConfig({ APP_ENV: "production", JWT_SECRET: "s3cret" });
    assert.equal(config.jwtSecret, "s3cret");
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

describe("login limiter", () => {
  it("blocks after 10 failures in the window and lets go when they expire", () => {
    let now = 1_000_000;
    const limiter = createLoginLimiter(10, 60_000, () => now);
    for (let i = 0; i < 9; i++) limiter.recordFailure("a@example.com");
    assert.equal(limiter.retryAfter("a@example.com"), 0);
    limiter.recordFailure("a@example.com");
    assert.equal(limiter.retryAfter("a@example.com"), 60);
    assert.equal(limiter.retryAfter("b@example.com"), 0);
    now += 30_500;
    assert.equal(limiter.retryAfter("a@example.com"), 30);
    now += 30_000;
    assert.equal(limiter.retryAfter("a@example.com"), 0);
  });
});

describe("token service", () => {
  it("round-trips a user id and rejects another secret's token", async () => {
    const tokens = createTokenService("one-secret", 60);
    const token = await tokens.issue(42);
    assert.equal(await tokens.verify(token), 42);
    assert.equal(await createTokenService("other-secret", 60).verify(token), null);
  });
});
