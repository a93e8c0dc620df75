// Liveness, readiness and the OpenAPI document.
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { parse } from "yaml";
import type { Db } from "../db/database.js";
import { sendProblem } from "../http/problem.js";
import { statusSchema } from "../http/schemas.js";

/** openapi.yaml sits at the project root: one level above both src/ and dist/. */
const OPENAPI_PATH = new URL("../../openapi.yaml", import.meta.url);

export function opsRoutes(db: Db) {
  return async (app: FastifyInstance) => {
    // Parsed once at start-up: a broken openapi.yaml fails loudly, not on first request.
    const openapi: unknown = parse(readFileSync(OPENAPI_PATH, "utf8"));

    app.get("/healthz", { schema: { response: { 200: statusSchema("ok") } } }, async () => ({
      status: "ok",
    }));

    app.get(
      "/readyz",
      { schema: { response: { 200: statusSchema("ready") } } },
      async (request, reply) => {
        try {
          await db.ping();
          return { status: "ready" };
        } catch (error) {
          request.log.warn({ err: error }, "readiness check failed: database unreachable");
          return sendProblem(reply, 503, "The database is unreachable.");
        }
      },
    );

    app.get("/openapi.json", async () => openapi);
  };
}
