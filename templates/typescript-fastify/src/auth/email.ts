// Email addresses: normalised (trimmed, lower-cased with Unicode rules) before they are stored
// or counted by the login limiter, so `Ada@Example.com ` and `ada@example.com` are one account.
//
// The check is one pass over the characters, with no regular expression: it cannot backtrack,
// and anything over 254 characters is refused before it even starts.
import { hasControl, hasSpace, longerThan, trimSpace } from "../text.js";

/** RFC 5321's limit on a forward path, which every mail system enforces. */
export const EMAIL_MAX = 254;

export function normaliseEmail(raw: string): string {
  return trimSpace(raw).toLowerCase();
}

/**
 * One `@`, a non-empty local part, a domain of at least two non-empty dot-separated labels,
 * no whitespace or control characters. Deliberately loose: the only real test of an address is mail reaching it.
 */
export function isPlausibleEmail(email: string): boolean {
  if (longerThan(email, EMAIL_MAX) || hasSpace(email) || hasControl(email)) return false;
  const at = email.indexOf("@");
  if (at <= 0 || email.indexOf("@", at + 1) !== -1) return false;
  const domain = email.slice(at + 1);
  const labels = domain.split(".");
  return labels.length >= 2 && labels.every((label) => label.length > 0);
}
