// Users table access. Emails arrive already normalised (trimmed, lower-cased), so the unique
// index on `email` makes uniqueness case-insensitive on both databases.
import type { Kysely } from "kysely";
import { type Database, type UserRow, toIso } from "../db/schema.js";

export interface User {
  id: number;
  email: string;
  created_at: string;
}

export class DuplicateEmailError extends Error {
  override name = "DuplicateEmailError";
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

const toUser = (row: Pick<UserRow, "id" | "email" | "created_at">): User => ({
  id: row.id,
  email: row.email,
  created_at: toIso(row.created_at),
});

export function createUserRepository(db: Kysely<Database>) {
  return {
    async create(email: string, passwordHash: string): Promise<User> {
      try {
        const row = await db
          .insertInto("users")
          .values({ email, password_hash: passwordHash, created_at: new Date().toISOString() })
          .returning(["id", "email", "created_at"])
          .executeTakeFirstOrThrow();
        return toUser(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateEmailError(email);
        throw error;
      }
    },

    async findById(id: number): Promise<User | undefined> {
      const row = await db
        .selectFrom("users")
        .select(["id", "email", "created_at"])
        .where("id", "=", id)
        .executeTakeFirst();
      return row && toUser(row);
    },

    async findCredentials(
      email: string,
    ): Promise<{ id: number; passwordHash: string } | undefined> {
      const row = await db
        .selectFrom("users")
        .select(["id", "password_hash"])
        .where("email", "=", email)
        .executeTakeFirst();
      return row && { id: row.id, passwordHash: row.password_hash };
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
