-- Search (`q`) through an index made for substring search: pg_trgm's GIN
-- operator class, which serves `LIKE '%…%'` on the folded text. pg_trgm ships
-- with PostgreSQL (contrib) and is a trusted extension: a database owner may
-- create it. Where it is installed already, in whichever schema, that one is used.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Like the indexes of 0002_organize.sql, this holds the table locked while it is
-- built; on a large table build it beforehand with CREATE INDEX CONCURRENTLY
-- under the same name.
DO $$
DECLARE
    trgm_schema text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                         WHERE e.extname = 'pg_trgm');
BEGIN
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS tasks_search ON tasks USING gin '
        '(title_folded %1$I.gin_trgm_ops, description_folded %1$I.gin_trgm_ops)',
        trgm_schema);
END
$$;
