// Whitespace and length, the way the API contract means them.
//
// "Whitespace" is the set Python's str.isspace() and the regex `\s` of the tools that check the
// contract (schemathesis) use: Unicode White_Space plus the ASCII separators U+001C..U+001F,
// without U+FEFF (which JavaScript's trim() would remove). One definition, so a title the
// contract calls blank is blank here too, and the other way round. Plain loops, no regular
// expressions: `/\s+$/` is quadratic on a long run of inner spaces.
const SPACE = new Set<number>([
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x1c,
  0x1d,
  0x1e,
  0x1f,
  0x20,
  0x85,
  0xa0,
  0x1680,
  ...Array.from({ length: 11 }, (_, i) => 0x2000 + i),
  0x2028,
  0x2029,
  0x202f,
  0x205f,
  0x3000,
]);

// Every member is a single UTF-16 unit, so charCodeAt is enough.
const isSpaceAt = (value: string, index: number): boolean => SPACE.has(value.charCodeAt(index));

export function trimSpace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isSpaceAt(value, start)) start++;
  while (end > start && isSpaceAt(value, end - 1)) end--;
  return value.slice(start, end);
}

export function hasSpace(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (isSpaceAt(value, i)) return true;
  return false;
}

/**
 * True when `value` has more than `max` characters (code points, as JSON Schema counts them).
 * Stops counting at max + 1, so a 1 MiB string costs no more than a short one.
 */
export function longerThan(value: string, max: number): boolean {
  if (value.length <= max) return false; // a code point is one or two UTF-16 units
  const codePoints = value[Symbol.iterator]();
  for (let count = 0; !codePoints.next().done;) {
    if (++count > max) return true;
  }
  return false;
}

/** U+0000 is valid JSON but PostgreSQL's text types cannot hold it (an insert would fail). */
export const hasNul = (value: string): boolean => value.includes("\u0000");

/** C0 control characters and DEL: never part of an address or a name. */
export function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
