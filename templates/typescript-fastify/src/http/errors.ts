// Turning every failure into problem+json: validation (422, not Fastify's 400), malformed JSON
// (400), oversized bodies (413), a body that is not JSON (415), unknown routes (404) and known
// paths with the wrong method (405 + Allow, which Fastify does not do by itself). Unexpected
// errors are logged with their stack and answered with a bare 500: no stack trace or SQL
// reaches a client.
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HashBusyError } from "../auth/hash-gate.js";
import { type FieldError, HttpError, problem, safeInstance, sendProblem } from "./problem.js";

interface KnownRoute {
  pattern: RegExp;
  method: string;
}

function templateToRegExp(url: string): RegExp {
  const escaped = url
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) return "[^/]+";
      if (segment === "*") return ".*";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${escaped}$`);
}

function fieldErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const path = v.instancePath.replace(/^\//, "").replace(/\//g, ".");
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const field = [error.validationContext, path || missing].filter(Boolean).join(".");
    return { field: field || "request", message: v.message ?? "is invalid" };
  });
}

/** Every route of the app, filled by an onRoute hook: what 405's Allow header lists. */
export interface RouteTable {
  add(url: string, methods: string | string[]): void;
  /** The methods the app serves on `path` (empty when no route matches it). */
  allowedOn(path: string): string[];
}

export function createRouteTable(): RouteTable {
  const routes: KnownRoute[] = [];
  return {
    add(url, methods) {
      for (const method of [methods].flat())
        routes.push({ pattern: templateToRegExp(url), method });
    },
    allowedOn: (path) =>
      [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort(),
  };
}

export function registerErrorHandling(app: FastifyInstance, routes: RouteTable): void {
  app.addHook("onRoute", (route) => routes.add(route.url, route.method));

  const notFoundOrNotAllowed = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0] ?? "/";
    const allowed = routes.allowedOn(path);
    if (allowed.length > 0) {
      reply.header("allow", allowed.join(", "));
      return sendProblem(reply, 405, `Method ${request.method} is not allowed here.`);
    }
    return sendProblem(reply, 404, "No route matches this method and path.");
  };

  // Decided in onRequest, before Fastify looks at the body: a QUERY or POST to a path with no
  // such route is a 404/405, not a complaint about its Content-Type.
  app.addHook("onRequest", async (request, reply) => {
    if (request.is404) return notFoundOrNotAllowed(request, reply);
  });
  app.setNotFoundHandler(async (request, reply) => notFoundOrNotAllowed(request, reply));

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      reply.headers(error.headers);
      return sendProblem(reply, error.status, error.detail, error.errors);
    }
    if (error instanceof HashBusyError) {
      reply.header("retry-after", "1");
      return sendProblem(reply, 503, "The server is busy checking passwords; retry in a second.");
    }
    if (error.validation) {
      const errors = fieldErrors(error);
      const first = errors[0];
      const detail = first ? `${first.field} ${first.message}` : "The request is invalid.";
      return sendProblem(reply, 422, detail, errors);
    }
    switch (error.code) {
      case "FST_ERR_CTP_INVALID_JSON_BODY":
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return sendProblem(reply, 400, "The request body is not valid JSON.");
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return sendProblem(reply, 413, "The request body is larger than 1 MiB.");
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return sendProblem(reply, 415, "Send the request body as application/json.");
      case "FST_ERR_ROUTE_MISSING_CONTENT_TYPE":
        return sendProblem(reply, 415, "A request body needs Content-Type: application/json.");
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(reply, status, "The request could not be processed.");
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, 500, "An unexpected error occurred.");
  });
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them: an invented method such as
 * FOO, a malformed request line or header. They get problem+json as well; an invented method on
 * a known path is a 405 with Allow. They never reach the metrics, so they add no series.
 */
export function clientErrorHandler(routes: RouteTable) {
  return (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    let status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const headers: Record<string, string> = {};
    let instance = "/";
    if (error.code === "HPE_INVALID_METHOD") {
      const path = requestPath(error.rawPacket);
      instance = safeInstance(path);
      const allowed = routes.allowedOn(path);
      status = allowed.length > 0 ? 405 : 501;
      if (allowed.length > 0) headers["allow"] = allowed.join(", ");
    }
    const detail =
      status === 405
        ? "This method is not allowed here."
        : status === 501
          ? "This server does not implement the request method."
          : "The request could not be parsed.";
    const body = JSON.stringify({ ...problem(status, detail), instance });
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
      "content-type: application/problem+json; charset=utf-8",
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${randomUUID()}`,
      "x-content-type-options: nosniff",
      "connection: close",
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
  };
}

/** The path of the request line `METHOD /path?query HTTP/1.1`, or "/" if it cannot be read. */
function requestPath(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return "/";
  const line = raw.subarray(0, 8192).toString("latin1").split("\r\n", 1)[0] ?? "";
  const target = line.split(" ")[1] ?? "/";
  return target.startsWith("/") ? (target.split("?")[0] ?? "/") : "/";
}
