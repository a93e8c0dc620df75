"""`python -m <package>.worker` (`make worker`, the image's `app-worker`): only the webhook worker.

Run it beside servers started with JOBS_WORKER=off to scale delivery apart from the API. It
serves GET /healthz and GET /metrics on $HOST:$WORKER_PORT and stops gracefully on SIGTERM or
SIGINT: nothing new is claimed, and the delivery in hand finishes within its timeout.
"""

import logging
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from .db import create_db_engine
from .main import settings_or_exit
from .webhooks.jobmetrics import JobMetrics, QueueDepthCollector
from .webhooks.worker import Worker

log = logging.getLogger(__name__)


def ops_handler(registry: CollectorRegistry) -> type[BaseHTTPRequestHandler]:
    class OpsHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server dispatches to
            if self.path == "/healthz":
                self._send(200, b'{"status":"ok"}', "application/json")
            elif self.path == "/metrics":
                self._send(200, generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4)
            else:
                self._send(404, b'{"status":404}', "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # scrapes and probes every few seconds would drown the job log

    return OpsHandler


def main() -> None:
    settings = settings_or_exit()
    engine = create_db_engine(settings.effective_database_url)
    registry = CollectorRegistry()
    registry.register(QueueDepthCollector(engine))
    worker = Worker(engine, settings, JobMetrics(registry))

    server = ThreadingHTTPServer((settings.host, settings.worker_port), ops_handler(registry))
    threading.Thread(target=server.serve_forever, name="worker-ops", daemon=True).start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("worker stopping", extra={"signal": signal.Signals(signum).name})
        worker.stopping.set()
        worker.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "worker started",
        extra={"host": settings.host, "port": settings.worker_port},
    )
    worker.run_forever()
    server.shutdown()
    engine.dispose()
    log.info("worker stopped")


if __name__ == "__main__":
    main()
