//! Brings stored tasks to today's rules at start, once each (after the schema
//! migrations): each upgrade is recorded by name in `api_upgrades` when done.

use chrono::{DateTime, Utc};
use todo_domain::view::date_number;
use todo_domain::{fold, Description, Title, Zone};

use super::{postgres, sqlite};
use crate::db::{Db, StoreError};
use crate::tasks::instant::to_timestamp;

/// One task's text as stored, for the text upgrade.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(super) struct StoredText {
    pub id: i64,
    pub title: String,
    pub title_folded: String,
    pub description: Option<String>,
    pub description_folded: Option<String>,
}

/// How many tasks an upgrade changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpgradeReport {
    /// Text that broke today's rules (control characters, bidirectional overrides,
    /// nothing visible), repaired.
    pub repaired: u64,
    /// Text that only needed its folded form computed again.
    pub refolded: u64,
    /// SQLite rows whose `created_at`/`updated_at` text was in another form than
    /// the one the API writes (`Z`, another offset, SQLite's `datetime()`), rewritten.
    pub restamped: u64,
    /// All-day tasks written before the views, given their calendar date.
    pub dated: u64,
}

/// An all-day task as the all-day-dates upgrade reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct AllDayDue {
    pub id: i64,
    pub due_at: DateTime<Utc>,
    pub time_zone: String,
}

impl AllDayDue {
    pub fn date(&self) -> i32 {
        all_day_date(self.id, self.due_at, &self.time_zone)
    }
}

/// The names the upgrades in [`upgrade_stored_tasks`] are recorded under once done.
const TEXT_UPGRADE: &str = "text-rules-and-folding-1";
const TIME_FORM_UPGRADE: &str = "sqlite-time-text-form-1";
/// The title a task gets when nothing visible was left of its own.
const UNTITLED: &str = "Untitled";
/// Tasks read and rewritten per transaction by the text upgrade.
const UPGRADE_BATCH: i64 = 500;

impl StoredText {
    /// The same text under today's rules; whether anything but the folded forms changed.
    fn upgraded(&self) -> (Self, bool) {
        let title = Title::repair(&self.title).map_or_else(|| UNTITLED.to_owned(), |t| t.as_str().to_owned());
        let description = self.description.as_deref().map(|d| Description::repair(d).as_str().to_owned());
        let repaired = title != self.title || description != self.description;
        let upgraded = Self {
            id: self.id,
            title_folded: fold(&title),
            description_folded: description.as_deref().map(fold),
            title,
            description,
        };
        (upgraded, repaired)
    }
}

/// Brings every stored task to today's rules, once each, at start (after the
/// schema migrations):
/// - Text: older rows may hold control characters or bidirectional overrides
///   that titles may no longer carry, and folded forms computed by older,
///   simpler folding (lower-casing only). In batches of one transaction each.
/// - SQLite times: keyset pages compare `created_at`/`updated_at` as text, which
///   orders times only when every row has the form the API writes (`+00:00`); a
///   row edited by hand (`Z`, SQLite's `datetime()`) would be skipped or repeated.
///
/// `updated_at` keeps its instant: the person changed nothing.
pub async fn upgrade_stored_tasks(db: &Db) -> Result<UpgradeReport, StoreError> {
    let mut report = UpgradeReport::default();
    // At every start: changes to tasks that a hand edit (the sqlite3 shell) made
    // while the API was stopped wait in the search queue; index them before the
    // first search (migrations/sqlite/0011_search_queue.sql).
    if let Db::Sqlite(store) = db {
        store.write(sqlite::flush_search_queue).await?;
    }
    if !upgrade_applied(db, TEXT_UPGRADE).await? {
        let mut after = 0;
        loop {
            let batch = match db {
                Db::Sqlite(store) => store.write(move |c| sqlite::upgrade_text_batch(c, after, UPGRADE_BATCH)).await?,
                Db::Postgres(pool) => postgres::upgrade_text_batch(pool, after, UPGRADE_BATCH).await?,
            };
            report.repaired += batch.report.repaired;
            report.refolded += batch.report.refolded;
            match batch.last_id {
                Some(last) => after = last,
                None => break,
            }
        }
        mark_upgrade_applied(db, TEXT_UPGRADE).await?;
    }
    // At every start, not once: an all-day task written without its date (by a
    // release before the views, still running beside this one during a rolling
    // deploy, or a bulk load) would otherwise stay out of every view. One read of
    // the table when there is nothing to do.
    loop {
        let dated = match db {
            Db::Sqlite(store) => store.write(|c| sqlite::date_all_day_batch(c, UPGRADE_BATCH)).await?,
            Db::Postgres(pool) => postgres::date_all_day_batch(pool, UPGRADE_BATCH).await?,
        };
        report.dated += dated;
        if dated == 0 {
            break;
        }
    }
    // PostgreSQL keeps times as timestamptz: nothing to rewrite there.
    if let Db::Sqlite(store) = db {
        if !upgrade_applied(db, TIME_FORM_UPGRADE).await? {
            report.restamped = store.write(sqlite::restamp_times).await?;
            mark_upgrade_applied(db, TIME_FORM_UPGRADE).await?;
        }
    }
    Ok(report)
}

