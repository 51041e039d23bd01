-- AUTOINCREMENT: ids are never reused, even after the newest task is deleted.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT,
    completed   BOOLEAN NOT NULL DEFAULT FALSE,
    -- Lower-cased by the API (Unicode-aware, unlike SQLite's lower()), for search and title sort.
    title_folded       TEXT NOT NULL,
    description_folded TEXT,
    -- RFC 3339 text written by the API, always UTC with the same offset, so it sorts as it compares.
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- One index per sort key; each ends with id, the keyset tie-breaker.
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_title ON tasks (user_id, title_folded, id);
