-- +goose Up
-- One endpoint per user; the secret is the Standard Webhooks `whsec_...` text.
CREATE TABLE webhook_endpoints (
    user_id    INTEGER     PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    url        TEXT        NOT NULL,
    secret     TEXT        NOT NULL,
    created_at TIMESTAMP   NOT NULL,
    updated_at TIMESTAMP   NOT NULL
);

-- The outbox and the job queue in one: a row is written in the transaction
-- of the task change, then claimed and delivered by the worker.
CREATE TABLE webhook_deliveries (
    id               INTEGER     PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT        NOT NULL UNIQUE,
    event_type       TEXT        NOT NULL,
    payload          TEXT        NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead', 'cancelled')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TIMESTAMP,
    locked_until     TIMESTAMP,
    created_at       TIMESTAMP   NOT NULL,
    updated_at       TIMESTAMP   NOT NULL
);

-- The deliveries list: one user's rows in id order.
CREATE INDEX webhook_deliveries_user_id_id_idx ON webhook_deliveries (user_id, id);
-- The worker's claim: due pending rows and expired leases, kept small by
-- leaving finished rows out.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_lease_idx ON webhook_deliveries (locked_until) WHERE status = 'in_flight';

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
