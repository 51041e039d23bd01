//! Sessions and revocation (SPEC): the web app tells the API when sessions end,
//! as Security Event Tokens pushed to `POST /auth/events` (`events.rs`); the API
//! keeps them in its store (`store.rs`) and in memory here, so every request's
//! check costs no round trip, and tokens stay self-contained.

pub mod events;
pub mod store;

use std::collections::{HashMap, HashSet};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use crate::db::Db;

/// What one security event ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// One session of a user (OpenID back-channel logout with `sid`).
    Session { user_id: String, session_id: String },
    /// Every session of a user that began at or before `issued_before` (seconds):
    /// back-channel logout without `sid`.
    Sessions { user_id: String, issued_before: u64 },
    /// The account is gone: everything kept for it is deleted and every token of
    /// its user refused, also one issued later (RISC account-purged).
    Account { user_id: String, issued_before: u64 },
}

impl Ending {
    pub fn user_id(&self) -> &str {
        match self {
            Self::Session { user_id, .. } | Self::Sessions { user_id, .. } | Self::Account { user_id, .. } => user_id,
        }
    }
}

/// What a revocation can match in a verified token (its `sub`, `iat` and `sid`): the
/// verifier hands these over, so this module does not depend on the verifier's types.
#[derive(Debug, Clone, Copy)]
pub struct TokenOf<'a> {
    pub user_id: &'a str,
    pub issued_at: Option<u64>,
    pub session_id: Option<&'a str>,
}

/// The revocations in force, as the store holds them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// Sessions ended, by user.
    pub sessions: HashMap<String, HashSet<String>>,
    /// Users whose tokens issued (`iat`) at or before the instant are refused.
    pub users: HashMap<String, u64>,
    /// Users whose accounts were purged: every token of theirs is refused, also
    /// one issued after the event.
    pub purged: HashSet<String>,
}

impl Revoked {
    fn refuses(&self, token: TokenOf<'_>) -> bool {
        let before_cutoff = || {
            let cutoff = self.users.get(token.user_id)?;
            Some(token.issued_at.unwrap_or(0) <= *cutoff)
        };
        let session_ended = || Some(self.sessions.get(token.user_id)?.contains(token.session_id?));
        self.purged.contains(token.user_id) || before_cutoff() == Some(true) || session_ended() == Some(true)
    }

    fn count(&self) -> usize {
        self.sessions.values().map(HashSet::len).sum::<usize>() + self.users.len() + self.purged.len()
    }

    fn merge(&mut self, other: Revoked) {
        for (user_id, sessions) in other.sessions {
            self.sessions.entry(user_id).or_default().extend(sessions);
        }
        for (user_id, issued_before) in other.users {
            self.add(&Ending::Sessions { user_id, issued_before });
        }
        self.purged.extend(other.purged);
    }

    fn add(&mut self, ending: &Ending) {
        match ending {
            Ending::Session { user_id, session_id } => {
                self.sessions.entry(user_id.clone()).or_default().insert(session_id.clone());
            }
            Ending::Sessions { user_id, issued_before } => {
                let cutoff = self.users.entry(user_id.clone()).or_default();
                *cutoff = (*cutoff).max(*issued_before);
            }
            Ending::Account { user_id, .. } => {
                self.purged.insert(user_id.clone());
            }
        }
    }
}

/// The revocations every request is checked against: loaded from the store at
/// start, added to when this instance receives an event, and read again from the
/// store when another instance has received one (see [`keep_in_step`]).
#[derive(Debug, Default)]
pub struct Revocations {
    held: RwLock<Held>,
}

#[derive(Debug, Default)]
struct Held {
    revoked: Revoked,
    /// How many endings were added here, so a read of the store that began before
    /// one of them never replaces it.
    additions: u64,
    /// Where the next read of changes starts (`recorded_at`, milliseconds).
    changes_since: i64,
}

/// Where the held revocations stood when a read of the store began.
#[derive(Debug, Clone, Copy)]
pub struct Mark(u64);

impl Revocations {
    /// Whether a verified token must still be refused: its session ended, or its
    /// user's tokens from before some instant are refused.
    pub fn refuses(&self, token: TokenOf<'_>) -> bool {
        self.held().revoked.refuses(token)
    }

    /// Adds an ending this instance has recorded in the store.
    pub fn add(&self, ending: &Ending) {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        held.revoked.add(ending);
        held.additions += 1;
        metrics::gauge!("revocations_held").set(held.revoked.count() as f64);
    }

    /// Take before reading the store, for [`Revocations::replace`].
    pub fn mark(&self) -> Mark {
        Mark(self.held().additions)
    }

