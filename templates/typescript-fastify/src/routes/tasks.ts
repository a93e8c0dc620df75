// /api/v1/tasks: CRUD on the caller's own tasks.
import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import { currentUserId } from "../auth/authenticate.js";
import { notFound, validationError } from "../http/problem.js";
import { OFFSET_MAX, intParam } from "../http/query.js";
import { taskListSchema, taskSchema } from "../http/schemas.js";
import type { TaskChanges, TaskRepository } from "../tasks/repository.js";
import { hasNul, longerThan, trimSpace } from "../text.js";

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 2000;

const fields = {
  title: { type: "string", maxLength: TITLE_MAX },
  description: { type: ["string", "null"], maxLength: DESCRIPTION_MAX },
  done: { type: "boolean" },
} as const;

const createSchema = { type: "object", required: ["title"], properties: fields } as const;
const patchSchema = { type: "object", properties: fields } as const;

interface IdParams {
  id: string;
}

/** Path ids are positive integers that fit PostgreSQL's `integer`; anything else is 404. */
function parseId(raw: string): number {
  const id = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(id <= 2_147_483_647)) throw notFound("Task not found.");
  return id;
}

/** Text PostgreSQL can store: refused in both databases alike, so behaviour does not differ. */
function storable<T extends string | null | undefined>(field: string, value: T): T {
  if (typeof value === "string" && hasNul(value)) {
    throw validationError(field, "must not contain U+0000 (NUL)");
  }
  return value;
}

/** Titles count once trimmed (schemas cannot trim); the trimmed title is what is stored. */
function cleanTitle(title: string): string {
  storable("title", title);
  const trimmed = trimSpace(title);
  if (trimmed === "" || longerThan(trimmed, TITLE_MAX)) {
    throw validationError(
      "title",
      `must be between 1 and ${TITLE_MAX} characters, not only spaces`,
    );
  }
  return trimmed;
}

export function taskRoutes(tasks: TaskRepository, authenticate: onRequestAsyncHookHandler) {
  return async (app: FastifyInstance) => {
    app.addHook("onRequest", authenticate);

    app.get<{ Querystring: Record<string, unknown> }>(
      "/tasks",
      { schema: { response: { 200: taskListSchema } } },
      async (request) => {
        const limit = intParam(request.query, "limit", { min: 1n, max: 100n, fallback: 20n });
        const offset = intParam(request.query, "offset", {
          min: 0n,
          max: OFFSET_MAX,
          fallback: 0n,
        });
        const page = await tasks.list(currentUserId(request), limit, offset);
        return { ...page, limit, offset };
      },
    );

    app.post<{ Body: TaskChanges & { title: string } }>(
      "/tasks",
      { schema: { body: createSchema, response: { 201: taskSchema } } },
      async (request, reply) => {
        const task = await tasks.create(currentUserId(request), {
          title: cleanTitle(request.body.title),
          description: storable("description", request.body.description ?? null),
          done: request.body.done ?? false,
        });
        return reply.code(201).header("location", `/api/v1/tasks/${task.id}`).send(task);
      },
    );

    app.get<{ Params: IdParams }>(
      "/tasks/:id",
      { schema: { response: { 200: taskSchema } } },
      async (request) => {
        const task = await tasks.get(currentUserId(request), parseId(request.params.id));
        if (!task) throw notFound("Task not found.");
        return task;
      },
    );

    app.patch<{ Params: IdParams; Body: TaskChanges }>(
      "/tasks/:id",
      { schema: { body: patchSchema, response: { 200: taskSchema } } },
      async (request) => {
        const id = parseId(request.params.id);
        const { title, description, done } = request.body;
        const changes: TaskChanges = {
          ...(title !== undefined ? { title: cleanTitle(title) } : {}),
          ...(description !== undefined
            ? { description: storable("description", description) }
            : {}),
          ...(done !== undefined ? { done } : {}),
        };
        const task = await tasks.update(currentUserId(request), id, changes);
        if (!task) throw notFound("Task not found.");
        return task;
      },
    );

    app.delete<{ Params: IdParams }>("/tasks/:id", async (request, reply) => {
      const removed = await tasks.remove(currentUserId(request), parseId(request.params.id));
      if (!removed) throw notFound("Task not found.");
      return reply.code(204).send();
    });
  };
}
