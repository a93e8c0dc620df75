// The webhook building blocks on their own: the SSRF address rules, backoff, signatures and the
// settings that guard production.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config.js";
import { backoffMs } from "../src/webhooks/backoff.js";
import { generateSecret, secretKey, sign, verify } from "../src/webhooks/signature.js";
import {
  RefusedAddressError,
  isRefusedAddress,
  isRefusedHost,
  resolveChecked,
} from "../src/webhooks/ssrf.js";

describe("SSRF address rules", () => {
  it("refuses every range of the contract, IPv4 and IPv6", () => {
    for (const address of [
      "0.0.0.0",
      "10.0.0.1",
      "100.64.0.1",
      "127.0.0.1",
      "127.255.255.254",
      "169.254.169.254",
      "172.16.0.1",
      "172.31.255.255",
      "192.0.0.8",
      "192.168.1.1",
      "198.18.0.1",
      "198.19.255.255",
      "224.0.0.1",
      "240.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "::ffff:a9fe:a9fe",
      "64:ff9b::10.0.0.1",
      "64:ff9b::a9fe:a9fe",
    ]) {
      assert.equal(isRefusedAddress(address, false), true, address);
    }
  });

  it("allows public addresses", () => {
    for (const address of [
      "93.184.215.14",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
      "64:ff9b::8.8.8.8",
    ]) {
      assert.equal(isRefusedAddress(address, false), false, address);
    }
  });

  it("lifts the guard for loopback only when allowed", () => {
    assert.equal(isRefusedAddress("127.0.0.1", true), false);
    assert.equal(isRefusedAddress("::1", true), false);
    assert.equal(isRefusedAddress("10.0.0.1", true), true);
    assert.equal(isRefusedAddress("169.254.169.254", true), true);
  });

  it("refuses a name that resolves to loopback, after resolution", async () => {
    await assert.rejects(resolveChecked("localhost", false), RefusedAddressError);
    assert.deepEqual((await resolveChecked("127.0.0.1", true)).address, "127.0.0.1");
  });

  it("refuses localhost names and private literals when the URL is saved", () => {
    for (const host of [
      "localhost",
      "LOCALHOST",
      "api.localhost",
      "localhost.",
      "10.1.2.3",
      "127.0.0.1",
    ]) {
      assert.equal(isRefusedHost(host), true, host);
    }
    for (const host of ["example.com", "93.184.215.14", "localhost.example.com"]) {
      assert.equal(isRefusedHost(host), false, host);
    }
  });
});

describe("backoff", () => {
  it("waits a random time in [d/2, d] with d doubling up to the maximum", () => {
    assert.equal(
      backoffMs(1, 1000, 3_600_000, () => 0),
      500,
    );
    assert.equal(
      backoffMs(1, 1000, 3_600_000, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(3, 1000, 3_600_000, () => 1),
      4000,
    );
    assert.equal(
      backoffMs(30, 1000, 3_600_000, () => 1),
      3_600_000,
    );
    assert.equal(
      backoffMs(30, 1000, 3_600_000, () => 0),
      1_800_000,
    );
    for (let i = 0; i < 100; i++) {
      const delay = backoffMs(2, 1000, 3_600_000);
      assert.ok(delay >= 1000 && delay <= 2000, String(delay));
    }
  });
});

describe("signatures", () => {
  it("signs HMAC-SHA256 over id.timestamp.body with the decoded secret", () => {
    // Computed independently: echo -n 'msg_1.1700000000.{"a":1}' | openssl dgst -sha256 -hmac <key> -binary | base64
    const secret = "whsec_" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
    const signature = sign(secret, "msg_1", 1700000000, '{"a":1}');
    assert.equal(signature, "v1,rkwp5YuvdrMkcu0ZhuMsXoTg44mHAr1Q0+FFgFpXsjY=");
    const headers = { id: "msg_1", timestamp: "1700000000", signature };
    assert.ok(verify(secret, headers, '{"a":1}'));
    assert.ok(verify(secret, { ...headers, signature: `v1,bm90IGl0 ${signature}` }, '{"a":1}'));
    assert.equal(verify(secret, headers, '{"a":2}'), false);
    assert.equal(verify(secret, { ...headers, id: "msg_2" }, '{"a":1}'), false);
  });

  it("makes secrets of 32 random bytes", () => {
    const secret = generateSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(secretKey(secret).length, 32);
    assert.notEqual(generateSecret(), secret);
  });
});

describe("job settings", () => {
  const production = {
    APP_ENV: "production",
    JWT_SECRET: "x".repeat(32),
    DATABASE_URL: "sqlite:///./data/app.db",
  };

  it("has the contract's defaults", () => {
    const { jobs } = loadConfig({});
    assert.deepEqual(jobs, {
      worker: "inprocess",
      pollIntervalMs: 1000,
      workerPort: 9100,
      timeoutMs: 5000,
      maxAttempts: 10,
      backoffBaseMs: 1000,
      backoffMaxMs: 3_600_000,
      allowLoopback: false,
      production: false,
    });
  });

  it("refuses WEBHOOK_ALLOW_LOOPBACK in production, and unknown worker modes", () => {
    assert.throws(() => loadConfig({ ...production, WEBHOOK_ALLOW_LOOPBACK: "true" }), ConfigError);
    assert.throws(() => loadConfig({ JOBS_WORKER: "sometimes" }), ConfigError);
    assert.equal(loadConfig({ ...production, JOBS_WORKER: "OFF" }).jobs.worker, "off");
  });

  it("lets the worker process start in production without a JWT secret", () => {
    const withoutSecret = { ...production, JWT_SECRET: "" };
    assert.throws(() => loadConfig(withoutSecret), ConfigError);
    assert.equal(loadConfig(withoutSecret, "worker").appEnv, "production");
  });
});
