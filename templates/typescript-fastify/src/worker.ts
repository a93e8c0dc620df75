// `make worker` (node dist/worker.js): the webhook worker as its own process, for
// JOBS_WORKER=off servers and for scaling deliveries apart from the API. It serves /healthz
// and /metrics (the job metrics) on WORKER_PORT; SIGTERM/SIGINT stop claiming, let the
// deliveries in hand finish, then exit.
import Fastify, { LogController } from "fastify";
import { Registry } from "prom-client";
import { ConfigError, loadConfig, loadDotEnv } from "./config.js";
import { createDb } from "./db/database.js";
import { migrateToLatest } from "./db/migrations.js";
import { serveMetrics } from "./http/metrics.js";
import { registerJobMetrics } from "./webhooks/metrics.js";
import { createWebhookRepository } from "./webhooks/repository.js";
import { createWorker } from "./webhooks/worker.js";

function fatal(message: string): never {
  process.stdout.write(
    `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), msg: message })}\n`,
  );
  process.exit(1);
}

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig(process.env, "worker");
  } catch (error) {
    if (error instanceof ConfigError) fatal(error.message);
    throw error;
  }
  const db = createDb(config.databaseUrl);
  const app = Fastify({
    logger: {
      level: config.logLevel,
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Probes and scrapes are not worth a log line each.
    logController: new LogController({ disableRequestLogging: true }),
  });
  if (config.migrateOnStart) await migrateToLatest(db);

  const webhooks = createWebhookRepository(db.kysely, db.dialect);
  const registry = serveMetrics(app, new Registry());
  const worker = createWorker(
    webhooks,
    config.jobs,
    registerJobMetrics(registry, webhooks),
    app.log.child({ component: "worker" }),
  );
  app.get("/healthz", async () => ({ status: "ok" }));
  app.addHook("onClose", async () => {
    await worker.stop();
    await db.close();
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, "worker shutting down");
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await app.listen({ port: config.jobs.workerPort, host: config.host });
  worker.start();
  app.log.info("webhook worker running");
}

main().catch((error: unknown) => {
  fatal(`worker start-up failed: ${error instanceof Error ? error.message : String(error)}`);
});
