-- Webhooks (docs/adr/0002): one endpoint per user, and the deliveries table that is both the
-- transactional outbox (rows are inserted in the task change's transaction) and the job queue
-- the worker claims from with FOR UPDATE SKIP LOCKED.
CREATE TABLE webhook_endpoints (
    user_id    BIGINT      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    url        TEXT        NOT NULL CHECK (char_length(url) <= 2048),
    -- `whsec_` + base64 of the HMAC key. Stored as given: the worker signs with it.
    secret     TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT        NOT NULL UNIQUE,
    event_type       TEXT        NOT NULL,
    -- The exact bytes every attempt sends, built when the event was enqueued.
    payload          TEXT        NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead', 'cancelled')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TIMESTAMPTZ,
    -- The lease of an in_flight row: past it, a crashed worker's row is claimable again.
    locked_until     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- The worker's claim: due pending rows and expired leases, and only those, stay in this index.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'in_flight');
-- "My deliveries, oldest first".
CREATE INDEX webhook_deliveries_user_id_id_idx ON webhook_deliveries (user_id, id);
