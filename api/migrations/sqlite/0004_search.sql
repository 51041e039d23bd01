-- Search (`q`) through an index made for substring search: FTS5's trigram
-- tokenizer over the folded text, which the API has already folded (so
-- case_sensitive 1: the tokenizer must not fold it again). Contentless: the
-- text lives in `tasks`; the index holds only trigrams and rowids (= task ids).
-- A contentless table forgets a row when told the values it was given (FTS5's
-- 'delete' command); the triggers below have them. (`contentless_delete = 1`
-- would need SQLite 3.43; this works from 3.34, as the tools that open the
-- file beside the API do, such as Debian's sqlite3 and Python's.)
--
-- The index is one for all users, but a search must cost what the searching
-- user's tasks cost, not what everyone's do: each row also carries its owner
-- as one trigram (three characters, one per user, see `search_owners`), and a
-- search asks for that trigram AND the text, which FTS5 answers by stepping
-- through the two lists together.
CREATE VIRTUAL TABLE tasks_search USING fts5 (
    owner, title, description,
    content = '',
    tokenize = 'trigram case_sensitive 1'
);

-- A number per user, written as three characters from the CJK Unified
-- Ideographs block (16,384 of them per place: 4.4 trillion users before two
-- share a key; and a search still checks `user_id` on every row it returns).
CREATE TABLE search_owners (
    id      INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    key     TEXT NOT NULL GENERATED ALWAYS AS (
        char(19968 + id % 16384, 19968 + (id / 16384) % 16384, 19968 + (id / 268435456) % 16384)
    ) STORED
);

-- Every task that exists now.
INSERT INTO search_owners (user_id) SELECT DISTINCT user_id FROM tasks ORDER BY user_id;
INSERT INTO tasks_search (rowid, owner, title, description)
    SELECT t.id, o.key, t.title_folded, t.description_folded
    FROM tasks t JOIN search_owners o ON o.user_id = t.user_id;

-- And from now on, whatever writes a task (the API, an upgrade, a hand edit).
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
    INSERT OR IGNORE INTO search_owners (user_id) VALUES (new.user_id);
    INSERT INTO tasks_search (rowid, owner, title, description)
        SELECT new.id, key, new.title_folded, new.description_folded FROM search_owners WHERE user_id = new.user_id;
END;

-- The values a row was indexed with, to take it out again.
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title_folded, description_folded ON tasks
WHEN old.title_folded IS NOT new.title_folded OR old.description_folded IS NOT new.description_folded BEGIN
    INSERT INTO tasks_search (tasks_search, rowid, owner, title, description)
        SELECT 'delete', old.id, key, old.title_folded, old.description_folded FROM search_owners WHERE user_id = old.user_id;
    INSERT INTO tasks_search (rowid, owner, title, description)
        SELECT new.id, key, new.title_folded, new.description_folded FROM search_owners WHERE user_id = new.user_id;
END;

CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_search (tasks_search, rowid, owner, title, description)
        SELECT 'delete', old.id, key, old.title_folded, old.description_folded FROM search_owners WHERE user_id = old.user_id;
END;
