-- Webhooks (folio new --jobs webhooks): one endpoint per user, and the deliveries table, which is
-- both the transactional outbox (a row is inserted in the transaction that changes the task) and
-- the worker's job queue (claimed with FOR UPDATE SKIP LOCKED).
CREATE TABLE webhook_endpoints (
    user_id    BIGINT      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    url        TEXT        NOT NULL,
    secret     TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT        NOT NULL UNIQUE,
    event_type       TEXT        NOT NULL,
    -- The exact JSON body, built at enqueue time: every retry sends the same bytes.
    payload          TEXT        NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead', 'cancelled')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TIMESTAMPTZ,
    -- The claiming worker's lease: an in_flight row whose lease has passed is claimed again.
    locked_until     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- The owner's list, id ascending.
CREATE INDEX webhook_deliveries_user_id_id_idx ON webhook_deliveries (user_id, id);
-- The worker's claim and the queue-depth gauge look at unfinished rows only.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'in_flight');
