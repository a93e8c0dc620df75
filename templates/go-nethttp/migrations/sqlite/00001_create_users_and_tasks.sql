-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT      NOT NULL UNIQUE,
    password_hash TEXT      NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT      NOT NULL,
    description TEXT,
    done        BOOLEAN   NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- Listing is "this user's tasks, oldest first": one index serves both the
-- filter and the order.
CREATE INDEX tasks_user_id_id_idx ON tasks (user_id, id);

-- +goose Down
DROP TABLE tasks;
DROP TABLE users;
