-- The login limiters' attempts (per email and per client IP), shared by every replica so that
-- N servers enforce one limit (docs/adr/0001, "Limiter state"). SQLite keeps them in memory.
-- One row per bucket, so that an attempt is checked and recorded by one upsert that locks only
-- that row for the length of one statement (src/shared_limit.rs).
CREATE TABLE rate_limit_buckets (
    -- `login:<normalized email>` or `ip:<address>`.
    bucket   TEXT          PRIMARY KEY,
    -- The attempts inside the window, oldest first.
    hits     TIMESTAMPTZ[] NOT NULL,
    last_hit TIMESTAMPTZ   NOT NULL
);

-- The sweep deletes the buckets whose latest attempt has left the window.
CREATE INDEX rate_limit_buckets_last_hit_idx ON rate_limit_buckets (last_hit);
