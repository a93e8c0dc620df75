import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { BODY_LIMIT_BYTES } from "../src/app.js";
import { type TestContext, bearer, expectProblem, login, setup } from "./helpers.js";

interface Task {
  id: number;
  title: string;
  description: string | null;
  done: boolean;
  created_at: string;
  updated_at: string;
}

describe("tasks", () => {
  let ctx: TestContext;
  let alice: string;
  beforeEach(async () => {
    ctx = await setup();
    alice = await login(ctx.app, "alice@example.com");
  });
  afterEach(async () => {
    await ctx.close();
  });

  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    token: string,
    payload?: object,
  ) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  const create = async (token: string, payload: object): Promise<Task> => {
    const res = await call("POST", "/api/v1/tasks", token, payload);
    assert.equal(res.statusCode, 201, res.body);
    return res.json<Task>();
  };

  it("creates a task: 201, Location and defaults", async () => {
    const res = await call("POST", "/api/v1/tasks", alice, { title: "Write tests", ignored: 1 });
    assert.equal(res.statusCode, 201);
    const task = res.json<Task>();
    assert.equal(res.headers["location"], `/api/v1/tasks/${task.id}`);
    assert.equal(task.title, "Write tests");
    assert.equal(task.description, null);
    assert.equal(task.done, false);
    assert.ok(task.created_at.endsWith("Z") && task.updated_at.endsWith("Z"));
    assert.deepEqual(Object.keys(task).sort(), [
      "created_at",
      "description",
      "done",
      "id",
      "title",
      "updated_at",
    ]);
  });

  it("reads, updates and deletes a task", async () => {
    const task = await create(alice, { title: "Read", description: "a book", done: false });
    const got = await call("GET", `/api/v1/tasks/${task.id}`, alice);
    assert.deepEqual(got.json(), task);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await call("PATCH", `/api/v1/tasks/${task.id}`, alice, { done: true });
    assert.equal(patched.statusCode, 200);
    const updated = patched.json<Task>();
    assert.equal(updated.done, true);
    assert.equal(updated.title, "Read");
    assert.ok(updated.updated_at > task.updated_at, "updated_at moves forward");

    const cleared = await call("PATCH", `/api/v1/tasks/${task.id}`, alice, { description: null });
    assert.equal(cleared.json<Task>().description, null);

    const deleted = await call("DELETE", `/api/v1/tasks/${task.id}`, alice);
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, "");
    expectProblem(await call("GET", `/api/v1/tasks/${task.id}`, alice), 404);
    expectProblem(await call("DELETE", `/api/v1/tasks/${task.id}`, alice), 404);
  });

  it("treats PATCH {} as a no-op and rejects title: null", async () => {
    const task = await create(alice, { title: "Stay" });
    const noop = await call("PATCH", `/api/v1/tasks/${task.id}`, alice, {});
    assert.equal(noop.statusCode, 200);
    assert.deepEqual(noop.json(), task);
    expectProblem(await call("PATCH", `/api/v1/tasks/${task.id}`, alice, { title: null }), 422);
    expectProblem(await call("PATCH", `/api/v1/tasks/${task.id}`, alice, { title: "  " }), 422);
  });

  it("validates titles, descriptions and JSON types with 422", async () => {
    for (const payload of [
      {},
      { title: "" },
      { title: "   " },
      { title: "x".repeat(201) },
      { title: "ok", description: "d".repeat(2001) },
      { title: 5 },
      { title: "ok", done: "yes" },
      { title: "ok", description: 7 },
    ]) {
      const body = expectProblem(await call("POST", "/api/v1/tasks", alice, payload), 422);
      assert.ok(Array.isArray(body["errors"]), JSON.stringify(payload));
    }
    const edge = await create(alice, { title: "x".repeat(200), description: "d".repeat(2000) });
    assert.equal(edge.title.length, 200);
  });

  it("hides other users' tasks: 404 on read, update and delete, absent from lists", async () => {
    const task = await create(alice, { title: "Alice's secret" });
    const bob = await login(ctx.app, "bob@example.com");
    expectProblem(await call("GET", `/api/v1/tasks/${task.id}`, bob), 404);
    expectProblem(await call("PATCH", `/api/v1/tasks/${task.id}`, bob, { done: true }), 404);
    expectProblem(await call("DELETE", `/api/v1/tasks/${task.id}`, bob), 404);
    const list = (await call("GET", "/api/v1/tasks", bob)).json<{ total: number }>();
    assert.equal(list.total, 0);
    // Still there, untouched, for its owner.
    assert.deepEqual((await call("GET", `/api/v1/tasks/${task.id}`, alice)).json(), task);
  });

  it("answers 404 for malformed and out-of-range ids", async () => {
    for (const id of ["abc", "0", "-1", "1.5", "99999999999", "2147483648"]) {
      expectProblem(await call("GET", `/api/v1/tasks/${id}`, alice), 404);
    }
  });

  it("paginates oldest first with total, limit and offset", async () => {
    for (let i = 1; i <= 5; i++) await create(alice, { title: `task ${i}` });
    const page = await call("GET", "/api/v1/tasks?limit=2&offset=1", alice);
    assert.equal(page.statusCode, 200);
    const body = page.json<{ items: Task[]; total: number; limit: number; offset: number }>();
    assert.deepEqual(
      body.items.map((t) => t.title),
      ["task 2", "task 3"],
    );
    assert.equal(body.total, 5);
    assert.equal(body.limit, 2);
    assert.equal(body.offset, 1);

    const defaults = (await call("GET", "/api/v1/tasks", alice)).json<{
      limit: number;
      offset: number;
      items: Task[];
    }>();
    assert.equal(defaults.limit, 20);
    assert.equal(defaults.offset, 0);
    assert.equal(defaults.items.length, 5);
  });

  it("rejects bad limit and offset with 422", async () => {
    for (const query of [
      "limit=0",
      "limit=101",
      "limit=abc",
      "offset=-1",
      "limit=1.5",
      "offset=x",
    ]) {
      expectProblem(await call("GET", `/api/v1/tasks?${query}`, alice), 422);
    }
  });

  it("requires a token on every task route", async () => {
    for (const [method, url] of [
      ["GET", "/api/v1/tasks"],
      ["POST", "/api/v1/tasks"],
      ["GET", "/api/v1/tasks/1"],
      ["PATCH", "/api/v1/tasks/1"],
      ["DELETE", "/api/v1/tasks/1"],
    ] as const) {
      const payload = method === "PATCH" || method === "POST" ? { title: "valid" } : undefined;
      const res = await ctx.app.inject({ method, url, ...(payload ? { payload } : {}) });
      expectProblem(res, 401);
      assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
    }
  });

  it("answers malformed JSON with 400 and a body over 1 MiB with 413", async () => {
    const malformed = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/tasks",
      headers: { ...bearer(alice), "content-type": "application/json" },
      payload: '{"title": "unterminated',
    });
    expectProblem(malformed, 400);

    const huge = JSON.stringify({ title: "big", description: "x".repeat(BODY_LIMIT_BYTES) });
    const tooLarge = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/tasks",
      headers: { ...bearer(alice), "content-type": "application/json" },
      payload: huge,
    });
    expectProblem(tooLarge, 413);
  });
});
