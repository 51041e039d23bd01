-- Accounts purged (SPEC "Sessions and revocation"): every token of such a user is
-- refused, also one issued after the event, so this one small row per deleted
-- account is kept for good (unlike revoked_users, which expire with the tokens).
CREATE TABLE purged_users (
    user_id     TEXT    PRIMARY KEY,
    purged_at   INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
) WITHOUT ROWID;

-- When each revocation was recorded (milliseconds since 1970, the recording
-- instance's clock): instances read what changed since their last read, with a
-- margin, instead of the whole table every few seconds.
ALTER TABLE revoked_sessions ADD COLUMN recorded_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revoked_users ADD COLUMN recorded_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX revoked_sessions_recorded_at ON revoked_sessions (recorded_at);
CREATE INDEX revoked_users_recorded_at ON revoked_users (recorded_at);
