"""The transactional outbox: an event row written in the same transaction as the task change.

The repository calls `enqueue_task_event` after it has changed a task and before it commits, so
the change and its event are committed together or not at all: no event without its change,
no change without its event. The worker reads the rows later; nothing here touches the network.
"""

import json
import uuid

from sqlalchemy.orm import Session

from ..models import Task, WebhookDelivery, WebhookEndpoint, utcnow
from ..schemas import TaskOut, rfc3339

# Tells the session's after-commit hook (worker.wake_on_commit) that there is work.
ENQUEUED_FLAG = "webhook_events_enqueued"


def enqueue_task_event(session: Session, task: Task, event_type: str) -> None:
    """Add the delivery of `event_type` about `task` to the session, if its owner has an
    endpoint. The caller commits."""
    if session.get(WebhookEndpoint, task.owner_id) is None:
        return  # no endpoint, no row
    now = utcnow()
    event = {
        "type": event_type,
        "timestamp": rfc3339(now),
        "data": TaskOut.model_validate(task).model_dump(mode="json"),
    }
    session.add(
        WebhookDelivery(
            user_id=task.owner_id,
            event_id=str(uuid.uuid4()),
            event_type=event_type,
            # Built once: every retry sends exactly these bytes, so signatures stay comparable.
            payload=json.dumps(event, separators=(",", ":")),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    session.info[ENQUEUED_FLAG] = True
