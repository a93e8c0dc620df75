// One code path for both databases: DATABASE_URL picks the Kysely dialect (better-sqlite3 for
// `sqlite:` URLs, node-postgres for `postgres://`), and everything above this file is the same.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** SELECT 1: used by /readyz. */
  ping(): Promise<void>;
  /** Called when an idle pooled connection breaks (PostgreSQL only), so the app can log it. */
  onConnectionError(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

/**
 * Turns `sqlite:///./data/app.db` (relative, three slashes), `sqlite:////abs/app.db` (absolute)
 * or `sqlite::memory:` into a file name for better-sqlite3.
 */
export function sqliteFilename(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, "");
  if (rest === ":memory:" || rest === "/:memory:") return ":memory:";
  // After `sqlite://` the path starts with `/`: `/./data/app.db` is relative, `//abs` absolute.
  return rest.startsWith("/") ? rest.slice(1) : rest;
}

export function dialectOf(url: string): DialectName {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  if (url.startsWith("sqlite:")) return "sqlite";
  throw new Error(
    "DATABASE_URL must start with sqlite: or postgres:// (got an unsupported scheme)",
  );
}

export function createDb(url: string): Db {
  const dialect = dialectOf(url);
  if (dialect === "postgres") {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection (a database restart) must not crash the process:
    // the pool replaces it, /readyz reports the outage, and the listeners log it.
    const listeners: Array<(error: Error) => void> = [];
    pool.on("error", (error) => {
      for (const listener of listeners) listener(error);
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return wrap(kysely, dialect, (listener) => listeners.push(listener));
  }
  const filename = sqliteFilename(url);
  if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
  const database = new SQLite(filename);
  database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  // A file has no connection to lose.
  return wrap(kysely, dialect, () => undefined);
}

function wrap(
  kysely: Kysely<Database>,
  dialect: DialectName,
  onConnectionError: Db["onConnectionError"],
): Db {
  return {
    kysely,
    dialect,
    onConnectionError,
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    async close() {
      await kysely.destroy();
    },
  };
}
