-- Organizing tasks: priority, tags, due dates in a time zone, recurrence, reminders.
-- Every existing task keeps its rows and gets the defaults.
ALTER TABLE tasks
    ADD COLUMN priority   SMALLINT NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3), -- none, low, medium, high
    -- The task's tags as the person spelled them, sorted: what a read returns.
    ADD COLUMN tags       TEXT[]   NOT NULL DEFAULT '{}',
    ADD COLUMN due_at     TIMESTAMPTZ,
    ADD COLUMN all_day    BOOLEAN  NOT NULL DEFAULT FALSE,
    ADD COLUMN time_zone  TEXT     NOT NULL DEFAULT 'UTC',
    ADD COLUMN recurrence TEXT,
    ADD COLUMN remind_at  TIMESTAMPTZ,
    -- The occurrence that completing this recurring task created.
    ADD COLUMN next_occurrence_id BIGINT REFERENCES tasks (id) ON DELETE SET NULL;

-- The same tags, one row each, for filters (`tag=`) and per-user counts (`/tags`).
CREATE TABLE task_tags (
    task_id    BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    TEXT   NOT NULL,
    tag_folded TEXT   NOT NULL,
    tag        TEXT   NOT NULL,
    PRIMARY KEY (task_id, tag_folded)
);
CREATE INDEX task_tags_user_tag ON task_tags (user_id, tag_folded, tag);

-- These hold the tasks table locked while they are built (the whole migration is
-- one transaction). On a large table, build them beforehand with
-- CREATE INDEX CONCURRENTLY, by hand, under the same names: IF NOT EXISTS then
-- skips them here. (A migration cannot do that itself: PostgreSQL builds such an
-- index only outside a transaction, and it would wait on every other instance's
-- migrator, which waits on this one's lock.)
-- Sorting by due date puts tasks without one last in both orders: one index per order.
CREATE INDEX IF NOT EXISTS tasks_user_due_asc ON tasks (user_id, COALESCE(due_at, 'infinity'::timestamptz), id);
CREATE INDEX IF NOT EXISTS tasks_user_due_desc ON tasks (user_id, COALESCE(due_at, '-infinity'::timestamptz), id);
CREATE INDEX IF NOT EXISTS tasks_user_priority ON tasks (user_id, priority, id);
-- Deleting an occurrence finds the task that links to it.
CREATE INDEX IF NOT EXISTS tasks_next_occurrence ON tasks (next_occurrence_id) WHERE next_occurrence_id IS NOT NULL;
