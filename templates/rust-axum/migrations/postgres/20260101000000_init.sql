-- PostgreSQL schema, same shape as migrations/sqlite, with PostgreSQL's own types: timestamps
-- are timestamptz (stored in UTC, compared and indexed as instants) and `done` is a boolean.
CREATE TABLE users (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE CHECK (char_length(email) <= 254),
    password_hash TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE tasks (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT        NOT NULL CHECK (char_length(title) <= 200),
    description TEXT        CHECK (char_length(description) <= 2000),
    done        BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Listing is "my tasks, oldest first": one index serves the filter and the order.
CREATE INDEX tasks_user_id_id_idx ON tasks (user_id, id);
