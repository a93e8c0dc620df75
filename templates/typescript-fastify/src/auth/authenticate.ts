// The bearer-token guard for protected routes. Missing header, wrong scheme, bad token and a
// token whose user no longer exists all end the same way: 401 + WWW-Authenticate: Bearer.
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { unauthorized } from "../http/problem.js";
import type { UserRepository } from "../users/repository.js";
import type { TokenService } from "./tokens.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `authenticate`; null on routes without the guard (see decorateUserId). */
    userId: number | null;
  }
}

/**
 * Declares `request.userId` up front, as Fastify recommends: every request object then has the
 * same shape from its creation, which keeps V8's property access fast.
 */
export function decorateUserId(app: FastifyInstance): void {
  app.decorateRequest("userId", null);
}

export function createAuthenticate(
  tokens: TokenService,
  users: UserRepository,
): onRequestAsyncHookHandler {
  return async function authenticate(request: FastifyRequest) {
    const header = request.headers.authorization;
    if (!header) throw unauthorized("An Authorization: Bearer <token> header is required.", false);
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
    const userId = match?.[1] ? await tokens.verify(match[1]) : null;
    if (userId === null || !(await users.findById(userId))) {
      throw unauthorized("The access token is invalid or has expired.", true);
    }
    request.userId = userId;
  };
}

/** The authenticated user's id; only call it in a route guarded by `authenticate`. */
export function currentUserId(request: FastifyRequest): number {
  if (request.userId === null) throw new Error("route is missing the authenticate guard");
  return request.userId;
}
