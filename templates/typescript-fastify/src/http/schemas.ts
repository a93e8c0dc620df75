// Response schemas, the same shapes as openapi.yaml. Fastify serialises a reply through its
// schema (fast-json-stringify), which is faster than JSON.stringify and, above all, writes only
// the listed properties: a column added to a query (say password_hash) cannot leak by accident.
// Error replies are problem+json strings built in problem.ts and do not pass through these.

const timestamp = { type: "string", format: "date-time" } as const;

export const userSchema = {
  type: "object",
  required: ["id", "email", "created_at"],
  properties: {
    id: { type: "integer" },
    email: { type: "string" },
    created_at: timestamp,
  },
} as const;

export const tokenSchema = {
  type: "object",
  required: ["access_token", "token_type", "expires_in"],
  properties: {
    access_token: { type: "string" },
    token_type: { type: "string" },
    expires_in: { type: "integer" },
  },
} as const;

export const taskSchema = {
  type: "object",
  required: ["id", "title", "description", "done", "created_at", "updated_at"],
  properties: {
    id: { type: "integer" },
    title: { type: "string" },
    description: { type: ["string", "null"] },
    done: { type: "boolean" },
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;

export const taskListSchema = {
  type: "object",
  required: ["items", "total", "limit", "offset"],
  properties: {
    items: { type: "array", items: taskSchema },
    total: { type: "integer" },
    limit: { type: "integer" },
    offset: { type: "integer" },
  },
} as const;

export const statusSchema = (value: string) =>
  ({
    type: "object",
    required: ["status"],
    properties: { status: { type: "string", enum: [value] } },
  }) as const;
