// Password hashing with argon2id (the OWASP first choice). The hash string records its own
// parameters, so raising the cost later keeps old hashes verifiable. Tests pass a low cost:
// the production one is deliberately slow. Every hash and verification goes through the gate,
// which bounds how many run at once.
import argon2 from "argon2";
import type { HashGate } from "./hash-gate.js";

export interface HashCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * OWASP's first argon2id configuration: 19 MiB, 2 passes, 1 lane, the same in every stack of this
 * family. Heavier settings (argon2's own default is 64 MiB, 3 passes, 4 lanes) cost about a
 * second per hash on a small machine, so ten parallel logins would queue past the gate's
 * timeout; raise it together with HASH_CONCURRENCY and the memory you give the container.
 */
export const DEFAULT_HASH_COST: HashCost = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Verifies against a hash of a random password: a login for an unknown email then takes as
   * long as one with a wrong password, so timing does not reveal which emails exist.
   */
  burnTime(password: string): Promise<void>;
}

export function createPasswordHasher(
  gate: HashGate,
  cost: HashCost = DEFAULT_HASH_COST,
): PasswordHasher {
  const rawHash = (password: string) => argon2.hash(password, { type: argon2.argon2id, ...cost });
  const rawVerify = async (stored: string, password: string) => {
    try {
      return await argon2.verify(stored, password);
    } catch {
      return false;
    }
  };
  // Made once, outside the gate's accounting of requests: it is the server's own work.
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => gate.run(() => rawHash(password)),
    verify: (stored, password) => gate.run(() => rawVerify(stored, password)),
    async burnTime(password) {
      dummy ??= gate.run(() => rawHash(`not-a-real-password-${Math.random()}`));
      const stored = await dummy.catch((error: unknown) => {
        dummy = undefined;
        throw error;
      });
      await gate.run(() => rawVerify(stored, password));
    },
  };
}
