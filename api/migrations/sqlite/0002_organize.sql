-- Organizing tasks: priority, tags, due dates in a time zone, recurrence, reminders.
-- Every existing task keeps its rows and gets the defaults.
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3); -- none, low, medium, high
-- The task's tags as the person spelled them, sorted, as a JSON array: what a read returns.
ALTER TABLE tasks ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- Instants as integer microseconds since 1970 (UTC): they compare as numbers,
-- whatever the precision a client sent.
ALTER TABLE tasks ADD COLUMN due_at INTEGER;
ALTER TABLE tasks ADD COLUMN all_day BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE tasks ADD COLUMN recurrence TEXT;
ALTER TABLE tasks ADD COLUMN remind_at INTEGER;
-- The occurrence that completing this recurring task created.
ALTER TABLE tasks ADD COLUMN next_occurrence_id INTEGER REFERENCES tasks (id) ON DELETE SET NULL;

-- The same tags, one row each, for filters (`tag=`) and per-user counts (`/tags`).
CREATE TABLE task_tags (
    task_id    INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    tag_folded TEXT    NOT NULL,
    tag        TEXT    NOT NULL,
    PRIMARY KEY (task_id, tag_folded)
) WITHOUT ROWID;
CREATE INDEX task_tags_user_tag ON task_tags (user_id, tag_folded, tag);

-- Sorting by due date puts tasks without one last in both orders: one index per order.
CREATE INDEX tasks_user_due_asc ON tasks (user_id, COALESCE(due_at, 9223372036854775807), id);
CREATE INDEX tasks_user_due_desc ON tasks (user_id, COALESCE(due_at, -9223372036854775807), id);
CREATE INDEX tasks_user_priority ON tasks (user_id, priority, id);
-- Foreign keys look up the tasks that link to a deleted occurrence. Partial: with
-- every other row NULL, ANALYZE would otherwise judge a full index useless, and
-- each delete would scan the table for links.
CREATE INDEX tasks_next_occurrence ON tasks (next_occurrence_id) WHERE next_occurrence_id IS NOT NULL;
