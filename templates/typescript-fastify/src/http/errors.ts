// Turning every failure into problem+json: validation (422, not Fastify's 400), malformed JSON
// (400), oversized bodies (413), unknown routes (404) and known paths with the wrong method
// (405 + Allow, which Fastify does not do by itself). Unexpected errors are logged with their
// stack and answered with a bare 500: no stack trace or SQL reaches a client.
import type { FastifyError, FastifyInstance } from "fastify";
import { type FieldError, HttpError, sendProblem } from "./problem.js";

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

export function registerErrorHandling(app: FastifyInstance): void {
  const routes: KnownRoute[] = [];
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ pattern: templateToRegExp(route.url), method });
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header("allow", allowed.sort().join(", "));
      return sendProblem(reply, 405, `Method ${request.method} is not allowed on ${path}.`);
    }
    return sendProblem(reply, 404, `No route matches ${request.method} ${path}.`);
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      reply.headers(error.headers);
      return sendProblem(reply, error.status, error.detail, error.errors);
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
        return sendProblem(reply, 415, "Send the request body as application/json.");
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(reply, status, "The request could not be processed.");
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, 500, "An unexpected error occurred.");
  });
}
