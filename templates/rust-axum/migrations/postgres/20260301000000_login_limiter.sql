-- The login limiters' attempts (per email and per client IP), shared by every replica so that
-- N servers enforce one limit (docs/adr/0001, "Limiter state"). SQLite keeps them in memory.
CREATE TABLE rate_limit_hits (
    id     BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- `login:<normalized email>` or `ip:<address>`.
    bucket TEXT        NOT NULL,
    hit_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX rate_limit_hits_bucket_hit_at_idx ON rate_limit_hits (bucket, hit_at);
-- The sweep deletes by age alone.
CREATE INDEX rate_limit_hits_hit_at_idx ON rate_limit_hits (hit_at);
