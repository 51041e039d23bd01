CREATE TABLE tasks (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     TEXT        NOT NULL,
    title       TEXT        NOT NULL,
    description TEXT,
    completed   BOOLEAN     NOT NULL DEFAULT FALSE,
    -- Lower-cased by the API, the same way for both stores, for search and title sort.
    title_folded       TEXT NOT NULL,
    description_folded TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- One index per sort key; each ends with id, the keyset tie-breaker.
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_title ON tasks (user_id, title_folded, id);