async fn upgrade_applied(db: &Db, name: &'static str) -> Result<bool, StoreError> {
    Ok(match db {
        Db::Sqlite(store) => store.read(move |c| sqlite::upgrade_applied(c, name)).await?,
        Db::Postgres(pool) => postgres::upgrade_applied(pool, name).await?,
    })
}

async fn mark_upgrade_applied(db: &Db, name: &'static str) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(store) => store.write(move |c| sqlite::mark_upgrade_applied(c, name)).await?,
        Db::Postgres(pool) => postgres::mark_upgrade_applied(pool, name).await?,
    }
    Ok(())
}

/// One batch of the text upgrade: what it changed, and the last id it read (none at the end).
pub(super) struct UpgradeBatch {
    pub report: UpgradeReport,
    pub last_id: Option<i64>,
}

/// Upgrades `rows` (read in one transaction) and returns those that changed.
pub(super) fn upgrade_rows(rows: Vec<StoredText>, report: &mut UpgradeReport) -> Vec<StoredText> {
    let mut changed = Vec::new();
    for row in rows {
        let (upgraded, repaired) = row.upgraded();
        if repaired {
            report.repaired += 1;
        } else if upgraded != row {
            report.refolded += 1;
        }
        if upgraded != row {
            changed.push(upgraded);
        }
    }
    changed
}

/// The calendar date of an all-day task due at `due` in the zone named `time_zone`,
/// as `YYYYMMDD`.
fn all_day_date(id: i64, due: DateTime<Utc>, time_zone: &str) -> i32 {
    let zone = Zone::parse(time_zone).unwrap_or_else(|_| {
        // Only the API writes zones, each parsed first: this row was edited by hand.
        tracing::error!(task = id, "stored time zone is not an IANA name; its all-day date is taken in UTC");
        Zone::utc()
    });
    let due = to_timestamp(due).unwrap_or(todo_domain::jiff::Timestamp::UNIX_EPOCH);
    date_number(todo_domain::view::calendar_date(due, zone.tz()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_text_is_repaired_or_only_refolded() {
        let stored = |title: &str, folded: &str| StoredText {
            id: 1,
            title: title.into(),
            title_folded: folded.into(),
            description: None,
            description_folded: None,
        };
        let (hostile, repaired) = stored("\u{1b}[2Jboo", "\u{1b}[2jboo").upgraded();
        assert!(repaired);
        assert_eq!((hostile.title.as_str(), hostile.title_folded.as_str()), ("[2Jboo", "[2jboo"));
        let (empty, repaired) = stored("\u{200B}", "\u{200B}").upgraded();
        assert!(repaired);
        assert_eq!(empty.title, UNTITLED);
        let (street, repaired) = stored("Straße", "straße").upgraded();
        assert!(!repaired);
        assert_eq!(street.title_folded, "strasse");
        let fine = stored("Milk", "milk");
        assert_eq!(fine.upgraded(), (fine.clone(), false));
    }
}
