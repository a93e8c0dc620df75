// The transactional outbox: a task change and its event are written in one transaction, so
// there is never an event without its change (a rollback takes both) nor a change without its
// event (the worker delivers whatever committed, however long after, and retries).
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import type { Task } from "../tasks/repository.js";
import type { WebhookRepository } from "./repository.js";

export type TaskEventType = "task.created" | "task.completed" | "task.deleted";

export interface Outbox {
  /** Writes the event inside `trx` when the user has an endpoint; true when it did. */
  enqueue(
    trx: Transaction<Database>,
    userId: number,
    type: TaskEventType,
    task: Task,
  ): Promise<boolean>;
  /** Called after the commit of a transaction that enqueued: wakes an in-process worker. */
  committed(): void;
  /** The in-process worker's wake-up call (one listener). */
  onCommitted(listener: () => void): void;
}

export function createOutbox(webhooks: WebhookRepository): Outbox {
  let listener: () => void = () => undefined;
  return {
    async enqueue(trx, userId, type, task) {
      if (!(await webhooks.findTarget(userId, trx))) return false;
      // Built once, stored with the row: every retry sends exactly these bytes.
      const payload = JSON.stringify({ type, timestamp: new Date().toISOString(), data: task });
      await webhooks.insertDelivery(trx, {
        userId,
        eventId: randomUUID(),
        eventType: type,
        payload,
      });
      return true;
    },
    committed() {
      listener();
    },
    onCommitted(next) {
      listener = next;
    },
  };
}
