// JWT access tokens: HS256 only, claims `sub` (user id as a string), `iat`, `exp`. jose's
// jwtVerify with an explicit algorithm list rejects `alg: none`, other algorithms, bad
// signatures and expired tokens; whatever it rejects becomes one 401 for the client.
import { SignJWT, jwtVerify } from "jose";

export interface TokenService {
  issue(userId: number): Promise<string>;
  /** The user id from a valid token, or null for any invalid one. */
  verify(token: string): Promise<number | null>;
  readonly ttlSeconds: number;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    ttlSeconds,
    async issue(userId) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(String(userId))
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          requiredClaims: ["sub", "exp", "iat"],
        });
        // User ids are positive integers that fit a PostgreSQL `integer`.
        const id = /^[1-9][0-9]{0,9}$/.test(payload.sub ?? "") ? Number(payload.sub) : NaN;
        return id <= 2_147_483_647 ? id : null;
      } catch {
        return null;
      }
    },
  };
}
