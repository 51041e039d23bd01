-- Data upgrades the API runs itself (in Rust) after the schema migrations, such
-- as re-folding every task's text when the folding rules change; one row each
-- once done, so each runs once.
CREATE TABLE api_upgrades (
    name       TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
);
