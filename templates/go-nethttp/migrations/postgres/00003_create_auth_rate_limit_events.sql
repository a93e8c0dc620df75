-- +goose Up
-- The login limiters' events, shared by every replica on this database
-- (internal/auth/shared_limiter.go). One row per counted attempt.
CREATE TABLE auth_rate_limit_events (
    id  BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT        NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX auth_rate_limit_events_key_at_idx ON auth_rate_limit_events (key, at);
-- The sweep deletes by age across all keys.
CREATE INDEX auth_rate_limit_events_at_idx ON auth_rate_limit_events (at);

-- +goose Down
DROP TABLE auth_rate_limit_events;
