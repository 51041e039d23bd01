//! The task store: one function per operation, each one transaction, written
//! once per backend (`sqlite.rs` on the store's own threads, `postgres.rs`
//! through sqlx). What an operation decides (which fields change, whether a
//! completed recurring task gets its next occurrence) is decided here, once,
//! in plain Rust; the backends only read and write rows.

mod postgres;
mod sqlite;

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use todo_domain::view::{date_number, Window};
use todo_domain::{fold, Description, Priority, Recurrence, Tags, Title, Zone};

use super::list::{CursorKey, ListQuery, PageRow, SortKey, SortOrder, StatusFilter};
use crate::db::{Db, StoreError};
use crate::error::FieldError;

/// The message of the rule "a repeating task needs a due date".
pub const NEEDS_DUE_DATE: &str = "a repeating task needs a due date (`due_at`)";

/// A task as both stores keep it (PostgreSQL reads it by column name, SQLite by position).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    /// Stored as its rank, 0 (none) to 3 (high).
    #[sqlx(try_from = "i16")]
    pub priority: Priority,
    /// Sorted and unique ignoring case, as [`Tags`] leaves them.
    pub tags: Vec<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub all_day: bool,
    pub time_zone: String,
    /// Canonical RRULE text, as [`Recurrence`] writes it.
    pub recurrence: Option<String>,
    pub remind_at: Option<DateTime<Utc>>,
    pub next_occurrence_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
        }
    }
}

/// The columns of [`TaskRow`], in its order, for every statement that returns tasks.
const TASK_COLUMNS: &str = "id, user_id, title, description, completed, priority, tags, due_at, all_day, \
                            time_zone, recurrence, remind_at, next_occurrence_id, created_at, updated_at";

/// The store's clock: UTC, at the microsecond precision both stores keep.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Whether an instant falls in the years both stores (and RFC 3339) hold: 0001–9999.
pub fn in_stored_years(time: &DateTime<Utc>) -> bool {
    (1..=9999).contains(&time.year())
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
}

/// How a change sets `completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Set(bool),
    Toggle,
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
}

