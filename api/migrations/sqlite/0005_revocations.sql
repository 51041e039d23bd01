-- Sessions and revocation (SPEC): what the web app's security events ended, kept
-- until every token it covers has expired (`expires_at`, seconds since 1970),
-- so a restarted API forgets nothing.
CREATE TABLE revoked_sessions (
    user_id    TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, session_id)
) WITHOUT ROWID;

-- A user's tokens issued (`iat`) at or before `issued_before` are refused: every
-- session ended at once, or the account purged.
CREATE TABLE revoked_users (
    user_id       TEXT PRIMARY KEY,
    issued_before INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Security events received, by `jti`, until their `exp`: a replayed one is refused.
CREATE TABLE seen_events (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
