// RFC 9457 problem details: every error response of the API is built here, so the shape
// (type, title, status, detail, optional errors) and the content type never drift.
import { STATUS_CODES } from "node:http";
import type { FastifyReply } from "fastify";

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** An error a handler throws on purpose; the error handler turns it into problem+json. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

export function problem(status: number, detail: string, errors?: FieldError[]): Problem {
  return {
    type: "about:blank",
    title: STATUS_CODES[status] ?? "Error",
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

/**
 * The request path as an RFC 3986 URI reference for `instance`. Node hands over the request
 * target as sent, and a client may send characters a URI cannot hold unescaped (`{`, `"`, `|`,
 * raw UTF-8 ...): those are percent-encoded, and a `%` that starts no escape becomes `%25`.
 */
export function safeInstance(path: string): string {
  return path.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (char) =>
    // A lone surrogate has no UTF-8 form: it becomes U+FFFD.
    char.isWellFormed() ? encodeURIComponent(char) : "%EF%BF%BD",
  );
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const body = {
    ...problem(status, detail, errors),
    instance: safeInstance(reply.request.url.split("?")[0] ?? "/"),
  };
  return reply.code(status).type("application/problem+json").send(JSON.stringify(body));
}

export const unauthorized = (detail: string, invalidToken: boolean): HttpError =>
  new HttpError(401, detail, {
    "www-authenticate": invalidToken ? 'Bearer error="invalid_token"' : "Bearer",
  });

export const notFound = (what = "The requested resource was not found."): HttpError =>
  new HttpError(404, what);

export const validationError = (field: string, message: string): HttpError =>
  new HttpError(422, `${field} ${message}`, {}, [{ field, message }]);
