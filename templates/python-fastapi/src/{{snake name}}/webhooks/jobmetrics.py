"""Prometheus metrics of the background jobs, on the registry of the process that runs them."""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from ..models import WebhookDelivery

JOB_TYPE = "webhook_delivery"
OUTCOMES = ("delivered", "retry", "dead", "cancelled")


class JobMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.jobs = Counter(
            "background_jobs_total",
            "Background job attempts by type and outcome.",
            ["type", "outcome"],
            registry=registry,
        )
        for outcome in OUTCOMES:  # every series exists from the start, at 0
            self.jobs.labels(type=JOB_TYPE, outcome=outcome)
        self.duration = Histogram(
            "webhook_delivery_duration_seconds",
            "Duration of each webhook delivery attempt that sent a request.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=registry,
        )

    def outcome(self, outcome: str) -> None:
        self.jobs.labels(type=JOB_TYPE, outcome=outcome).inc()


class QueueDepthCollector(Collector):
    """`background_jobs_queue_depth`: pending deliveries (due or waiting), read from the
    database at scrape time, so the API process reports it too, whoever runs the worker."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[GaugeMetricFamily]:
        return [self._family()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        try:
            with self.engine.connect() as connection:
                query = select(func.count()).where(WebhookDelivery.status == "pending")
                depth = connection.execute(query).scalar_one()
        except Exception:  # no database (or no table yet): no sample, no crash
            return
        family.add_metric([JOB_TYPE], depth)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "background_jobs_queue_depth",
            "Jobs waiting to run (pending, due or not), by type.",
            labels=["type"],
        )
