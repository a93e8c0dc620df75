"""Signed webhooks about task changes, delivered by a background worker.

The pieces, each in its own module: `signing` (Standard Webhooks secrets and signatures), `ssrf`
(which addresses a delivery may reach), `outbox` (enqueue an event in the caller's transaction),
`sender` (one HTTP attempt, pinned to a checked address), `backoff`, `worker` (claim, deliver,
record), `jobmetrics` (Prometheus), and `process` (the separate worker process).
"""
