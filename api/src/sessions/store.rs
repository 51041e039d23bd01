//! Revocations and the security events already received, in the API's store
//! (migrations `0005_revocations.sql`). Each event is one transaction: its `jti`
//! recorded, what it ends recorded, and for a purged account its tasks deleted;
//! a replayed `jti` changes nothing.

use std::sync::Weak;
use std::time::Duration;

use rusqlite::params;
use sqlx::postgres::{PgListener, PgPool};

use super::{Ending, Revocations, Revoked};
use crate::db::{Db, StoreError};

/// The PostgreSQL channel a recorded revocation is announced on.
const CHANNEL: &str = "todo_revocations";

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Applied,
    /// Its `jti` was received before: nothing was changed.
    Replayed,
}

/// One received event: its id, how long that id must be remembered (its `exp`),
/// what it ends and until when that must be remembered (seconds since 1970).
#[derive(Debug, Clone)]
pub struct Received {
    pub jti: String,
    pub jti_expires_at: u64,
    pub ending: Ending,
    pub ending_expires_at: u64,
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
    match &event.ending {
        Ending::Session { user_id, session_id } => {
            c.prepare_cached(
                "INSERT INTO revoked_sessions (user_id, session_id, expires_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, session_id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)",
            )?
            .execute(params![user_id, session_id, expires_at])?;
        }
        Ending::Account { user_id, issued_before } => {
            c.prepare_cached(
                "INSERT INTO purged_users (user_id, purged_at) VALUES (?1, ?2) ON CONFLICT (user_id) DO NOTHING",
            )?
            .execute(params![user_id, secs(*issued_before)])?;
            // Tags go with their tasks (ON DELETE CASCADE), search rows by trigger;
            // the user's session revocations are covered by the row above.
            c.prepare_cached("DELETE FROM tasks WHERE user_id = ?1")?.execute([user_id])?;
            c.prepare_cached("DELETE FROM revoked_sessions WHERE user_id = ?1")?.execute([user_id])?;
            c.prepare_cached("DELETE FROM revoked_users WHERE user_id = ?1")?.execute([user_id])?;
        }
        Ending::Sessions { user_id, issued_before } => {
            c.prepare_cached(
                "INSERT INTO revoked_users (user_id, issued_before, expires_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id) DO UPDATE SET issued_before = MAX(issued_before, excluded.issued_before), \
                 expires_at = MAX(expires_at, excluded.expires_at)",
            )?
            .execute(params![user_id, secs(*issued_before), expires_at])?;
        }
    }
    Ok(Recorded::Applied)
}

async fn record_postgres(pool: &PgPool, event: &Received) -> Result<Recorded, StoreError> {
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
    match &event.ending {
        Ending::Session { user_id, session_id } => {
            sqlx::query(
                "INSERT INTO revoked_sessions (user_id, session_id, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, session_id) DO UPDATE SET expires_at = GREATEST(revoked_sessions.expires_at, excluded.expires_at)",
            )
            .bind(user_id)
            .bind(session_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        }
        Ending::Account { user_id, issued_before } => {
            sqlx::query(
                "INSERT INTO purged_users (user_id, purged_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(secs(*issued_before))
            .execute(&mut *tx)
            .await?;
            for statement in [
                "DELETE FROM tasks WHERE user_id = $1",
                "DELETE FROM revoked_sessions WHERE user_id = $1",
                "DELETE FROM revoked_users WHERE user_id = $1",
            ] {
                sqlx::query(statement).bind(user_id).execute(&mut *tx).await?;
            }
        }
        Ending::Sessions { user_id, issued_before } => {
            sqlx::query(
                "INSERT INTO revoked_users (user_id, issued_before, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET \
                 issued_before = GREATEST(revoked_users.issued_before, excluded.issued_before), \
                 expires_at = GREATEST(revoked_users.expires_at, excluded.expires_at)",
            )
            .bind(user_id)
            .bind(secs(*issued_before))
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        }
    }
    // Delivered to every listening instance when (and only if) this commits.
    sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Recorded::Applied)
}

/// Rows of `revoked_sessions` (user, session), of `revoked_users` (user, cutoff)
/// and of `purged_users` (user).
type RevokedRows = (Vec<(String, String)>, Vec<(String, i64)>, Vec<String>);

/// Every revocation the store holds (expired ones go at the next `forget_expired`).
pub async fn load(db: &Db) -> Result<Revoked, StoreError> {
    const SESSIONS: &str = "SELECT user_id, session_id FROM revoked_sessions";
    const USERS: &str = "SELECT user_id, issued_before FROM revoked_users";
    const PURGED: &str = "SELECT user_id FROM purged_users";
    let (sessions, users, purged): RevokedRows = match db {
        Db::Sqlite(store) => {
            store
                .read(|c| {
                    let mut sessions = c.prepare_cached(SESSIONS)?;
                    let mut users = c.prepare_cached(USERS)?;
                    let sessions = sessions.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    let sessions = sessions.collect::<rusqlite::Result<_>>()?;
                    let users = users.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    let users = users.collect::<rusqlite::Result<_>>()?;
                    let mut purged = c.prepare_cached(PURGED)?;
                    let purged = purged.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
                    Ok((sessions, users, purged))
                })
                .await?
        }
        Db::Postgres(pool) => (
            sqlx::query_as(SESSIONS).fetch_all(pool).await?,
            sqlx::query_as(USERS).fetch_all(pool).await?,
            sqlx::query_scalar(PURGED).fetch_all(pool).await?,
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
        loop {
            let Some(revocations) = revocations.upgrade() else { return };
            if let Err(err) = super::reload(&db, &revocations).await {
                tracing::warn!(error = %err, "could not read revocations; keeping those held");
            }
            drop(revocations);
            // `try_recv` reconnects by itself and says so with `None`: reload then too.
            match listener.try_recv().await {
                Ok(_) => {}
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