// The answer's shape is todo-wire's, shared with the command line.
pub use todo_wire::TagCount;

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The change would leave the task breaking a rule that spans fields.
    #[error("{}", .0.message)]
    Invalid(FieldError),
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
            time_zone: task.time_zone.name().to_owned(),
            recurrence: task.recurrence.as_ref().map(ToString::to_string),
            remind_at: task.remind_at,
            next_occurrence_id: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The calendar date of an all-day task (`due_at` in its own zone) as the stores
    /// keep it for the views (`YYYYMMDD`); `None` for a timed or undated task.
    fn all_day_date(&self) -> Option<i32> {
        if !self.all_day {
            return None;
        }
        Some(all_day_date(self.id, self.due_at?, &self.time_zone))
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

    /// The next occurrence of this (just completed) recurring task, if its rule has one.
    fn next_occurrence(&self, now: DateTime<Utc>) -> Option<TaskRow> {
        let rule = Recurrence::parse(self.recurrence.as_deref()?).ok()?;
        let zone = Zone::parse(&self.time_zone).unwrap_or_default();
        let due = self.due_at?;
        let (next_due, next_rule) = rule.next_after(to_timestamp(due)?, zone.tz())?;
        let next_due = from_timestamp(next_due)?;
        // The reminder keeps its distance to the due date.
        let remind_at =
            self.remind_at.and_then(|remind| remind.checked_add_signed(next_due - due)).filter(in_stored_years);
        Some(TaskRow {
            id: 0,
            completed: false,
            due_at: Some(next_due),
            recurrence: Some(next_rule.to_string()),
            remind_at,
            next_occurrence_id: None,
            created_at: now,
            updated_at: now,
            ..self.clone()
        })
    }
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

fn to_timestamp(time: DateTime<Utc>) -> Option<todo_domain::jiff::Timestamp> {
    todo_domain::jiff::Timestamp::from_microsecond(time.timestamp_micros()).ok()
}

fn from_timestamp(time: todo_domain::jiff::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(time.as_microsecond())
}

/// What an update does besides writing the task's new state.
#[derive(Debug)]
enum OccurrenceStep {
    None,
    /// Completing a recurring task: insert this occurrence and link to it.
    Create(Box<TaskRow>),
    /// Un-completing: delete the linked occurrence unless it was changed since.
    DeleteIfUntouched(i64),
}

/// An update, decided: the task's new state and what else happens with it.
#[derive(Debug)]
struct Edit {
    row: TaskRow,
    tags_changed: bool,
    occurrence: OccurrenceStep,
}

/// Applies `changes` to `current`, checks the rules that span fields, and
/// decides what happens to the next occurrence.
fn plan(current: &TaskRow, changes: &TaskChanges, now: DateTime<Utc>) -> Result<Edit, FieldError> {
    let mut row = current.clone();
    if let Some(title) = &changes.title {
        row.title = title.as_str().to_owned();
    }
    if let Some(description) = &changes.description {
        row.description = description.as_ref().map(|d| d.as_str().to_owned());
    }
    if let Some(priority) = changes.priority {
        row.priority = priority;
    }
    if let Some(tags) = &changes.tags {
        row.tags = tags.names();
    }
    if let Some(due_at) = changes.due_at {
        row.due_at = due_at;
    }
    if let Some(all_day) = changes.all_day {
        row.all_day = all_day;
    }
    if let Some(zone) = &changes.time_zone {
        row.time_zone = zone.name().to_owned();
    }
    if let Some(recurrence) = &changes.recurrence {
        row.recurrence = recurrence.as_ref().map(ToString::to_string);
    }
    if let Some(remind_at) = changes.remind_at {
        row.remind_at = remind_at;
    }
    if row.recurrence.is_some() && row.due_at.is_none() {
        let field = if changes.recurrence.is_some() { "recurrence" } else { "due_at" };
        return Err(FieldError::new(field, NEEDS_DUE_DATE));
    }
    row.completed = match changes.completed {
        None => current.completed,
        Some(Completion::Set(completed)) => completed,
        Some(Completion::Toggle) => !current.completed,
    };
    // Never back in time, even when another change of this task committed with a
    // later clock reading, so `updated_at` orders a task's changes (and a changed
    // occurrence never looks untouched).
    row.updated_at = now.max(current.updated_at + chrono::Duration::microseconds(1));

    let occurrence = match (current.completed, row.completed, row.next_occurrence_id) {
        (false, true, None) => {
            row.next_occurrence(now).map_or(OccurrenceStep::None, |next| OccurrenceStep::Create(Box::new(next)))
        }
        (true, false, Some(id)) => OccurrenceStep::DeleteIfUntouched(id),
        _ => OccurrenceStep::None,
    };
    Ok(Edit { tags_changed: row.tags != current.tags, row, occurrence })
}

/// One task's text as stored, for the text upgrade.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct StoredText {
    id: i64,
    title: String,
    title_folded: String,
    description: Option<String>,
    description_folded: Option<String>,
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
struct AllDayDue {
    id: i64,
    due_at: DateTime<Utc>,
    time_zone: String,
}

impl AllDayDue {
    fn date(&self) -> i32 {
        all_day_date(self.id, self.due_at, &self.time_zone)
    }
}

/// The names the upgrades in [`upgrade_stored_tasks`] are recorded under once done.
const TEXT_UPGRADE: &str = "text-rules-and-folding-1";
const TIME_FORM_UPGRADE: &str = "sqlite-time-text-form-1";
const ALL_DAY_DATES_UPGRADE: &str = "all-day-dates-1";
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
    if !upgrade_applied(db, ALL_DAY_DATES_UPGRADE).await? {
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
        mark_upgrade_applied(db, ALL_DAY_DATES_UPGRADE).await?;
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
struct UpgradeBatch {
    report: UpgradeReport,
    last_id: Option<i64>,
}

/// Upgrades `rows` (read in one transaction) and returns those that changed.
fn upgrade_rows(rows: Vec<StoredText>, report: &mut UpgradeReport) -> Vec<StoredText> {
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

/// Creates the task, unless the user already keeps `max_tasks`.
pub async fn create(db: &Db, user_id: &str, task: &NewTask, max_tasks: u64) -> Result<TaskRow, ChangeError> {
    let row = TaskRow::new(user_id, task, now());
    let created = match db {
        Db::Sqlite(store) => store.write(move |c| sqlite::create_within(c, row, max_tasks)).await?,
        Db::Postgres(pool) => postgres::create_within(pool, row, max_tasks).await?,
    };
    created.ok_or_else(|| {
        ChangeError::Invalid(FieldError::new(
            "",
            format!("you have {max_tasks} tasks, as many as one person may keep; delete some to add more"),
        ))
    })
}

/// The statement that tells whether a user keeps `n` tasks or more (bind the
/// user, then `n - 1`): it steps over at most `n` entries of the user's index,
/// so it costs little but for users near the cap, and needs no counter to keep.
const AT_CAP: &str = "SELECT 1 FROM tasks WHERE user_id = $1 LIMIT 1 OFFSET $2";

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
    outcome.map_err(ChangeError::Invalid)
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
            // The planner chooses between pg_trgm's index and the user's tasks in order itself.
            let mut binds = postgres::Binds::default();
            let sql = list_sql(user_id, query, None, &mut binds);
            postgres::list(pool, &sql, binds, query.q.is_some()).await
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

/// How a backend binds the list query's values and spells what differs between
/// dialects: each binding method binds one value and returns its placeholder.
trait ListBinds {
    fn text(&mut self, value: String) -> String;
    fn int(&mut self, value: i64) -> String;
    /// `created_at` / `updated_at`.
    fn stamp(&mut self, value: DateTime<Utc>) -> String;
    /// `due_at` / `remind_at`.
    fn instant(&mut self, value: DateTime<Utc>) -> String;
    /// `column IN (values)` with the values bound as one list, so the statement's
    /// text does not depend on how many there are.
    fn int_in(&mut self, column: &str, values: Vec<i64>) -> String;
    fn text_in(&mut self, column: &str, values: Vec<String>) -> String;
    /// The sort expression over `due_at` (it matches an index of the same text).
    fn due_key(order: SortOrder) -> &'static str;
    /// The value that expression takes for a task without a due date.
    fn no_due(order: SortOrder) -> &'static str;
    /// The cursor's value of that expression.
    fn due_cursor(&mut self, value: Option<DateTime<Utc>>, order: SortOrder) -> String;
    /// The whole statement from its parts; the default is the plain keyset form.
    fn page(page: &Page<'_>) -> String {
        let Page { filters, key, order, after, limit, .. } = page;
        let (cmp, dir) = cmp_and_dir(*order);
        let after =
            after.as_ref().map_or(String::new(), |(value, id)| format!(" AND ({key}, id) {cmp} ({value}, {id})"));
        format!("SELECT {TASK_COLUMNS} FROM tasks WHERE {filters}{after} ORDER BY {key} {dir}, id {dir} LIMIT {limit}")
    }
}

/// A list statement's parts, for [`ListBinds::page`] to put together.
struct Page<'a> {
    /// The `WHERE` conditions, starting with the user's.
    filters: String,
    /// The sort key (a column or the due-date expression); ties go by id.
    key: &'a str,
    order: SortOrder,
    /// The cursor's placeholders: the sort key's value and the id of the last row seen.
    after: Option<(String, String)>,
    limit: String,
    /// Whether many rows may share one sort key (priorities; undated tasks), as
    /// against times and titles, where ties are rare.
    many_ties: bool,
}

/// The comparison after a cursor and the SQL direction of a sort order.
fn cmp_and_dir(order: SortOrder) -> (&'static str, &'static str) {
    match order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    }
}

/// How many of a user's tasks a search may find in SQLite's index (see
/// `sqlite::search`) for the list to read just those; past it the list reads the
/// user's tasks in its own order, where matches are then close together. Both
/// ways cost about a microsecond a row: collecting hits that will not be used
/// is what text in every task (a search for "task") costs, and the scan that
/// follows steps over at most `limit` × (tasks ÷ hits) rows.
const SEARCH_HITS_MAX: usize = 500;

/// The list statement. Its text depends only on which filters are present (not
/// on their values or how many), so it stays within a bounded set of shapes that
/// each connection prepares once. `among` (SQLite only): the ids a search index
/// found, to read instead of all the user's tasks (each still checked against
/// every filter, the text too).
fn list_sql<B: ListBinds>(user_id: &str, query: &ListQuery, among: Option<Vec<i64>>, binds: &mut B) -> String {
    let user = binds.text(user_id.to_owned());
    let mut filters = match among {
        // `+` keeps SQLite from the user's indexes: without statistics it would
        // rather read all the user's tasks in order, checking each against the ids.
        Some(ids) => format!("+user_id = {user} AND {}", binds.int_in("id", ids)),
        None => format!("user_id = {user}"),
    };
    let due_sort = query.sort == SortKey::DueAt;

    match query.status {
        StatusFilter::All => {}
        StatusFilter::Pending => filters.push_str(" AND completed = FALSE"),
        StatusFilter::Completed => filters.push_str(" AND completed = TRUE"),
    }
    if let Some(text) = &query.q {
        let p = binds.text(format!("%{}%", escape_like(&fold(text))));
        filters
            .push_str(&format!(" AND (title_folded LIKE {p} ESCAPE '\\' OR description_folded LIKE {p} ESCAPE '\\')"));
    }
    if !query.priorities.is_empty() {
        let ranks = query.priorities.iter().map(|p| i64::from(p.rank())).collect();
        filters.push_str(&format!(" AND {}", binds.int_in("priority", ranks)));
    }
    if !query.tags.is_empty() {
        // Every one of the tags: as many of them on the task as were asked for.
        let count = i64::try_from(query.tags.len()).unwrap_or(i64::MAX);
        let tags = query.tags.iter().map(|t| t.folded().to_owned()).collect();
        let any_of = binds.text_in("g.tag_folded", tags);
        let count = binds.int(count);
        filters.push_str(&format!(
            " AND (SELECT COUNT(*) FROM task_tags g WHERE g.task_id = tasks.id AND {any_of}) = {count}"
        ));
    }
    match query.has_due {
        Some(true) => filters.push_str(" AND due_at IS NOT NULL"),
        // Sorting by due date, the undated tasks are one stretch of the index: go there.
        Some(false) if due_sort => {
            filters.push_str(&format!(
                " AND due_at IS NULL AND {} = {}",
                B::due_key(query.order),
                B::no_due(query.order)
            ));
        }
        Some(false) => filters.push_str(" AND due_at IS NULL"),
        None => {}
    }
    if let Some(view) = &query.view {
        filters.push_str(&view_filter(&view.window, binds));
    }
    // The due window, on the column and, when sorting by due date, on the sort
    // expression too, so the index of that sort can seek to the window's start.
    for (bound, cmp) in [(query.due_after, ">="), (query.due_before, "<")] {
        if let Some(bound) = bound {
            let p = binds.instant(bound);
            filters.push_str(&format!(" AND due_at {cmp} {p}"));
            if due_sort {
                filters.push_str(&format!(" AND {} {cmp} {p}", B::due_key(query.order)));
            }
        }
    }

    let key: &str = match query.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
        SortKey::Title => "title_folded",
        SortKey::Priority => "priority",
        SortKey::DueAt => B::due_key(query.order),
    };
    let after = query.after.as_ref().map(|after| {
        let value = match &after.key {
            CursorKey::Time(time) => binds.stamp(*time),
            CursorKey::Text(text) => binds.text(text.clone()),
            CursorKey::Rank(rank) => binds.int((*rank).into()),
            CursorKey::Due(due) => binds.due_cursor(*due, query.order),
        };
        (value, binds.int(after.id))
    });
    let limit = binds.int(i64::from(query.limit) + 1);
    let many_ties = matches!(query.sort, SortKey::Priority | SortKey::DueAt);
    B::page(&Page { filters, key, order: query.order, after, limit, many_ties })
}