    /// Replaces what is held by what the store held (expired revocations gone,
    /// those another instance recorded in), read after `mark`. An ending added
    /// here meanwhile may be missing from that read: then it is merged instead,
    /// and the expired ones go at the next read.
    pub fn replace(&self, revoked: Revoked, mark: Mark) {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        if held.additions == mark.0 {
            held.revoked = revoked;
        } else {
            held.revoked.merge(revoked);
        }
        metrics::gauge!("revocations_held").set(held.revoked.count() as f64);
    }

    /// Adds what changed in the store since the last read (read after `since`).
    pub fn merge_changes(&self, changes: Revoked, next_since: i64) {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        held.revoked.merge(changes);
        held.changes_since = held.changes_since.max(next_since);
        // A whole read that began before these changes committed must not replace them.
        held.additions += 1;
        metrics::gauge!("revocations_held").set(held.revoked.count() as f64);
    }

    /// This instance replaced a user's session revocations by one refusing every
    /// token of theirs issued at or before `cutoff`: hold that instead of them.
    pub fn replace_sessions(&self, user_id: &str, cutoff: u64) {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        held.revoked.add(&Ending::Sessions { user_id: user_id.to_owned(), issued_before: cutoff });
        held.revoked.sessions.remove(user_id);
        held.additions += 1;
        metrics::gauge!("revocations_held").set(held.revoked.count() as f64);
    }

    fn changes_since(&self) -> i64 {
        self.held().changes_since
    }

    fn read_changes_from(&self, since: i64) {
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        held.changes_since = held.changes_since.max(since);
    }

    /// How many sessions and users are revoked.
    pub fn count(&self) -> usize {
        self.held().revoked.count()
    }

    fn held(&self) -> std::sync::RwLockReadGuard<'_, Held> {
        self.held.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How far before the start of the last read the next read of changes reaches
/// back: longer than any transaction that records one, plus the clocks' drift
/// between instances. Rows in it are read twice, which changes nothing.
const CHANGES_MARGIN_MILLIS: i64 = 60_000;

/// Reads every revocation from the store into `revocations` (at start, after a
/// lost notification channel, and every [`FULL_RELOAD_INTERVAL`] to let the
/// expired ones go).
pub async fn reload(db: &Db, revocations: &Revocations) -> Result<(), crate::db::StoreError> {
    let mark = revocations.mark();
    let started = store::clock_millis(db).await?;
    revocations.replace(store::load(db).await?, mark);
    revocations.read_changes_from(started - CHANGES_MARGIN_MILLIS);
    Ok(())
}

/// Reads only the revocations recorded since the last read (with a margin).
pub async fn catch_up(db: &Db, revocations: &Revocations) -> Result<(), crate::db::StoreError> {
    let since = revocations.changes_since();
    let started = store::clock_millis(db).await?;
    let changes = store::load_since(db, since).await?;
    revocations.merge_changes(changes, started - CHANGES_MARGIN_MILLIS);
    Ok(())
}

/// How often the revocations are read again from the store, whatever else
/// happens: only what changed, which heals a missed notification.
const RESYNC_INTERVAL: Duration = Duration::from_secs(10);
/// How often they are read whole, so expired ones leave memory too.
const FULL_RELOAD_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// Keeps `revocations` in step with the store until the store is closed: on
/// PostgreSQL every instance hears of a new revocation at once (LISTEN/NOTIFY)
/// and reads what changed; on either store, every [`RESYNC_INTERVAL`] the
/// changes are read again and the expired rows deleted, and every
/// [`FULL_RELOAD_INTERVAL`] the whole table is read.
pub fn keep_in_step(db: Db, revocations: std::sync::Weak<Revocations>) {
    if let Db::Postgres(pool) = &db {
        tokio::spawn(store::listen(pool.clone(), revocations.clone()));
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RESYNC_INTERVAL);
        tick.tick().await; // the first tick is at once: the caller has just loaded them
        let mut last_full = tokio::time::Instant::now();
        loop {
            tick.tick().await;
            let Some(revocations) = revocations.upgrade() else { break };
            if let Err(err) = store::forget_expired(&db).await {
                tracing::warn!(error = %err, "could not delete expired revocations");
            }
            let full = last_full.elapsed() >= FULL_RELOAD_INTERVAL;
            let read = if full { reload(&db, &revocations).await } else { catch_up(&db, &revocations).await };
            match read {
                Ok(()) if full => last_full = tokio::time::Instant::now(),
                Ok(()) => {}
                Err(err) => tracing::warn!(error = %err, "could not read revocations; keeping those held"),
            }
        }
    });
}
