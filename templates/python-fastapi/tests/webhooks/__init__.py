"""Tests of the webhooks feature: routes, outbox, worker, delivery, SSRF guard."""
