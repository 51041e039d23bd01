-- Views (SPEC "Organizing tasks"): an all-day task counts by its calendar date in
-- its own time zone. The API computes that date with the same time zone database
-- it computes everything else with (PostgreSQL's own may differ) and writes it
-- beside `due_at`, as YYYYMMDD (integers order as dates do); NULL for timed and
-- undated tasks. Rows written before this migration get it from the API's
-- start-up pass (`store/upgrade.rs`), at every start.
ALTER TABLE tasks ADD COLUMN due_date INTEGER;

-- The start-up pass looks for all-day tasks without their date at every start:
-- through this index (empty but for such rows) that costs a probe, not a read of
-- every task.
CREATE INDEX tasks_all_day_undated ON tasks (id) WHERE all_day AND due_at IS NOT NULL AND due_date IS NULL;
