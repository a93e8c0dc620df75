// Tasks table access. Every query is scoped by owner: a task of another user is simply not
// found, which the routes turn into 404 (no hint that the id exists).
import type { Kysely } from "kysely";
import { type Database, type TaskRow, toIso } from "../db/schema.js";

export interface Task {
  id: number;
  title: string;
  description: string | null;
  done: boolean;
  created_at: string;
  updated_at: string;
}

export interface TaskChanges {
  title?: string;
  description?: string | null;
  done?: boolean;
}

const columns = ["id", "title", "description", "done", "created_at", "updated_at"] as const;

const toTask = (row: Pick<TaskRow, (typeof columns)[number]>): Task => ({
  id: row.id,
  title: row.title,
  description: row.description,
  // SQLite has no boolean type and stores 0/1.
  done: Boolean(row.done),
  created_at: toIso(row.created_at),
  updated_at: toIso(row.updated_at),
});

// better-sqlite3 cannot bind JS booleans; PostgreSQL reads 1/0 as true/false just as well.
const bit = (value: boolean): number => (value ? 1 : 0);

export function createTaskRepository(db: Kysely<Database>) {
  // A plain function rather than a method, so `update` needs no `this` (methods may be
  // destructured by callers).
  async function get(userId: number, id: number): Promise<Task | undefined> {
    const row = await db
      .selectFrom("tasks")
      .select(columns)
      .where("user_id", "=", userId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toTask(row);
  }

  return {
    async list(
      userId: number,
      limit: number,
      offset: number,
    ): Promise<{ items: Task[]; total: number }> {
      const rows = await db
        .selectFrom("tasks")
        .select(columns)
        .where("user_id", "=", userId)
        .orderBy("id", "asc")
        .limit(limit)
        .offset(offset)
        .execute();
      const { total } = await db
        .selectFrom("tasks")
        .select((eb) => eb.fn.countAll().as("total"))
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      return { items: rows.map(toTask), total: Number(total) };
    },

    get,

    async create(userId: number, input: Required<TaskChanges> & { title: string }): Promise<Task> {
      const now = new Date().toISOString();
      const row = await db
        .insertInto("tasks")
        .values({
          user_id: userId,
          title: input.title,
          description: input.description,
          done: bit(input.done),
          created_at: now,
          updated_at: now,
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
      return toTask(row);
    },

    async update(userId: number, id: number, changes: TaskChanges): Promise<Task | undefined> {
      const current = await get(userId, id);
      if (!current) return undefined;
      const changed =
        (changes.title !== undefined && changes.title !== current.title) ||
        (changes.description !== undefined && changes.description !== current.description) ||
        (changes.done !== undefined && changes.done !== current.done);
      if (!changed) return current;
      const row = await db
        .updateTable("tasks")
        .set({
          ...(changes.title !== undefined ? { title: changes.title } : {}),
          ...(changes.description !== undefined ? { description: changes.description } : {}),
          ...(changes.done !== undefined ? { done: bit(changes.done) } : {}),
          updated_at: new Date().toISOString(),
        })
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .returning(columns)
        .executeTakeFirst();
      return row && toTask(row);
    },

    async remove(userId: number, id: number): Promise<boolean> {
      const result = await db
        .deleteFrom("tasks")
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type TaskRepository = ReturnType<typeof createTaskRepository>;
