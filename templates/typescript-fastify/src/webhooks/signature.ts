// Standard Webhooks signatures (https://www.standardwebhooks.com/): the receiver recomputes
// HMAC-SHA256 over "<id>.<timestamp>.<body>" with the shared secret and compares. The secret is
// `whsec_` + base64 of the key bytes; the HMAC key is the decoded bytes, not the text.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PREFIX = "whsec_";
export const SECRET_MIN_BYTES = 22;
export const SECRET_MAX_BYTES = 66;

/** A fresh secret: 32 random bytes, base64 with padding. */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString("base64");
}

/** The key bytes of a `whsec_` secret (base64 decoded leniently: trailing bits allowed). */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return Buffer.from(secret.slice(PREFIX.length), "base64");
}

/** The `Webhook-Signature` header value: `v1,<base64 HMAC>`. */
export function sign(secret: string, id: string, timestamp: number | string, body: string): string {
  const mac = createHmac("sha256", secretKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

/**
 * The receiving side's check, exported for tests and as the README's example. The header may
 * carry several space-separated signatures (key rotation); one match is enough.
 */
export function verify(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
): boolean {
  const expected = Buffer.from(sign(secret, headers.id, headers.timestamp, body));
  return headers.signature.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
