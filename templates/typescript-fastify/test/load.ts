// `make load`: a short, steady load against a running server (BASE_URL, default
// http://127.0.0.1:8080), with Node's own fetch and no extra tool. Each of CONCURRENCY virtual
// users registers, logs in once, then loops create -> list -> complete -> delete for DURATION
// seconds. Prints requests per second, latency percentiles and status codes; exits non-zero on
// any 5xx or network error. Watch the Grafana dashboard while it runs (README "Tests").
const baseUrl = process.env["BASE_URL"] ?? "http://127.0.0.1:8080";
const durationMs = Number(process.env["DURATION"] ?? "20") * 1000;
const concurrency = Number(process.env["CONCURRENCY"] ?? "10");

const latencies: number[] = [];
const statuses = new Map<string, number>();

async function call(method: string, path: string, token?: string, body?: unknown) {
  const started = performance.now();
  let status = "error";
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    status = String(res.status);
    const text = await res.text();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } finally {
    latencies.push(performance.now() - started);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
}

async function virtualUser(n: number, deadline: number): Promise<void> {
  const credentials = {
    email: `load-${Date.now()}-${n}@example.com`,
    password: "load test password",
  };
  await call("POST", "/api/v1/auth/register", undefined, credentials);
  const token = String(
    (await call("POST", "/api/v1/auth/login", undefined, credentials))["access_token"],
  );
  while (Date.now() < deadline) {
    const task = await call("POST", "/api/v1/tasks", token, { title: `load ${n}` });
    await call("GET", "/api/v1/tasks?limit=20", token);
    await call("PATCH", `/api/v1/tasks/${String(task["id"])}`, token, { done: true });
    await call("DELETE", `/api/v1/tasks/${String(task["id"])}`, token);
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const started = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, (_, n) => virtualUser(n, started + durationMs)),
);
const seconds = (Date.now() - started) / 1000;
const sorted = [...latencies].sort((a, b) => a - b);
console.log(
  `${latencies.length} requests in ${seconds.toFixed(1)} s: ${(latencies.length / seconds).toFixed(0)} req/s`,
);
console.log(
  `latency ms: p50 ${percentile(sorted, 50).toFixed(1)}, p95 ${percentile(sorted, 95).toFixed(1)}, ` +
    `p99 ${percentile(sorted, 99).toFixed(1)}, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)}`,
);
console.log(`status codes: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
const failures = [...statuses].filter(([status]) => status === "error" || status.startsWith("5"));
if (failures.length > 0) process.exitCode = 1;
