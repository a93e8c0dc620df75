"""The worker: claim a due delivery, send it, record the outcome; repeat.

Claiming is one atomic `UPDATE ... RETURNING` that marks the row `in_flight` with a lease. On
PostgreSQL the row is picked by a sub-select `FOR UPDATE SKIP LOCKED`, so several workers (in
several processes) never take the same row and never wait for each other; on SQLite the single
statement runs in one write transaction, which is safe with the one worker process SQLite
supports. A worker that dies mid-delivery leaves its row `in_flight`; once the lease has passed,
another worker takes it again (delivery is at least once; receivers de-duplicate by event id).
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, event, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..config import Settings
from ..models import WebhookDelivery, WebhookEndpoint, utcnow
from . import sender, signing
from .backoff import retry_delay
from .jobmetrics import JobMetrics
from .outbox import ENQUEUED_FLAG
from .ssrf import RefusedAddressError, ResolutionError

log = logging.getLogger(__name__)

LEASE_MARGIN = timedelta(seconds=30)
MAX_ERROR_LENGTH = 500  # the column's size


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int
    event_id: str
    payload: str
    attempts: int
    lease: datetime


class Worker:
    def __init__(self, engine: Engine, settings: Settings, metrics: JobMetrics) -> None:
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        self.session_factory = sessionmaker(engine, expire_on_commit=False)
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one job -------------------------------------------------------------------------

    def claim(self) -> Claimed | None:
        """Take the oldest due row (or one whose lease ran out), or None when nothing is due."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.webhook_timeout_seconds * 2) + LEASE_MARGIN
        due = or_(
            and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now),
            and_(WebhookDelivery.status == "in_flight", WebhookDelivery.locked_until < now),
        )
        candidate = (
            select(WebhookDelivery.id)
            .where(due)
            .order_by(WebhookDelivery.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders no locking clause
            .scalar_subquery()
        )
        statement = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id == candidate)
            .values(status="in_flight", locked_until=lease, updated_at=now)
            .returning(
                WebhookDelivery.id,
                WebhookDelivery.user_id,
                WebhookDelivery.event_id,
                WebhookDelivery.payload,
                WebhookDelivery.attempts,
            )
        )
        with self.engine.begin() as connection:
            row = connection.execute(statement).first()
        if row is None:
            return None
        return Claimed(row.id, row.user_id, row.event_id, row.payload, row.attempts, lease)

    def run_once(self) -> bool:
        """Claim and handle one delivery; False when nothing was due."""
        job = self.claim()
        if job is None:
            return False
        if self.stopping.is_set():
            self.release(job)  # shutting down between claim and send: back, unchanged
            return True
        self.handle(job)
        return True

    def handle(self, job: Claimed) -> None:
        with self.session_factory() as session:
            endpoint = session.get(WebhookEndpoint, job.user_id)
            url, secret = (endpoint.url, endpoint.secret) if endpoint else (None, None)
        if url is None or secret is None:
            self._finish(job, "cancelled", status="cancelled")
            return
        timestamp = int(time.time())
        body = job.payload.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "webhook-worker",
            "Webhook-Id": job.event_id,
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": signing.sign(secret, job.event_id, timestamp, body),
        }
        try:
            result = sender.post(
                url,
                body,
                headers,
                timeout=self.settings.webhook_timeout_seconds,
                allow_loopback=self.settings.webhook_allow_loopback,
            )
        except RefusedAddressError as exc:  # no request was sent, and none ever will be
            self._finish(job, "dead", status="dead", attempts=job.attempts + 1, error=str(exc))
            return
        except ResolutionError as exc:
            self._failed(job, None, str(exc))
            return
        self.metrics.duration.observe(result.seconds)
        if result.delivered:
            self._finish(
                job,
                "delivered",
                status="delivered",
                attempts=job.attempts + 1,
                status_code=result.status_code,
            )
        else:
            self._failed(job, result.status_code, result.error or "failed")

    def release(self, job: Claimed) -> None:
        """Put a claimed row back to `pending` as it was (a shutdown before sending)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == job.id, WebhookDelivery.locked_until == job.lease)
                .values(status="pending", locked_until=None)
            )

    def _failed(self, job: Claimed, status_code: int | None, error: str) -> None:
        attempts = job.attempts + 1
        if attempts >= self.settings.webhook_max_attempts:
            self._finish(
                job, "dead", status="dead", attempts=attempts, status_code=status_code, error=error
            )
            return
        delay = retry_delay(
            attempts, self.settings.webhook_backoff_base_ms, self.settings.webhook_backoff_max_ms
        )
        self._finish(
            job,
            "retry",
            status="pending",
            attempts=attempts,
            status_code=status_code,
            error=error,
            next_attempt_at=utcnow() + delay,
        )

    def _finish(
        self,
        job: Claimed,
        outcome: str,
        *,
        status: str,
        attempts: int | None = None,
        status_code: int | None = None,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {
            "status": status,
            "locked_until": None,
            "next_attempt_at": next_attempt_at,
            "updated_at": utcnow(),
        }
        if attempts is not None:
            values |= {
                "attempts": attempts,
                "last_status_code": status_code,
                "last_error": error[:MAX_ERROR_LENGTH] if error else None,
            }
        with self.engine.begin() as connection:
            # Only while the lease is ours: a row taken over by another worker is theirs now.
            connection.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == job.id, WebhookDelivery.locked_until == job.lease)
                .values(**values)
            )
        self.metrics.outcome(outcome)
        log.info(
            "webhook delivery %s",
            outcome,
            extra={"delivery_id": job.id, "event_id": job.event_id, "attempts": attempts},
        )

    # --- the loop --------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def run_forever(self) -> None:
        """Poll until stop(); a commit that enqueued an event wakes the loop at once."""
        interval = self.settings.jobs_poll_interval_ms / 1000
        while not self.stopping.is_set():
            try:
                busy = self.run_once()
            except Exception:  # a lost database must not end the worker: log, wait, retry
                log.exception("webhook worker iteration failed")
                busy = False
            if not busy:
                self._wake.wait(interval)
                self._wake.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="webhook-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming; the delivery in hand finishes (bounded by its timeout)."""
        self.stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.settings.webhook_timeout_seconds * 2 + 5)


def wake_on_commit(session_factory: sessionmaker[Session], worker: Worker) -> None:
    """Wake the in-process worker right after a commit that enqueued an event."""

    @event.listens_for(session_factory, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(ENQUEUED_FLAG, False):
            worker.wake()

    @event.listens_for(session_factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(ENQUEUED_FLAG, None)  # the rows are gone with the transaction
