// `npm run migrate` (node dist/migrate.js, so it also runs in the production image): applies
// pending migrations to DATABASE_URL and exits.
import { DEFAULT_DATABASE_URL, loadDotEnv } from "./config.js";
import { createDb } from "./db/database.js";
import { migrateToLatest } from "./db/migrations.js";

loadDotEnv();
const db = createDb(process.env["DATABASE_URL"]?.trim() || DEFAULT_DATABASE_URL);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "already up to date");
} catch (error) {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
