// Table types for Kysely: the single source of truth for what the queries may touch.
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/**
 * Timestamps are `timestamptz` in PostgreSQL (read back as Date) and ISO-8601 text in SQLite
 * (read back as string); both are written as ISO strings.
 */
export type Timestamp = ColumnType<Date | string, string, string>;

export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  created_at: Timestamp;
}

export interface TasksTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  description: string | null;
  done: ColumnType<boolean | number, boolean | number, boolean | number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  tasks: TasksTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type TaskRow = Selectable<TasksTable>;

export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
