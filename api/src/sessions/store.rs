//! Revocations and the security events already received, in the API's store
//! (migrations `0005_revocations.sql`, `0007_purged_users.sql`). Each event is
//! one transaction: its `jti` recorded, what it ends recorded, and for a purged
//! account everything kept for it deleted; a replayed `jti` changes nothing.
//!
//! One account can cause only so many rows: past [`MAX_REVOKED_SESSIONS_PER_USER`]
//! session revocations, its rows are replaced, in the same transaction, by one
//! user-wide revocation covering every token issued up to then (none dropped).
//! Instances read what changed since their last read ([`load_since`]), not the
//! whole table.

use std::sync::Weak;
use std::time::Duration;

use rusqlite::params;
use sqlx::postgres::{PgListener, PgPool};

use super::{Ending, Revocations, Revoked};
use crate::db::{Db, StoreError};

/// The PostgreSQL channel a recorded revocation is announced on.
const CHANNEL: &str = "todo_revocations";

/// Session revocations one user may hold; the next turns them into one
/// user-wide revocation (its live sessions then fetch fresh tokens once).
pub const MAX_REVOKED_SESSIONS_PER_USER: i64 = 100;

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded; `Some(cutoff)` when the user's session revocations were replaced
    /// by one refusing every token of theirs issued at or before `cutoff`.
    Applied(Option<u64>),
    /// Its `jti` was received before: nothing was changed.
    Replayed,
}

/// One received event: its id, how long that id must be remembered (its `exp`),
/// when it was issued, what it ends and until when that must be remembered
/// (seconds since 1970).
#[derive(Debug, Clone)]
pub struct Received {
    pub jti: String,
    pub jti_expires_at: u64,
    pub issued_at: u64,
    pub ending: Ending,
    pub ending_expires_at: u64,
}

impl Received {
    /// The cutoff of a user-wide revocation replacing this user's session
    /// revocations: every token of the sessions ended so far was issued before
    /// this event (signed after its session ended) or before now.
    fn replacement_cutoff(&self) -> u64 {
        self.issued_at.max(now_secs())
    }
}

pub async fn record(db: &Db, event: Received) -> Result<Recorded, StoreError> {
    match db {
        Db::Sqlite(store) => store.write(move |c| record_sqlite(c, &event)).await,
        Db::Postgres(pool) => record_postgres(pool, &event).await,
    }
}

