-- Accounts purged (SPEC "Sessions and revocation"): every token of such a user is
-- refused, also one issued after the event, so this one small row per deleted
-- account is kept for good (unlike revoked_users, which expire with the tokens).
CREATE TABLE purged_users (
    user_id   TEXT    PRIMARY KEY,
    purged_at INTEGER NOT NULL
) WITHOUT ROWID;
