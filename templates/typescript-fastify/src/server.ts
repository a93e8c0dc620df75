// Entry point: configuration from the environment (.env for development defaults), database,
// migrations (MIGRATE_ON_START), then listen. SIGTERM/SIGINT close the server gracefully.
import { buildApp } from "./app.js";
import { ConfigError, loadConfig, loadDotEnv } from "./config.js";
import { createDb } from "./db/database.js";
import { migrateToLatest } from "./db/migrations.js";

function fatal(message: string): never {
  // The logger may not exist yet: write its JSON shape by hand, to stdout like every log line.
  process.stdout.write(
    `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), msg: message })}\n`,
  );
  process.exit(1);
}

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fatal(error.message);
    throw error;
  }

  const db = createDb(config.databaseUrl);
  const app = await buildApp(config, db);
  app.addHook("onClose", async () => db.close());

  if (config.jwtSecretGenerated) {
    app.log.warn("JWT_SECRET is not set: using a random secret, tokens will not survive a restart");
  }
  if (config.migrateOnStart) {
    const applied = await migrateToLatest(db);
    app.log.info({ applied }, "migrations up to date");
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, "shutting down");
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  fatal(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
});
