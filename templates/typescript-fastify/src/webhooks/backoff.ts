// Exponential backoff with jitter: after failed attempt n the next is due after a random delay
// in [d/2, d], d = min(base * 2^(n-1), max). The jitter spreads retries of many deliveries that
// failed together (a receiver's outage) instead of sending them back in one wave.

export function backoffMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
  return ceiling / 2 + random() * (ceiling / 2);
}
