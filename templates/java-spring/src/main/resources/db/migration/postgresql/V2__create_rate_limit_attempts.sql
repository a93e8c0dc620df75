-- The login limiters' attempts (per email and per client IP), shared by every replica: one row per
-- attempt in the sliding window, swept once it has left the window (see PostgresAttemptWindow).
CREATE TABLE rate_limit_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope        TEXT        NOT NULL,
    key          TEXT        NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);

-- Counting one key's window, and sweeping expired rows.
CREATE INDEX rate_limit_attempts_key_idx ON rate_limit_attempts (scope, key, attempted_at);
CREATE INDEX rate_limit_attempts_at_idx ON rate_limit_attempts (attempted_at);