/// The condition of a view's window: timed tasks by `due_at`, all-day tasks by the
/// date the API wrote beside it (`due_date`, see migrations/*/0006_views.sql).
fn view_filter<B: ListBinds>(window: &Window, binds: &mut B) -> String {
    let mut instant = |at: todo_domain::jiff::Timestamp| {
        let at = from_timestamp(at).filter(in_stored_years).unwrap_or(DateTime::<Utc>::MAX_UTC);
        binds.instant(at)
    };
    match *window {
        Window::Today { start, end, date } => {
            let (start, end) = (instant(start), instant(end));
            let date = binds.int(date_number(date).into());
            format!(
                " AND ((all_day = FALSE AND due_at >= {start} AND due_at < {end}) \
                 OR (all_day = TRUE AND due_date = {date}))"
            )
        }
        Window::Upcoming { from, today } => {
            let from = instant(from);
            let today = binds.int(date_number(today).into());
            format!(" AND ((all_day = FALSE AND due_at >= {from}) OR (all_day = TRUE AND due_date > {today}))")
        }
        Window::Overdue { now, today } => {
            let now = instant(now);
            let today = binds.int(date_number(today).into());
            format!(
                " AND completed = FALSE \
                 AND ((all_day = FALSE AND due_at < {now}) OR (all_day = TRUE AND due_date < {today}))"
            )
        }
        Window::NoDate => " AND due_at IS NULL".to_owned(),
    }
}

