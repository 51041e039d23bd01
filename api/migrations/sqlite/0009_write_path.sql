-- What every insert maintains (issue 24). The due-date sort, tasks without a due
-- date last in either order, is read from one plain index as two stretches (the
-- dated, then the undated: store/list_sql.rs `due_stretches`) instead of one index per
-- order over COALESCE(due_at, ±max): each insert wrote both. Every row stays.
CREATE INDEX tasks_user_due ON tasks (user_id, due_at, id);
DROP INDEX tasks_user_due_asc;
DROP INDEX tasks_user_due_desc;

