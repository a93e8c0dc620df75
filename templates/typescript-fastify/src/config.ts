// Configuration: read once from the environment at start-up, validated, then passed around as a
// plain object so that tests can build an app from any config without touching process.env.
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";

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
}

export const DEFAULT_DATABASE_URL = "sqlite:///./data/app.db";

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

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function bool(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  return !["0", "false", "no", "off"].includes(raw.trim().toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const appEnv = env["APP_ENV"]?.trim() || "development";
  const secret = env["JWT_SECRET"]?.trim() ?? "";
  if (secret === "" && appEnv === "production") {
    throw new ConfigError(
      "JWT_SECRET is not set and APP_ENV=production: refusing to start. " +
        "Set JWT_SECRET to a long random string (e.g. `openssl rand -hex 32`).",
    );
  }
  return {
    port: positiveInt("PORT", env["PORT"], 8080),
    host: env["HOST"]?.trim() || "0.0.0.0",
    databaseUrl: env["DATABASE_URL"]?.trim() || DEFAULT_DATABASE_URL,
    jwtSecret: secret || randomBytes(32).toString("hex"),
    jwtSecretGenerated: secret === "",
    jwtTtlSeconds: positiveInt("JWT_TTL_SECONDS", env["JWT_TTL_SECONDS"], 900),
    logLevel: env["LOG_LEVEL"]?.trim().toLowerCase() || "info",
    appEnv,
    migrateOnStart: bool(env["MIGRATE_ON_START"], true),
  };
}
