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

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const body = { ...problem(status, detail, errors), instance: reply.request.url.split("?")[0] };
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
