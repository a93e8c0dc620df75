-- Webhooks (docs/adr/0002): one endpoint per user, and the deliveries table that is both the
-- transactional outbox (rows are inserted in the task change's transaction) and the job queue
-- the worker claims from. Timestamps are RFC 3339 UTC text, compared through julianday().
CREATE TABLE webhook_endpoints (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL CHECK (length(url) <= 2048),
    -- `whsec_` + base64 of the HMAC key. Stored as given: the worker signs with it.
    secret     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT    NOT NULL UNIQUE,
    event_type       TEXT    NOT NULL,
    -- The exact bytes every attempt sends, built when the event was enqueued.
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TEXT,
    -- The lease of an in_flight row: past it, a crashed worker's row is claimable again.
    locked_until     TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (status);
-- "My deliveries, oldest first".
CREATE INDEX webhook_deliveries_user_id_id_idx ON webhook_deliveries (user_id, id);
