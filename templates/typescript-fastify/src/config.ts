// Configuration: read once from the environment at start-up, validated, then passed around as a
// plain object so that tests can build an app from any config without touching process.env.
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  jwtSecret: string;
  /** True when no JWT_SECRET was given and a random one was generated for this process. */
  jwtSecretGenerated: boolean;
  jwtTtlSeconds: number;
  logLevel: string;
  appEnv: string;
  migrateOnStart: boolean;
  /** How many argon2 hashes or verifications may run at once. */
  hashConcurrency: number;
  /** How long a request waits for a free hashing slot before it is answered 503. */
  hashQueueTimeoutMs: number;
  /** Register + login requests per client IP per minute; 0 turns the limit off. */
  authRateLimitPerIp: number;
}

export const DEFAULT_DATABASE_URL = "sqlite:///./data/app.db";

/** RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_SECRET_BYTES = 32;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Loads `.env` (development defaults) into process.env. Variables already set in the
 * environment win: Node's loader never overwrites them.
 */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) {
    process.loadEnvFile(path);
  }
}

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function seconds(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a number of seconds >= 0, got "${raw}"`);
  }
  return value;
}

function bool(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  return !["0", "false", "no", "off"].includes(raw.trim().toLowerCase());
}

/** Production settings must be explicit: no random secret, no throwaway SQLite file. */
function checkProduction(secret: string, databaseUrl: string | undefined): void {
  if (secret === "") {
    throw new ConfigError(
      "JWT_SECRET is not set and APP_ENV=production: refusing to start. " +
        "Generate one with `openssl rand -hex 32` and set JWT_SECRET to it.",
    );
  }
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `JWT_SECRET is ${bytes} bytes and APP_ENV=production needs at least ${MIN_SECRET_BYTES}: ` +
        "refusing to start. Generate one with `openssl rand -hex 32` and set JWT_SECRET to it.",
    );
  }
  if (databaseUrl === undefined) {
    throw new ConfigError(
      "DATABASE_URL is not set and APP_ENV=production: refusing to start. " +
        "Set DATABASE_URL (postgres://user:password@host:5432/dbname, or sqlite:////data/app.db).",
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const appEnv = (env["APP_ENV"]?.trim() || "development").toLowerCase();
  const secret = env["JWT_SECRET"]?.trim() ?? "";
  const databaseUrl = env["DATABASE_URL"]?.trim() || undefined;
  if (appEnv === "production") checkProduction(secret, databaseUrl);
  return {
    port: integer("PORT", env["PORT"], 8080, 1),
    // Loopback unless told otherwise: a development server is not exposed to the network by
    // accident. The container image sets HOST=0.0.0.0.
    host: env["HOST"]?.trim() || "127.0.0.1",
    databaseUrl: databaseUrl ?? DEFAULT_DATABASE_URL,
    jwtSecret: secret || randomBytes(32).toString("hex"),
    jwtSecretGenerated: secret === "",
    jwtTtlSeconds: integer("JWT_TTL_SECONDS", env["JWT_TTL_SECONDS"], 900, 1),
    logLevel: env["LOG_LEVEL"]?.trim().toLowerCase() || "info",
    appEnv,
    migrateOnStart: bool(env["MIGRATE_ON_START"], true),
    hashConcurrency: integer(
      "HASH_CONCURRENCY",
      env["HASH_CONCURRENCY"],
      availableParallelism(),
      1,
    ),
    hashQueueTimeoutMs:
      seconds("HASH_QUEUE_TIMEOUT_SECONDS", env["HASH_QUEUE_TIMEOUT_SECONDS"], 5) * 1000,
    authRateLimitPerIp: integer("AUTH_RATE_LIMIT_PER_IP", env["AUTH_RATE_LIMIT_PER_IP"], 100, 0),
  };
}
