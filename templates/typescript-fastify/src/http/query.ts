// Integer query parameters, parsed by hand from the raw text. A JavaScript number rounds
// 9223372036854775809 to 9223372036854775808, and a coercing validator turns `1e400` into
// Infinity: plain digits are compared as BigInt instead, so every out-of-range value is a 422
// and no oversized number reaches the database (where it would be an error, not a page).
import { validationError } from "./problem.js";

/** The contract's largest offset: PostgreSQL's `integer`, 2^31 - 1. */
export const OFFSET_MAX = 2_147_483_647n;

const DIGITS = /^[0-9]{1,25}$/;

export interface IntRange {
  min: bigint;
  max: bigint;
  fallback: bigint;
}

/** The parameter's value within [min, max] (bounds that fit a JavaScript number exactly). */
export function intParam(
  query: Record<string, unknown>,
  name: string,
  { min, max, fallback }: IntRange,
): number {
  const raw = query[name];
  let value = fallback;
  if (raw !== undefined) {
    if (typeof raw !== "string" || !DIGITS.test(raw)) {
      throw validationError(`querystring.${name}`, `must be an integer from ${min} to ${max}`);
    }
    value = BigInt(raw);
  }
  if (value < min || value > max) {
    throw validationError(`querystring.${name}`, `must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}
