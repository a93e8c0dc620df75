// Schema migrations, kept in code so that the compiled server carries them (no files to copy)
// and `npm run migrate` and MIGRATE_ON_START run exactly the same list. Add a migration by
// appending to `migrations` with the next number; never edit one that has shipped.
import { type Kysely, sql } from "kysely";
// Kysely 0.29 moved the migrator to its own entry point.
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Db, DialectName } from "./database.js";

type AnyDb = Kysely<unknown>;

function migrations(dialect: DialectName): Record<string, Migration> {
  const timestamp = dialect === "postgres" ? "timestamptz" : "text";
  // PostgreSQL: a standard identity column (`serial` is the legacy spelling), ALWAYS so that no
  // insert can pick its own id. SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused).
  const id = (db: AnyDb, table: string) =>
    db.schema
      .createTable(table)
      .addColumn("id", "integer", (c) =>
        dialect === "postgres"
          ? c.primaryKey().generatedAlwaysAsIdentity()
          : c.primaryKey().autoIncrement(),
      );

  return {
    "0001_create_users_and_tasks": {
      async up(db: AnyDb) {
        await id(db, "users")
          .addColumn("email", "varchar(254)", (c) => c.notNull().unique())
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("created_at", timestamp, (c) => c.notNull())
          .execute();
        await id(db, "tasks")
          .addColumn("user_id", "integer", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("title", "varchar(200)", (c) => c.notNull())
          .addColumn("description", "text")
          .addColumn("done", "boolean", (c) => c.notNull().defaultTo(sql`false`))
          .addColumn("created_at", timestamp, (c) => c.notNull())
          .addColumn("updated_at", timestamp, (c) => c.notNull())
          .execute();
        // The task list query filters by owner and orders by id: one index serves both.
        await db.schema
          .createIndex("tasks_user_id_id_idx")
          .on("tasks")
          .columns(["user_id", "id"])
          .execute();
      },
      async down(db: AnyDb) {
        await db.schema.dropTable("tasks").execute();
        await db.schema.dropTable("users").execute();
      },
    },
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect));
  }
}

/** Applies every pending migration; returns the names applied. Throws on failure. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: new InCodeProvider(db.dialect),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error("migration failed", { cause: error });
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