fn record_sqlite(c: &rusqlite::Connection, event: &Received) -> rusqlite::Result<Recorded> {
    let fresh = c
        .prepare_cached("INSERT INTO seen_events (jti, expires_at) VALUES (?1, ?2) ON CONFLICT (jti) DO NOTHING")?
        .execute(params![event.jti, secs(event.jti_expires_at)])?;
    if fresh == 0 {
        return Ok(Recorded::Replayed);
    }
    let expires_at = secs(event.ending_expires_at);
    let now = now_millis();
    let upsert_user = |user_id: &str, issued_before: i64, expires_at: i64| {
        c.prepare_cached(
            "INSERT INTO revoked_users (user_id, issued_before, expires_at, recorded_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (user_id) DO UPDATE SET issued_before = MAX(issued_before, excluded.issued_before), \
             expires_at = MAX(expires_at, excluded.expires_at), recorded_at = excluded.recorded_at",
        )?
        .execute(params![user_id, issued_before, expires_at, now])
    };
    let mut replaced = None;
    match &event.ending {
        Ending::Session { user_id, session_id } => {
            c.prepare_cached(
                "INSERT INTO revoked_sessions (user_id, session_id, expires_at, recorded_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (user_id, session_id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at), \
                 recorded_at = excluded.recorded_at",
            )?
            .execute(params![user_id, session_id, expires_at, now])?;
            let (count, latest): (i64, i64) = c
                .prepare_cached(
                    "SELECT COUNT(*), COALESCE(MAX(expires_at), 0) FROM revoked_sessions WHERE user_id = ?1",
                )?
                .query_row([user_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            if count > MAX_REVOKED_SESSIONS_PER_USER {
                let cutoff = event.replacement_cutoff();
                upsert_user(user_id, secs(cutoff), latest)?;
                c.prepare_cached("DELETE FROM revoked_sessions WHERE user_id = ?1")?.execute([user_id])?;
                replaced = Some(cutoff);
            }
        }
        Ending::Account { user_id, issued_before } => {
            c.prepare_cached(
                "INSERT INTO purged_users (user_id, purged_at, recorded_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id) DO NOTHING",
            )?
            .execute(params![user_id, secs(*issued_before), now])?;
            // Tags go with their tasks (ON DELETE CASCADE), search rows by trigger;
            // the user's session revocations are covered by the row above.
            c.prepare_cached("DELETE FROM tasks WHERE user_id = ?1")?.execute([user_id])?;
            c.prepare_cached("DELETE FROM lists WHERE user_id = ?1")?.execute([user_id])?;
            c.prepare_cached("DELETE FROM revoked_sessions WHERE user_id = ?1")?.execute([user_id])?;
            c.prepare_cached("DELETE FROM revoked_users WHERE user_id = ?1")?.execute([user_id])?;
            c.prepare_cached("DELETE FROM task_counts WHERE user_id = ?1")?.execute([user_id])?;
            // The owner's key of the search index (SQLite only: migrations/sqlite/0004_search.sql).
            c.prepare_cached("DELETE FROM search_owners WHERE user_id = ?1")?.execute([user_id])?;
        }
        Ending::Sessions { user_id, issued_before } => {
            upsert_user(user_id, secs(*issued_before), expires_at)?;
        }
    }
    Ok(Recorded::Applied(replaced))
}

async fn record_postgres(pool: &PgPool, event: &Received) -> Result<Recorded, StoreError> {
    const UPSERT_USER: &str = "INSERT INTO revoked_users (user_id, issued_before, expires_at, recorded_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
         issued_before = GREATEST(revoked_users.issued_before, excluded.issued_before), \
         expires_at = GREATEST(revoked_users.expires_at, excluded.expires_at), recorded_at = excluded.recorded_at";
    let mut tx = pool.begin().await?;
    let fresh = sqlx::query("INSERT INTO seen_events (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING")
        .bind(&event.jti)
        .bind(secs(event.jti_expires_at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if fresh == 0 {
        return Ok(Recorded::Replayed);
    }
    let expires_at = secs(event.ending_expires_at);
    // The database's clock, which every instance reads changes by (see `clock_millis`).
    let now: i64 = sqlx::query_scalar(DATABASE_MILLIS).fetch_one(&mut *tx).await?;
    let mut replaced = None;
    match &event.ending {
        Ending::Session { user_id, session_id } => {
            sqlx::query(
                "INSERT INTO revoked_sessions (user_id, session_id, expires_at, recorded_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, session_id) DO UPDATE SET \
                 expires_at = GREATEST(revoked_sessions.expires_at, excluded.expires_at), recorded_at = excluded.recorded_at",
            )
            .bind(user_id)
            .bind(session_id)
            .bind(expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // One user's events are counted one at a time, so two racing ones cannot both miss the cap.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(user_id).execute(&mut *tx).await?;
            let (count, latest): (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COALESCE(MAX(expires_at), 0)::BIGINT FROM revoked_sessions WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            if count > MAX_REVOKED_SESSIONS_PER_USER {
                let cutoff = event.replacement_cutoff();
                sqlx::query(UPSERT_USER)
                    .bind(user_id)
                    .bind(secs(cutoff))
                    .bind(latest)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM revoked_sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                replaced = Some(cutoff);
            }
        }
        Ending::Account { user_id, issued_before } => {
            sqlx::query(
                "INSERT INTO purged_users (user_id, purged_at, recorded_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(secs(*issued_before))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for statement in [
                "DELETE FROM tasks WHERE user_id = $1",
                "DELETE FROM lists WHERE user_id = $1",
                "DELETE FROM revoked_sessions WHERE user_id = $1",
                "DELETE FROM revoked_users WHERE user_id = $1",
                "DELETE FROM task_counts WHERE user_id = $1",
            ] {
                sqlx::query(statement).bind(user_id).execute(&mut *tx).await?;
            }
        }
        Ending::Sessions { user_id, issued_before } => {
            sqlx::query(UPSERT_USER)
                .bind(user_id)
                .bind(secs(*issued_before))
                .bind(expires_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    // Delivered to every listening instance when (and only if) this commits.
    sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Recorded::Applied(replaced))
}

/// Rows of `revoked_sessions` (user, session), of `revoked_users` (user, cutoff)
/// and of `purged_users` (user).
type RevokedRows = (Vec<(String, String)>, Vec<(String, i64)>, Vec<String>);

/// Every revocation the store holds (expired ones go at the next `forget_expired`).
pub async fn load(db: &Db) -> Result<Revoked, StoreError> {
    load_since(db, 0).await
}

/// The revocations recorded at or after `since_millis` (the recording instance's
/// clock, milliseconds since 1970): what changed since a read that began then.
pub async fn load_since(db: &Db, since_millis: i64) -> Result<Revoked, StoreError> {
    const SESSIONS: &str = "SELECT user_id, session_id FROM revoked_sessions WHERE recorded_at >= $1";
    const USERS: &str = "SELECT user_id, issued_before FROM revoked_users WHERE recorded_at >= $1";
    const PURGED: &str = "SELECT user_id FROM purged_users WHERE recorded_at >= $1";
    let (sessions, users, purged): RevokedRows = match db {
        Db::Sqlite(store) => {
            store
                .read(move |c| {
                    let mut sessions = c.prepare_cached(&SESSIONS.replace("$1", "?1"))?;
                    let sessions = sessions.query_map([since_millis], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    let sessions = sessions.collect::<rusqlite::Result<_>>()?;
                    let mut users = c.prepare_cached(&USERS.replace("$1", "?1"))?;
                    let users = users.query_map([since_millis], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    let users = users.collect::<rusqlite::Result<_>>()?;
                    let mut purged = c.prepare_cached(&PURGED.replace("$1", "?1"))?;
                    let purged =
                        purged.query_map([since_millis], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
                    Ok((sessions, users, purged))
                })
                .await?
        }
        Db::Postgres(pool) => (
            sqlx::query_as(SESSIONS).bind(since_millis).fetch_all(pool).await?,
            sqlx::query_as(USERS).bind(since_millis).fetch_all(pool).await?,
            sqlx::query_scalar(PURGED).bind(since_millis).fetch_all(pool).await?,
        ),
    };
    let mut revoked = Revoked::default();
    for (user_id, session_id) in sessions {
        revoked.sessions.entry(user_id).or_default().insert(session_id);
    }
    revoked.users = users.into_iter().map(|(user_id, cutoff)| (user_id, u64::try_from(cutoff).unwrap_or(0))).collect();
    revoked.purged = purged.into_iter().collect();
    Ok(revoked)
}

/// Deletes revocations and event ids whose tokens have all expired.
pub async fn forget_expired(db: &Db) -> Result<(), StoreError> {
    let now = chrono::Utc::now().timestamp();
    const TABLES: [&str; 3] = ["revoked_sessions", "revoked_users", "seen_events"];
    match db {
        Db::Sqlite(store) => {
            store
                .write(move |c| {
                    for table in TABLES {
                        c.prepare_cached(&format!("DELETE FROM {table} WHERE expires_at < ?1"))?.execute([now])?;
                    }
                    Ok(())
                })
                .await
        }
        Db::Postgres(pool) => {
            for table in TABLES {
                sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < $1")).bind(now).execute(pool).await?;
            }
            Ok(())
        }
    }
}

/// Reloads the revocations whenever another instance announces one, and after
/// the listening connection was lost (announcements may have been missed).
pub async fn listen(pool: PgPool, revocations: Weak<Revocations>) {
    let db = Db::Postgres(pool.clone());
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for revocations; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "cannot listen for revocations; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Announcements may have been missed while not listening: read everything
        // once, then only what changed at each announcement.
        let mut whole = true;
        loop {
            let Some(revocations) = revocations.upgrade() else { return };
            let read =
                if whole { super::reload(&db, &revocations).await } else { super::catch_up(&db, &revocations).await };
            match read {
                Ok(()) => whole = false,
                Err(err) => tracing::warn!(error = %err, "could not read revocations; keeping those held"),
            }
            drop(revocations);
            // `try_recv` reconnects by itself and says so with `None`: reload then too.
            match listener.try_recv().await {
                Ok(Some(_)) => {}
                Ok(None) => whole = true,
                Err(err) => {
                    tracing::warn!(error = %err, "lost the revocations channel; listening again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

fn secs(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn now_secs() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// Milliseconds since 1970, as `recorded_at` holds them.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// PostgreSQL's own clock in milliseconds since 1970.
const DATABASE_MILLIS: &str = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// The clock `recorded_at` is written by: on PostgreSQL the database's, so that
/// instances whose own clocks disagree still read every change written since a
/// moment (the margin covers transactions in flight, not skew); SQLite has one
/// process, whose clock it is.
pub async fn clock_millis(db: &Db) -> Result<i64, StoreError> {
    match db {
        Db::Sqlite(_) => Ok(now_millis()),
        Db::Postgres(pool) => Ok(sqlx::query_scalar(DATABASE_MILLIS).fetch_one(pool).await?),
    }
}
