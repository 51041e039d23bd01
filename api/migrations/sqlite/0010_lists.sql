-- Lists (SPEC "Lists"). Every task stays, in the Inbox (no list), in the order
-- the default list showed it: newest first.
CREATE TABLE lists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    -- The name folded by the API (NFKC, full case folding): unique per person.
    name_folded TEXT    NOT NULL,
    color       TEXT    NOT NULL DEFAULT 'none',
    -- A fractional key (hex text); SQLite compares text as bytes.
    position    TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE UNIQUE INDEX lists_user_name ON lists (user_id, name_folded);
CREATE UNIQUE INDEX lists_user_position ON lists (user_id, position);

-- No ON DELETE action: deleting a list moves or deletes its tasks first (the API, one transaction).
ALTER TABLE tasks ADD COLUMN list_id INTEGER REFERENCES lists (id);
ALTER TABLE tasks ADD COLUMN position TEXT NOT NULL DEFAULT '';

-- Distinct keys per person, newest first, with room before the first (0x40…).
UPDATE tasks SET position = ranked.position
FROM (
    SELECT id, printf('%08x80', 1073741824 + ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY id DESC)) AS position
    FROM tasks
) AS ranked
WHERE tasks.id = ranked.id;

-- Positions are distinct within a list (the Inbox is list 0); a move that races
-- another to the same key fails here and is tried again. Also the index of
-- `list=…&sort=position`.
CREATE UNIQUE INDEX tasks_user_list_position ON tasks (user_id, COALESCE(list_id, 0), position);
-- For the foreign key's check when a list is deleted (and nothing else: tasks
-- in no list are not in it, so the Inbox's writes do not maintain it).
CREATE INDEX tasks_list ON tasks (list_id) WHERE list_id IS NOT NULL;
