-- What every insert maintains (issue 24). The due-date sort, tasks without a due
-- date last in either order, is read from one plain index as two stretches (the
-- dated, then the undated: store/list_sql.rs `due_stretches`) instead of one index per
-- order over COALESCE(due_at, ±infinity): each insert wrote both. Every row stays.
-- Like the indexes of 0002_organize.sql, this holds the table locked while it is
-- built; on a large table build it beforehand with CREATE INDEX CONCURRENTLY under
-- the same name.
CREATE INDEX IF NOT EXISTS tasks_user_due ON tasks (user_id, due_at, id);
DROP INDEX IF EXISTS tasks_user_due_asc;
DROP INDEX IF EXISTS tasks_user_due_desc;

-- Search (`q`) through a GIN index that holds the owner beside the trigrams
-- (btree_gin: a trusted contrib extension like pg_trgm), so a search reads the
-- searching person's entries, not everyone's: text whose trigrams every task
-- holds ("task") read every person's posting lists through 0004's index. It
-- replaces that index: every search names its person. As in 0004, pg_trgm's
-- operator class is named in whichever schema holds it; btree_gin's text class
-- is the type's default for GIN, found wherever the extension is.
--
-- A GIN index takes new entries into a pending list, merged into the index once
-- it holds gin_pending_list_limit (4 MB by default), and every search reads that
-- whole list, everyone's recent writes: after 3,000 creates the big person's
-- search that matches nothing read 1,088 pages in 22 ms instead of 82 in 0.19 ms.
-- At 64 kB the list stays a few pages, and 3,000 inserts took no longer
-- (bench/results/FINDINGS.md, 2026-12-08).
CREATE EXTENSION IF NOT EXISTS btree_gin;
DO $$
DECLARE
    trgm_schema text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                         WHERE e.extname = 'pg_trgm');
BEGIN
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS tasks_search_owner ON tasks USING gin '
        '(user_id, title_folded %1$I.gin_trgm_ops, description_folded %1$I.gin_trgm_ops) '
        'WITH (gin_pending_list_limit = 64)',
        trgm_schema);
END
$$;
DROP INDEX IF EXISTS tasks_search;
