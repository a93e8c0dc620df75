// Integer query parameters, parsed by hand from the raw text. A JavaScript number cannot tell
// 9223372036854775807 from 9223372036854775808, and a coercing validator turns `1e400` into
// Infinity: digits are compared as BigInt instead, so every out-of-range value is a 422 and no
// oversized number reaches the database (where it would be an error, not a page).
import { validationError } from "./problem.js";

/** PostgreSQL's and SQLite's largest integer (bigint / int64): the contract's upper bound. */
export const INT64_MAX = 9_223_372_036_854_775_807n;

const DIGITS = /^[0-9]{1,25}$/;

export interface IntRange {
  min: bigint;
  max: bigint;
  fallback: bigint;
}

/**
 * The parameter's value, as a number when it is safe (every realistic value) and as a bigint
 * beyond 2^53, so it stays exact on its way to SQL and back into the response.
 */
export function intParam(
  query: Record<string, unknown>,
  name: string,
  { min, max, fallback }: IntRange,
): number | bigint {
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
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
