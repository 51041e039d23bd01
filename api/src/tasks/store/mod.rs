//! The task store: one function per operation, each one transaction, written
//! once per backend (`sqlite.rs` on the store's own threads, `postgres.rs`
//! through sqlx). Beside them: what a change decides (`edit.rs`, over
//! todo-domain's rules), the list statement (`list_sql.rs`) and the start-up
//! upgrades of stored rows (`upgrade.rs`); the backends only read and write rows.

mod edit;
mod list_sql;
mod postgres;
mod sqlite;
mod upgrade;

use edit::{plan, Edit, OccurrenceStep};
use list_sql::{cmp_and_dir, default_page, list_sql, After, Among, ListBinds, Page};
pub use sqlite::flush_search_queue;
use upgrade::{upgrade_rows, AllDayDue, StoredText, UpgradeBatch};
pub use upgrade::{upgrade_stored_tasks, UpgradeReport};
// What the lists store (`crate::lists::store`) reads and writes of tasks with.
pub(crate) use sqlite::{get as sqlite_get, stamp as sqlite_stamp, time_from_row as sqlite_time_from_row};

use chrono::{DateTime, SubsecRound, Utc};
use todo_domain::view::date_number;
use todo_domain::{fold, Completion, Description, Priority, Recurrence, Refusal, Schedule, Tags, Title, Zone};

use super::instant::{from_timestamp, in_stored_years, to_timestamp};
use super::list::{CursorKey, ListQuery, PageRow, SortKey};
use crate::db::{Db, StoreError};

/// A task as both stores keep it, its values parsed (PostgreSQL reads it by column
/// name, SQLite by position). A stored value that no longer parses (a row edited by
/// hand) is an error of the read, logged with the request, never silently replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: i64,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    /// Stored as its rank, 0 (none) to 3 (high).
    pub priority: Priority,
    /// Sorted and unique ignoring case, as [`Tags`] leaves them.
    pub tags: Vec<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    /// Stored as its IANA name.
    pub time_zone: Zone,
    /// Stored as its canonical RRULE text.
    pub recurrence: Option<Recurrence>,
    pub remind_at: Option<DateTime<Utc>>,
    pub next_occurrence_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `None`: the Inbox.
    pub list_id: Option<i64>,
    /// Its fractional key within its list (see `lists::position`).
    pub position: String,
}

impl PageRow for TaskRow {
    fn id(&self) -> i64 {
        self.id
    }

    fn sort_key(&self, sort: SortKey) -> CursorKey {
        match sort {
            SortKey::CreatedAt => CursorKey::Time(self.created_at),
            SortKey::UpdatedAt => CursorKey::Time(self.updated_at),
            SortKey::Title => CursorKey::Text(fold(&self.title)),
            SortKey::Priority => CursorKey::Rank(self.priority.rank()),
            SortKey::DueAt => CursorKey::Due(self.due_at),
            SortKey::Position => CursorKey::Position(self.position.clone()),
        }
    }
}

/// The columns of [`TaskRow`], in its order, for every statement that returns tasks.
pub(crate) const TASK_COLUMNS: &str = "id, user_id, title, description, completed, priority, tags, due_at, all_day, \
                            time_zone, recurrence, remind_at, next_occurrence_id, created_at, updated_at, list_id, position";

/// The store's clock: UTC, at the microsecond precision both stores keep.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A validated create.
#[derive(Debug)]
pub struct NewTask {
    pub title: Title,
    pub description: Option<Description>,
    pub completed: bool,
    pub priority: Priority,
    pub tags: Tags,
    pub due_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    pub time_zone: Zone,
    pub recurrence: Option<Recurrence>,
    pub remind_at: Option<DateTime<Utc>>,
    pub list_id: Option<i64>,
}

/// A validated change; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct TaskChanges {
    pub title: Option<Title>,
    pub description: Option<Option<Description>>,
    pub completed: Option<Completion>,
    pub priority: Option<Priority>,
    pub tags: Option<Tags>,
    pub due_at: Option<Option<DateTime<Utc>>>,
    pub all_day: Option<bool>,
    pub time_zone: Option<Zone>,
    pub recurrence: Option<Option<Recurrence>>,
    pub remind_at: Option<Option<DateTime<Utc>>>,
    /// `Some(None)`: to the Inbox.
    pub list_id: Option<Option<i64>>,
}

