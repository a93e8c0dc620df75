-- SQLite has no timestamp type: created_at / updated_at hold Unix epoch milliseconds (UTC),
-- which is what the JDBC driver writes for a java.sql.Timestamp. Booleans are 0 / 1.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    description TEXT,
    done        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Listing is "this user's tasks, oldest first": one index serves the filter and the order.
CREATE INDEX tasks_user_id_id_idx ON tasks (user_id, id);
