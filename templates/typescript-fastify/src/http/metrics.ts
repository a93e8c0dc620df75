// Prometheus metrics. Each app gets its own registry (tests build many apps in one process).
// The route label is the route's template in OpenAPI form (`/api/v1/tasks/{id}`), never the
// raw path, so the number of series stays bounded; requests that matched no route are
// labelled `unmatched`. The method label is one of the standard methods or OTHER: Node's parser
// accepts some thirty methods (PROPFIND, QUERY, ...), and each must not become a new series.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function methodLabel(method: string): string {
  return STANDARD_METHODS.has(method) ? method : "OTHER";
}

export function routeLabel(request: FastifyRequest): string {
  const template = request.routeOptions.url;
  if (template === undefined || request.is404) return "unmatched";
  return template.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** GET /metrics for `registry` (a new one unless given), with the default process metrics. */
export function serveMetrics(app: FastifyInstance, registry = new Registry()): Registry {
  collectDefaultMetrics({ register: registry });
  app.get("/metrics", async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}

/** The HTTP metrics and /metrics; returns the registry, for other metrics to join. */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = serveMetrics(app);
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests handled, by method, route template and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method and route template.",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = routeLabel(request);
    const method = methodLabel(request.method);
    requests.inc({ method, route, status: String(reply.statusCode) });
    duration.observe({ method, route }, reply.elapsedTime / 1000);
  });
  return registry;
}
