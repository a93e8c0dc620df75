-- SQLite schema. Timestamps are RFC 3339 UTC text with a fixed width (see docs/adr/0001),
-- so they sort correctly and read the same through sqlx's Any driver on both databases.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    description TEXT,
    -- INTEGER, not BOOLEAN: the Any driver only maps SQLite's storage classes.
    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Listing is "my tasks, oldest first": one index serves the filter and the order.
CREATE INDEX tasks_user_id_id_idx ON tasks (user_id, id);
