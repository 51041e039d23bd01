-- How many tasks each person keeps, for the per-person cap (MAX_TASKS_PER_USER):
-- one row read per create, whatever the count, instead of stepping over up to
-- the cap's number of index entries. Kept by a trigger, so every writer keeps it
-- right: the API, a purge, a bulk load in plain SQL.
CREATE TABLE task_counts (
    user_id TEXT   PRIMARY KEY,
    tasks   BIGINT NOT NULL
);

INSERT INTO task_counts (user_id, tasks) SELECT user_id, COUNT(*) FROM tasks GROUP BY user_id;

CREATE FUNCTION task_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO task_counts (user_id, tasks) VALUES (NEW.user_id, 1)
            ON CONFLICT (user_id) DO UPDATE SET tasks = task_counts.tasks + 1;
    ELSE
        UPDATE task_counts SET tasks = tasks - 1 WHERE user_id = OLD.user_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER task_counts_follow AFTER INSERT OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION task_counts_follow();