impl TaskChanges {
    /// The change when it sets or toggles `completed` and nothing else. On a task
    /// that neither repeats nor links to an occurrence such a change is nothing
    /// more than the new value and the time, so a store writes it in one
    /// statement without reading the task first (`set_completed`); on any other
    /// task that statement changes nothing and the full path runs.
    fn completion_only(&self) -> Option<Completion> {
        // Every field named, so a new one cannot be forgotten here.
        let TaskChanges {
            title: None,
            description: None,
            completed: Some(completion),
            priority: None,
            tags: None,
            due_at: None,
            all_day: None,
            time_zone: None,
            recurrence: None,
            remind_at: None,
            list_id: None,
        } = self
        else {
            return None;
        };
        Some(*completion)
    }
}

// The answer's shape is todo-wire's, shared with the command line.
pub use todo_wire::TagCount;

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The change would leave the task breaking a rule that spans fields.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The person keeps as many tasks as one may.
    #[error("you have {max} tasks, as many as one person may keep; delete some to add more")]
    TooManyTasks { max: u64 },
    /// `list_id` names none of the person's lists (someone else's or none at all: the same answer).
    #[error("is not one of your lists")]
    NoSuchList,
}

impl TaskRow {
    fn new(user_id: &str, task: &NewTask, now: DateTime<Utc>) -> Self {
        Self {
            id: 0,
            user_id: user_id.to_owned(),
            title: task.title.as_str().to_owned(),
            description: task.description.as_ref().map(|d| d.as_str().to_owned()),
            completed: task.completed,
            priority: task.priority,
            tags: task.tags.names(),
            due_at: task.due_at,
            all_day: task.all_day,
            time_zone: task.time_zone.clone(),
            recurrence: task.recurrence.clone(),
            remind_at: task.remind_at,
            next_occurrence_id: None,
            created_at: now,
            updated_at: now,
            list_id: task.list_id,
            // Given by the store as it inserts the row: first in its list.
            position: String::new(),
        }
    }

    /// The calendar date of an all-day task (`due_at` in its own zone) as the stores
    /// keep it for the views (`YYYYMMDD`); `None` for a timed or undated task.
    fn all_day_date(&self) -> Option<i32> {
        if !self.all_day {
            return None;
        }
        let due = to_timestamp(self.due_at?)?;
        Some(date_number(todo_domain::view::calendar_date(due, self.time_zone.tz())))
    }

    fn title_folded(&self) -> String {
        fold(&self.title)
    }

    fn description_folded(&self) -> Option<String> {
        self.description.as_deref().map(fold)
    }

    /// The tags as `(folded, spelling)` pairs for the `task_tags` rows.
    fn tag_rows(&self) -> impl Iterator<Item = (String, &str)> {
        self.tags.iter().map(|tag| (fold(tag), tag.as_str()))
    }

    fn schedule(&self) -> Schedule {
        Schedule {
            due_at: self.due_at.and_then(to_timestamp),
            zone: self.time_zone.clone(),
            recurrence: self.recurrence.clone(),
            remind_at: self.remind_at.and_then(to_timestamp),
        }
    }

    /// The next occurrence of this (just completed) recurring task, if its rule has one.
    fn next_occurrence(&self, now: DateTime<Utc>) -> Option<TaskRow> {
        let next = self.schedule().next_occurrence()?;
        Some(TaskRow {
            id: 0,
            completed: false,
            due_at: Some(from_timestamp(next.due_at?).filter(in_stored_years)?),
            recurrence: next.recurrence,
            remind_at: next.remind_at.and_then(from_timestamp).filter(in_stored_years),
            next_occurrence_id: None,
            created_at: now,
            updated_at: now,
            ..self.clone()
        })
    }
}

/// Creates the task, unless the user already keeps `max_tasks`.
pub async fn create(db: &Db, user_id: &str, task: &NewTask, max_tasks: u64) -> Result<TaskRow, ChangeError> {
    let row = TaskRow::new(user_id, task, now());
    let created = match db {
        Db::Sqlite(store) => store.write(move |c| sqlite::create_within(c, row, max_tasks)).await?,
        Db::Postgres(pool) => postgres::create_within(pool, row, max_tasks).await?,
    };
    created
}

