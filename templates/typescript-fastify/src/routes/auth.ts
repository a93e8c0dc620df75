// POST /api/v1/auth/register and /login.
import type { FastifyInstance } from "fastify";
import type { PasswordHasher } from "../auth/passwords.js";
import type { LoginLimiter } from "../auth/rate-limit.js";
import type { TokenService } from "../auth/tokens.js";
import { HttpError, unauthorized, validationError } from "../http/problem.js";
import { DuplicateEmailError, type UserRepository } from "../users/repository.js";

interface Credentials {
  email: string;
  password: string;
}

const credentialsSchema = {
  type: "object",
  required: ["email", "password"],
  properties: {
    email: { type: "string" },
    password: { type: "string" },
  },
} as const;

// One `@`, a non-empty local part, a domain containing a dot, no whitespace.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

function validEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (email.length > 254 || !EMAIL.test(email)) {
    throw validationError("email", "must be a valid email address");
  }
  return email;
}

function validPassword(password: string): string {
  // Characters, not UTF-16 code units or bytes.
  const length = [...password].length;
  if (length < 8 || length > 128) {
    throw validationError("password", "must be between 8 and 128 characters");
  }
  return password;
}

export interface AuthDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  tokens: TokenService;
  limiter: LoginLimiter;
}

export function authRoutes({ users, passwords, tokens, limiter }: AuthDeps) {
  return async (app: FastifyInstance) => {
    app.post<{ Body: Credentials }>(
      "/auth/register",
      { schema: { body: credentialsSchema } },
      async (request, reply) => {
        const email = validEmail(request.body.email);
        const password = validPassword(request.body.password);
        try {
          const user = await users.create(email, await passwords.hash(password));
          return reply.code(201).send(user);
        } catch (error) {
          if (error instanceof DuplicateEmailError) {
            throw new HttpError(409, "An account with this email already exists.");
          }
          throw error;
        }
      },
    );

    app.post<{ Body: Credentials }>(
      "/auth/login",
      { schema: { body: credentialsSchema } },
      async (request) => {
        const email = normaliseEmail(request.body.email);
        const wait = limiter.retryAfter(email);
        if (wait > 0) {
          throw new HttpError(429, "Too many failed logins for this email; try again later.", {
            "retry-after": String(wait),
          });
        }
        const credentials = await users.findCredentials(email);
        if (!credentials) await passwords.burnTime(request.body.password);
        const ok =
          credentials && (await passwords.verify(credentials.passwordHash, request.body.password));
        if (!credentials || !ok) {
          limiter.recordFailure(email);
          throw unauthorized("The email or password is incorrect.", false);
        }
        return {
          access_token: await tokens.issue(credentials.id),
          token_type: "Bearer",
          expires_in: tokens.ttlSeconds,
        };
      },
    );
  };
}
