// Builds the Fastify application from a config and a database handle. Nothing here reads the
// environment or listens on a port, so tests build as many apps as they like and drive them
// with `app.inject()`.
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { createAuthenticate, decorateUserId } from "./auth/authenticate.js";
import { type HashGate, createHashGate } from "./auth/hash-gate.js";
import { type HashCost, createPasswordHasher } from "./auth/passwords.js";
import { createWindowLimiter } from "./auth/rate-limit.js";
import { createTokenService } from "./auth/tokens.js";
import type { Config } from "./config.js";
import type { Db } from "./db/database.js";
import { clientErrorHandler, createRouteTable, registerErrorHandling } from "./http/errors.js";
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

/** Failed logins allowed per email per minute (the contract's number). */
export const LOGIN_FAILURES_PER_MINUTE = 10;

export type AppConfig = Pick<Config, "jwtSecret" | "jwtTtlSeconds" | "logLevel"> &
  Partial<Pick<Config, "hashConcurrency" | "hashQueueTimeoutMs" | "authRateLimitPerIp">> & {
    /** argon2 cost; the default is the production one, tests lower it. */
    hashCost?: HashCost;
    /** A gate made by the caller, so a test can hold its slots; built from the config if absent. */
    hashGate?: HashGate;
  };

export async function buildApp(config: AppConfig, db: Db): Promise<FastifyInstance> {
  const routes = createRouteTable();
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    // A `__proto__` key is valid JSON (unknown fields are ignored by the contract): drop it
    // while parsing instead of refusing the body, so it can never reach an object's prototype.
    onProtoPoisoning: "remove",
    // Requests Node's parser refuses (an invented method, a broken header): problem+json too.
    clientErrorHandler: clientErrorHandler(routes),
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
  // A JSON API: without Fastify's text/plain parser, any body that is not JSON is a 415.
  app.removeContentTypeParser("text/plain");
  decorateUserId(app);

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
  registerErrorHandling(app, routes);
  registerMetrics(app);

  const users = createUserRepository(db.kysely);
  const tasks = createTaskRepository(db.kysely);
  const tokens = createTokenService(config.jwtSecret, config.jwtTtlSeconds);
  const authenticate = createAuthenticate(tokens, users);
  const gate =
    config.hashGate ??
    createHashGate(config.hashConcurrency ?? 1, config.hashQueueTimeoutMs ?? 5000);
  const passwords = createPasswordHasher(gate, config.hashCost);
  const loginLimiter = createWindowLimiter({ max: LOGIN_FAILURES_PER_MINUTE });
  const perIp = config.authRateLimitPerIp ?? 100;
  const ipLimiter = perIp > 0 ? createWindowLimiter({ max: perIp }) : null;
  db.onConnectionError((error) => {
    app.log.warn({ err: error }, "database connection lost; /readyz reports it until it is back");
  });

  await app.register(opsRoutes(db));
  await app.register(
    async (api) => {
      await api.register(authRoutes({ users, passwords, tokens, loginLimiter, ipLimiter }));
      await api.register(userRoutes(users, authenticate));
      await api.register(taskRoutes(tasks, authenticate));
    },
    { prefix: "/api/v1" },
  );
  return app;
}
