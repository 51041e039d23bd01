-- Views (SPEC "Organizing tasks"): an all-day task counts by its calendar date in
-- its own time zone, which SQL cannot compute from `due_at` here. The API writes
-- that date beside it, as YYYYMMDD (integers order as dates do); NULL for timed
-- and undated tasks. Rows written before this migration get it from the API's
-- start-up pass (`store/upgrade.rs`), at every start.
ALTER TABLE tasks ADD COLUMN due_date INTEGER;

-- The start-up pass looks for all-day tasks without their date at every start:
-- through this index (empty but for such rows) that costs a probe, not a read of
-- every task.
CREATE INDEX tasks_all_day_undated ON tasks (id) WHERE all_day AND due_at IS NOT NULL AND due_date IS NULL;
