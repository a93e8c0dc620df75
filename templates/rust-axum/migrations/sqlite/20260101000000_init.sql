-- SQLite schema. SQLite has no timestamp type: timestamps are RFC 3339 UTC text, which sqlx
-- reads back into `time::OffsetDateTime` (PostgreSQL uses timestamptz; see docs/adr/0001).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE CHECK (length(email) <= 254),
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL CHECK (length(title) <= 200),
    description TEXT    CHECK (length(description) <= 2000),
    -- SQLite has no boolean type either: 0 or 1, which sqlx decodes as `bool`.
    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Listing is "my tasks, oldest first": one index serves the filter and the order.
CREATE INDEX tasks_user_id_id_idx ON tasks (user_id, id);
