-- The search index (0004_search.sql) is kept up to date once per group commit
-- instead of once per write. FTS5 writes its pending changes out as a new
-- segment at every savepoint, and the writer (src/db/sqlite.rs) runs each write
-- in a savepoint of its batch: the index cost a segment (and its merges) per
-- write, about a third of a create's CPU and 19 of its 30 WAL pages
-- (bench/results/FINDINGS.md, 2026-12-08).
--
-- Now the triggers only queue what the index must learn, in order; the writer
-- feeds the whole queue into FTS5 in one statement before each commit, and
-- empties it (`tasks::store::sqlite::flush_search_queue`). Every commit the API
-- makes leaves the queue empty, so a search (always on a reader, after the
-- commit) sees every write answered before it. The API also flushes at start,
-- so a hand edit made while it was stopped is indexed then; one made while it
-- runs is indexed at its next write (README, "Editing the SQLite file by hand").
CREATE TABLE search_queue (
    seq         INTEGER PRIMARY KEY,   -- the order the changes were made in
    command     TEXT,                  -- NULL: index the row; 'delete': take it out
    task_id     INTEGER NOT NULL,      -- the index's rowid
    owner       TEXT NOT NULL,         -- search_owners.key
    title       TEXT,
    description TEXT
);

-- A contentless FTS5 table forgets a row only when given the exact values it
-- was indexed with: the queue keeps the old values of a change, taken when it
-- happened, and the flush applies 'delete's and inserts in `seq` order (a task
-- created, edited and deleted within one batch ends up out of the index).
DROP TRIGGER tasks_search_insert;
DROP TRIGGER tasks_search_update;
DROP TRIGGER tasks_search_delete;

CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
    INSERT OR IGNORE INTO search_owners (user_id) VALUES (new.user_id);
    INSERT INTO search_queue (command, task_id, owner, title, description)
        SELECT NULL, new.id, key, new.title_folded, new.description_folded FROM search_owners WHERE user_id = new.user_id;
END;

CREATE TRIGGER tasks_search_update AFTER UPDATE OF title_folded, description_folded ON tasks
WHEN old.title_folded IS NOT new.title_folded OR old.description_folded IS NOT new.description_folded BEGIN
    INSERT INTO search_queue (command, task_id, owner, title, description)
        SELECT 'delete', old.id, key, old.title_folded, old.description_folded FROM search_owners WHERE user_id = old.user_id;
    INSERT INTO search_queue (command, task_id, owner, title, description)
        SELECT NULL, new.id, key, new.title_folded, new.description_folded FROM search_owners WHERE user_id = new.user_id;
END;

CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO search_queue (command, task_id, owner, title, description)
        SELECT 'delete', old.id, key, old.title_folded, old.description_folded FROM search_owners WHERE user_id = old.user_id;
END;