/// How many tasks a user keeps: one row, kept by triggers (migrations/*/0008_task_counts.sql),
/// so the cap costs the same for every person.
const TASKS_KEPT: &str = "SELECT tasks FROM task_counts WHERE user_id = $1";

pub async fn get(db: &Db, user_id: &str, id: i64) -> Result<Option<TaskRow>, StoreError> {
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.read(move |c| sqlite::get(c, &user_id, id)).await
        }
        Db::Postgres(pool) => postgres::get(pool, user_id, id).await,
    }
}

/// Applies the changes in one transaction; `Ok(None)` when the user has no such task.
pub async fn update(db: &Db, user_id: &str, id: i64, changes: TaskChanges) -> Result<Option<TaskRow>, ChangeError> {
    let now = now();
    let outcome = match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::update(c, &user_id, id, &changes, now)).await?
        }
        Db::Postgres(pool) => postgres::update(pool, user_id, id, &changes, now).await?,
    };
    outcome
}

/// Whether a task was deleted.
pub async fn delete(db: &Db, user_id: &str, id: i64) -> Result<bool, StoreError> {
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::delete(c, &user_id, id)).await
        }
        Db::Postgres(pool) => postgres::delete(pool, user_id, id).await,
    }
}

/// How many of a user's tasks a search may find in SQLite's index (see
/// `sqlite::search`) for the list to read just those; past it the list reads the
/// user's tasks in its own order, where matches are then close together. Both
/// ways cost about a microsecond a row: collecting hits that will not be used
/// is what text in every task (a search for "task") costs, and the scan that
/// follows steps over at most `limit` × (tasks ÷ hits) rows.
const SEARCH_HITS_MAX: usize = 500;

/// Up to how many tasks a person's search on PostgreSQL reads them all in the
/// list's order (`strpos` on each) rather than through the trigram index. The
/// index's cost grows with the tasks that hold every trigram of the text without
/// holding the text, each read and checked: for a person with 20,000 tasks of
/// 1,000 characters of everyday words, a text made of their words in an order
/// none holds had 16,364 such tasks (98–281 ms); reading all 20,000 in order took
/// 61 ms, and a person's few tasks cost less than planning the index
/// (bench/results/FINDINGS.md, 2026-12-08).
const SEARCH_SCAN_MAX: i64 = 20_000;

/// One page of a user's tasks, with one row more than asked when a next page exists.
pub async fn list(db: &Db, user_id: &str, query: &ListQuery) -> Result<Vec<TaskRow>, StoreError> {
    match db {
        Db::Sqlite(store) => {
            let Some(text) = query.q.as_deref().map(fold) else {
                let (user_id, query) = (user_id.to_owned(), query.clone());
                return store.read(move |c| sqlite::page(c, &user_id, &query, None)).await;
            };
            // A search asks the index first; when it finds few, the page is read from
            // just those rows. When it cannot say (text shorter than a trigram) or
            // finds many, the page is read from the user's tasks in the list's order,
            // on the long-read threads, as that may step through all of them.
            let (user_id, query) = (user_id.to_owned(), query.clone());
            let (user, asked) = (user_id.clone(), query.clone());
            let page = store
                .read(move |c| match sqlite::search(c, &user, &text, SEARCH_HITS_MAX)? {
                    Some(ids) => sqlite::page(c, &user, &asked, Some(ids)).map(Some),
                    None => Ok(None),
                })
                .await?;
            match page {
                Some(page) => Ok(page),
                None => store.read_long(move |c| sqlite::page(c, &user_id, &query, None)).await,
            }
        }
        Db::Postgres(pool) => {
            // A search of a person with few tasks reads them in the list's order;
            // otherwise the planner chooses between the trigram index and that.
            let among = match query.q {
                Some(_) if postgres::tasks_kept(pool, user_id).await? <= SEARCH_SCAN_MAX => Among::InOrder,
                _ => Among::Indexed,
            };
            let mut binds = postgres::Binds::default();
            let statements = list_sql(user_id, query, among, &mut binds);
            postgres::list(pool, statements, binds, query.limit as usize + 1, query.q.is_some()).await
        }
    }
}

/// Every tag the user has, case variants as one, sorted ignoring case.
pub async fn tags(db: &Db, user_id: &str) -> Result<Vec<TagCount>, StoreError> {
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.read(move |c| sqlite::tags(c, &user_id)).await
        }
        Db::Postgres(pool) => postgres::tags(pool, user_id).await,
    }
}
