// POST /api/v1/auth/register and /login.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { EMAIL_MAX, isPlausibleEmail, normaliseEmail } from "../auth/email.js";
import type { PasswordHasher } from "../auth/passwords.js";
import type { RateLimiter } from "../auth/rate-limit.js";
import type { TokenService } from "../auth/tokens.js";
import { HttpError, unauthorized, validationError } from "../http/problem.js";
import { tokenSchema, userSchema } from "../http/schemas.js";
import { hasNul, longerThan } from "../text.js";
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

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

function validEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (!isPlausibleEmail(email)) {
    throw validationError(
      "email",
      `must be a valid email address of at most ${EMAIL_MAX} characters`,
    );
  }
  return email;
}

function validPassword(password: string): string {
  // Characters, not UTF-16 code units or bytes.
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw validationError(
      "password",
      `must be between ${PASSWORD_MIN} and ${PASSWORD_MAX} characters`,
    );
  }
  return password;
}

const tooMany = (detail: string, retryAfterSeconds: number) =>
  new HttpError(429, detail, { "retry-after": String(retryAfterSeconds) });

const badCredentials = () => unauthorized("The email or password is incorrect.", false);

export interface AuthDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  tokens: TokenService;
  /** Failed logins per normalised email. */
  loginLimiter: RateLimiter;
  /** Register + login requests per client IP, or null when AUTH_RATE_LIMIT_PER_IP=0. */
  ipLimiter: RateLimiter | null;
}

export function authRoutes({ users, passwords, tokens, loginLimiter, ipLimiter }: AuthDeps) {
  return async (app: FastifyInstance) => {
    // Runs before the body is even read, and counts every request, good or bad. The client is
    // the socket's peer: X-Forwarded-For is whatever the client wants it to be, so it is not
    // trusted (behind a proxy, set Fastify's trustProxy to that proxy's address instead).
    if (ipLimiter) {
      app.addHook("onRequest", async (request: FastifyRequest) => {
        const slot = await ipLimiter.tryAcquire(request.socket.remoteAddress ?? "unknown");
        if (!slot.allowed) {
          throw tooMany(
            "Too many sign-up and login requests from this address.",
            slot.retryAfterSeconds,
          );
        }
      });
    }

    app.post<{ Body: Credentials }>(
      "/auth/register",
      { schema: { body: credentialsSchema, response: { 201: userSchema } } },
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
      { schema: { body: credentialsSchema, response: { 200: tokenSchema } } },
      async (request, reply: FastifyReply) => {
        const email = normaliseEmail(request.body.email);
        // Checked before anything else, as at registration: no account can have a longer
        // address, and giant strings must not become limiter keys.
        if (longerThan(email, EMAIL_MAX)) {
          throw validationError("email", `must be at most ${EMAIL_MAX} characters`);
        }

        // Reserved before the slow hash, in the same step as the check: parallel guesses for
        // one email cannot all pass the check before any failure is recorded.
        const slot = await loginLimiter.tryAcquire(email);
        if (!slot.allowed) {
          throw tooMany(
            "Too many failed logins for this email; try again later.",
            slot.retryAfterSeconds,
          );
        }
        let userId: number | null;
        try {
          userId = await checkCredentials(users, passwords, email, request.body.password);
        } catch (error) {
          // Not judged (hashing saturated, database down): the attempt does not count.
          await slot.release();
          throw error;
        }
        if (userId === null) throw badCredentials(); // the reserved attempt stays a failure
        await loginLimiter.reset(email);
        // RFC 6749 section 5.1: responses carrying tokens must not be cached.
        reply.header("cache-control", "no-store");
        return {
          access_token: await tokens.issue(userId),
          token_type: "Bearer",
          expires_in: tokens.ttlSeconds,
        };
      },
    );
  };
}

/** The user's id when the password matches, else null; as slow for an unknown email. */
async function checkCredentials(
  users: UserRepository,
  passwords: PasswordHasher,
  email: string,
  password: string,
): Promise<number | null> {
  // An address with U+0000 was never registered (and PostgreSQL could not even compare it).
  const credentials = hasNul(email) ? undefined : await users.findCredentials(email);
  if (!credentials) {
    await passwords.burnTime(password);
    return null;
  }
  return (await passwords.verify(credentials.passwordHash, password)) ? credentials.id : null;
}
