// /api/v1/users/me/webhook (the caller's endpoint) and /api/v1/webhook-deliveries (its log).
import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import { currentUserId } from "../auth/authenticate.js";
import { notFound, validationError } from "../http/problem.js";
import { OFFSET_MAX, intParam } from "../http/query.js";
import { SECRET_MAX_BYTES, SECRET_MIN_BYTES, generateSecret, secretKey } from "./signature.js";
import { isRefusedHost } from "./ssrf.js";
import type { WebhookRepository } from "./repository.js";

// The patterns of openapi.yaml (WebhookSet): an absolute http(s) URL with a DNS name or an IPv4
// address, optional port 1..65535, path and query; no user info, no fragment.
const LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const PORT =
  "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})";
const URL_PATTERN =
  `^https?://${LABEL}(\\.${LABEL})*(:${PORT})?` +
  "(/([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?" +
  "(\\?([A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$";
const SECRET_PATTERN =
  "^whsec_([A-Za-z0-9+/]{4}){7,21}([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$";

const setSchema = {
  type: "object",
  required: ["url"],
  properties: {
    url: { type: "string", maxLength: 2048, pattern: URL_PATTERN },
    secret: { type: "string", pattern: SECRET_PATTERN },
  },
} as const;

const timestamp = { type: "string", format: "date-time" } as const;
const nullable = (type: string) => ({ type: [type, "null"] }) as const;

const endpointSchema = {
  type: "object",
  required: ["url", "created_at", "updated_at"],
  properties: { url: { type: "string" }, created_at: timestamp, updated_at: timestamp },
} as const;

const endpointWithSecretSchema = {
  ...endpointSchema,
  required: [...endpointSchema.required, "secret"],
  properties: { ...endpointSchema.properties, secret: { type: "string" } },
} as const;

const deliverySchema = {
  type: "object",
  required: [
    "id",
    "event_id",
    "event_type",
    "status",
    "attempts",
    "last_status_code",
    "last_error",
    "next_attempt_at",
    "created_at",
    "updated_at",
  ],
  properties: {
    id: { type: "integer" },
    event_id: { type: "string" },
    event_type: { type: "string" },
    status: { type: "string" },
    attempts: { type: "integer" },
    last_status_code: nullable("integer"),
    last_error: nullable("string"),
    next_attempt_at: nullable("string"),
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;

const deliveryListSchema = {
  type: "object",
  required: ["items", "total", "limit", "offset"],
  properties: {
    items: { type: "array", items: deliverySchema },
    total: { type: "integer" },
    limit: { type: "integer" },
    offset: { type: "integer" },
  },
} as const;

interface SetBody {
  url: string;
  secret?: string;
}

export interface WebhookRouteOptions {
  /** Production rules: URLs naming localhost or a refused IPv4 literal are 422 at once. */
  production: boolean;
}

export function webhookRoutes(
  webhooks: WebhookRepository,
  authenticate: onRequestAsyncHookHandler,
  { production }: WebhookRouteOptions,
) {
  return async (app: FastifyInstance) => {
    app.addHook("onRequest", authenticate);

    app.get(
      "/users/me/webhook",
      { schema: { response: { 200: endpointSchema } } },
      async (request) => {
        const endpoint = await webhooks.getEndpoint(currentUserId(request));
        if (!endpoint) throw notFound("No webhook endpoint is set.");
        return endpoint;
      },
    );

    app.put<{ Body: SetBody }>(
      "/users/me/webhook",
      { schema: { body: setSchema, response: { 200: endpointWithSecretSchema } } },
      async (request) => {
        const { url } = request.body;
        if (production && isRefusedHost(new URL(url).hostname)) {
          throw validationError(
            "url",
            "must not name localhost or a private, loopback or link-local address",
          );
        }
        const secret = request.body.secret ?? generateSecret();
        const bytes = secretKey(secret).length;
        if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
          throw validationError(
            "secret",
            `must be whsec_ and the base64 of ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes`,
          );
        }
        const endpoint = await webhooks.setEndpoint(currentUserId(request), url, secret);
        return { ...endpoint, secret };
      },
    );

    app.delete("/users/me/webhook", async (request, reply) => {
      await webhooks.deleteEndpoint(currentUserId(request));
      return reply.code(204).send();
    });

    app.get<{ Querystring: Record<string, unknown> }>(
      "/webhook-deliveries",
      { schema: { response: { 200: deliveryListSchema } } },
      async (request) => {
        const limit = intParam(request.query, "limit", { min: 1n, max: 100n, fallback: 20n });
        const offset = intParam(request.query, "offset", {
          min: 0n,
          max: OFFSET_MAX,
          fallback: 0n,
        });
        const page = await webhooks.list(currentUserId(request), limit, offset);
        return { ...page, limit, offset };
      },
    );
  };
}
