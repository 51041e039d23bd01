-- How many tasks each person keeps, for the per-person cap (MAX_TASKS_PER_USER):
-- one row read per create, whatever the count, instead of stepping over up to
-- the cap's number of index entries (issue 24 measured 100,000 steps per create
-- near the cap, on the one writer every person's writes share). Kept by triggers,
-- so every writer keeps it right: the API, a purge, a bulk load in plain SQL.
CREATE TABLE task_counts (
    user_id TEXT    PRIMARY KEY,
    tasks   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO task_counts (user_id, tasks) SELECT user_id, COUNT(*) FROM tasks GROUP BY user_id;

CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks
BEGIN
    INSERT OR IGNORE INTO task_counts (user_id, tasks) VALUES (new.user_id, 0);
    UPDATE task_counts SET tasks = tasks + 1 WHERE user_id = new.user_id;
END;

CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks
BEGIN
    UPDATE task_counts SET tasks = tasks - 1 WHERE user_id = old.user_id;
END;
