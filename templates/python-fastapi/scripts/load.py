"""A short, bounded load run against a running server (`make load`): users doing task CRUD.

    python scripts/load.py --url http://127.0.0.1:8080 --users 8 --seconds 30

Each simulated user registers, logs in once, then loops: create a task, list, read, complete,
delete. It stops after --seconds or --max-requests, whichever comes first, and prints the
throughput, the error count and latency percentiles per route. Point it only at a server you
run (it is a load generator); the per-IP auth limit allows 100 registrations + logins a minute,
so keep --users under 50.
"""

import argparse
import statistics
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable

import httpx2

PASSWORD = "load-test-password"  # noqa: S105 - throwaway users of a load run


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.count = 0

    def record(self, route: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.count += 1
            self.latencies[route].append(seconds)
            if not ok:
                self.errors[route] += 1


def timed(
    stats: Stats, route: str, expected: int, call: Callable[[], httpx2.Response]
) -> httpx2.Response | None:
    started = time.perf_counter()
    try:
        response = call()
    except httpx2.TransportError:
        stats.record(route, time.perf_counter() - started, ok=False)
        return None
    stats.record(route, time.perf_counter() - started, ok=response.status_code == expected)
    return response


def user(base_url: str, stats: Stats, stop_at: float, budget: threading.Semaphore) -> None:
    with httpx2.Client(base_url=base_url, timeout=10) as http:
        creds = {"email": f"load-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD}
        if (
            timed(
                stats,
                "POST /api/v1/auth/register",
                201,
                lambda: http.post("/api/v1/auth/register", json=creds),
            )
            is None
        ):
            return
        login = timed(
            stats,
            "POST /api/v1/auth/login",
            200,
            lambda: http.post("/api/v1/auth/login", json=creds),
        )
        if login is None or login.status_code != 200:
            return
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        while time.monotonic() < stop_at and budget.acquire(blocking=False):
            created = timed(
                stats,
                "POST /api/v1/tasks",
                201,
                lambda: http.post("/api/v1/tasks", json={"title": "load"}),
            )
            if created is None or created.status_code != 201:
                continue
            path = f"/api/v1/tasks/{created.json()['id']}"
            timed(
                stats,
                "GET /api/v1/tasks",
                200,
                lambda: http.get("/api/v1/tasks", params={"limit": 20}),
            )
            timed(stats, "GET /api/v1/tasks/{id}", 200, lambda p=path: http.get(p))
            timed(
                stats,
                "PATCH /api/v1/tasks/{id}",
                200,
                lambda p=path: http.patch(p, json={"done": True}),
            )
            timed(stats, "DELETE /api/v1/tasks/{id}", 204, lambda p=path: http.delete(p))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=20_000, help="task loops in all")
    args = parser.parse_args()
    if not 1 <= args.users <= 50:
        parser.error("--users must be 1..50 (the per-IP auth limit)")

    stats = Stats()
    budget = threading.Semaphore(args.max_requests)
    started = time.monotonic()
    threads = [
        threading.Thread(target=user, args=(args.url, stats, started + args.seconds, budget))
        for _ in range(args.users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    print(
        f"{stats.count} requests in {elapsed:.1f} s: {stats.count / elapsed:.0f} req/s, "
        f"{sum(stats.errors.values())} unexpected answers"
    )
    print(f"{'route':<28} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for route, values in sorted(stats.latencies.items()):
        print(
            f"{route:<28} {len(values):>7} {stats.errors[route]:>6} "
            f"{statistics.median(values) * 1000:>8.1f} {percentile(values, 0.95) * 1000:>8.1f} "
            f"{percentile(values, 0.99) * 1000:>8.1f}"
        )
    if stats.count == 0 or sum(stats.errors.values()) > stats.count // 100:
        raise SystemExit("more than 1% of the answers were unexpected")


if __name__ == "__main__":
    main()
