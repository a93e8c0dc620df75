// Builds the Fastify application from a config and a database handle. Nothing here reads the
// environment or listens on a port, so tests build as many apps as they like and drive them
// with `app.inject()`.
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { createAuthenticate } from "./auth/authenticate.js";
import { type HashCost, createPasswordHasher } from "./auth/passwords.js";
import { createLoginLimiter } from "./auth/rate-limit.js";
import { createTokenService } from "./auth/tokens.js";
import type { Config } from "./config.js";
import type { Db } from "./db/database.js";
import { registerErrorHandling } from "./http/errors.js";
import { registerMetrics, routeLabel } from "./http/metrics.js";
import { genReqId } from "./http/request-id.js";
import { validatorCompiler } from "./http/validation.js";
import { authRoutes } from "./routes/auth.js";
import { opsRoutes } from "./routes/health.js";
import { taskRoutes } from "./routes/tasks.js";
import { userRoutes } from "./routes/users.js";
import { createTaskRepository } from "./tasks/repository.js";
import { createUserRepository } from "./users/repository.js";

export const BODY_LIMIT_BYTES = 1024 * 1024;

export type AppConfig = Pick<Config, "jwtSecret" | "jwtTtlSeconds" | "logLevel"> & {
  /** argon2 cost; the default is the production one, tests lower it. */
  hashCost?: HashCost;
};

export async function buildApp(config: AppConfig, db: Db): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId,
    logController: new LogController({
      requestIdLogLabel: "request_id",
      // Replaced by one "request completed" line per request below, with the route and status.
      disableRequestLogging: true,
    }),
    logger: {
      level: config.logLevel,
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: ["req.headers.authorization", "req.headers.cookie"],
    },
  });
  app.setValidatorCompiler(validatorCompiler);

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: routeLabel(request),
        path: request.url.split("?")[0],
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      "request completed",
    );
  });

  // Before any route, so that its onRoute hook sees every route (for 405 + Allow).
  registerErrorHandling(app);
  registerMetrics(app);

  const users = createUserRepository(db.kysely);
  const tasks = createTaskRepository(db.kysely);
  const tokens = createTokenService(config.jwtSecret, config.jwtTtlSeconds);
  const authenticate = createAuthenticate(tokens, users);
  const limiter = createLoginLimiter();
  const passwords = createPasswordHasher(config.hashCost);

  await app.register(opsRoutes(db));
  await app.register(
    async (api) => {
      await api.register(authRoutes({ users, passwords, tokens, limiter }));
      await api.register(userRoutes(users, authenticate));
      await api.register(taskRoutes(tasks, authenticate));
    },
    { prefix: "/api/v1" },
  );
  return app;
}