/// Makes `%`, `_` and `\` in the search text match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recurring(rule: &str, due: &str) -> TaskRow {
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        TaskRow {
            id: 7,
            user_id: "alice".into(),
            title: "Standup".into(),
            description: None,
            completed: false,
            priority: Priority::High,
            tags: vec!["work".into()],
            due_at: Some(due.parse().unwrap()),
            all_day: false,
            time_zone: "Europe/Berlin".into(),
            recurrence: Some(rule.into()),
            remind_at: Some(due.parse::<DateTime<Utc>>().unwrap() - chrono::Duration::minutes(15)),
            next_occurrence_id: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn complete() -> TaskChanges {
        TaskChanges { completed: Some(Completion::Set(true)), ..Default::default() }
    }

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

    #[test]
    fn completing_a_recurring_task_plans_its_next_occurrence_at_the_same_local_time() {
        // Monday 2026-03-23 09:00 CET; the clocks change on the 29th.
        let task = recurring("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "2026-03-23T08:00:00Z");
        let now = "2026-03-23T10:00:00Z".parse().unwrap();
        let edit = plan(&task, &complete(), now).unwrap();
        assert!(edit.row.completed);
        let OccurrenceStep::Create(next) = edit.occurrence else { panic!("{:?}", edit.occurrence) };
        assert_eq!(next.due_at.unwrap().to_rfc3339(), "2026-03-30T07:00:00+00:00", "09:00 CEST");
        assert_eq!(next.remind_at.unwrap().to_rfc3339(), "2026-03-30T06:45:00+00:00");
        assert_eq!(next.recurrence.as_deref(), Some("FREQ=WEEKLY;BYDAY=MO;COUNT=2"));
        assert_eq!((next.completed, next.created_at, next.updated_at), (false, now, now));
        assert_eq!(
            (next.title.as_str(), next.priority, next.tags.clone()),
            ("Standup", Priority::High, vec!["work".into()])
        );
    }

    #[test]
    fn the_last_of_a_counted_series_plans_no_occurrence() {
        let task = recurring("FREQ=DAILY;COUNT=1", "2026-03-23T08:00:00Z");
        assert!(matches!(plan(&task, &complete(), task.updated_at).unwrap().occurrence, OccurrenceStep::None));
    }

    #[test]
    fn only_the_step_from_open_to_done_creates_and_back_deletes() {
        let mut task = recurring("FREQ=DAILY", "2026-03-23T08:00:00Z");
        let toggle = TaskChanges { completed: Some(Completion::Toggle), ..Default::default() };
        assert!(matches!(plan(&task, &toggle, task.updated_at).unwrap().occurrence, OccurrenceStep::Create(_)));
        task.completed = true;
        task.next_occurrence_id = Some(8);
        assert!(matches!(plan(&task, &complete(), task.updated_at).unwrap().occurrence, OccurrenceStep::None));
        assert!(matches!(
            plan(&task, &toggle, task.updated_at).unwrap().occurrence,
            OccurrenceStep::DeleteIfUntouched(8)
        ));
    }

    #[test]
    fn a_repeating_task_keeps_its_due_date() {
        let task = recurring("FREQ=DAILY", "2026-03-23T08:00:00Z");
        let clear_due = TaskChanges { due_at: Some(None), ..Default::default() };
        assert_eq!(plan(&task, &clear_due, task.updated_at).unwrap_err().field, "due_at");
        let mut plain = task.clone();
        (plain.recurrence, plain.due_at) = (None, None);
        let repeat =
            TaskChanges { recurrence: Some(Some(Recurrence::parse("FREQ=DAILY").unwrap())), ..Default::default() };
        assert_eq!(plan(&plain, &repeat, task.updated_at).unwrap_err().field, "recurrence");
    }
}
