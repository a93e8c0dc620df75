// GET /api/v1/users/me.
import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import { currentUserId } from "../auth/authenticate.js";
import { unauthorized } from "../http/problem.js";
import { userSchema } from "../http/schemas.js";
import type { UserRepository } from "../users/repository.js";

export function userRoutes(users: UserRepository, authenticate: onRequestAsyncHookHandler) {
  return async (app: FastifyInstance) => {
    app.get(
      "/users/me",
      { onRequest: authenticate, schema: { response: { 200: userSchema } } },
      async (request) => {
        const user = await users.findById(currentUserId(request));
        if (!user) throw unauthorized("The access token is invalid or has expired.", true);
        return user;
      },
    );
  };
}
