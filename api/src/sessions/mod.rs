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

    /// How many sessions and users are revoked.
    pub fn count(&self) -> usize {
        self.held().revoked.count()
    }

    fn held(&self) -> std::sync::RwLockReadGuard<'_, Held> {
        self.held.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Reads the revocations from the store into `revocations`.
pub async fn reload(db: &Db, revocations: &Revocations) -> Result<(), crate::db::StoreError> {
    let mark = revocations.mark();
    revocations.replace(store::load(db).await?, mark);
    Ok(())
}

/// How often the revocations are read again from the store, whatever else
/// happens: it drops expired ones, and heals a missed notification.
const RESYNC_INTERVAL: Duration = Duration::from_secs(10);

/// Keeps `revocations` in step with the store until the store is closed: on
/// PostgreSQL every instance hears of a new revocation at once (LISTEN/NOTIFY);
/// on either store, every [`RESYNC_INTERVAL`] they are read again and the
/// expired ones deleted.
pub fn keep_in_step(db: Db, revocations: std::sync::Weak<Revocations>) {
    if let Db::Postgres(pool) = &db {
        tokio::spawn(store::listen(pool.clone(), revocations.clone()));
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RESYNC_INTERVAL);
        tick.tick().await; // the first tick is at once: the caller has just loaded them
        loop {
            tick.tick().await;
            let Some(revocations) = revocations.upgrade() else { break };
            if let Err(err) = store::forget_expired(&db).await {
                tracing::warn!(error = %err, "could not delete expired revocations");
            }
            if let Err(err) = reload(&db, &revocations).await {
                tracing::warn!(error = %err, "could not read revocations; keeping those held");
            }
        }
    });
}
