//! The task store on SQLite: each function runs on a store thread with its
//! connection (the writer's inside the transaction it is batched into, see
//! `db::sqlite`), so several statements here are one atomic step.
//!
//! Times: `created_at`/`updated_at` are RFC 3339 text (as the first schema
//! had them); `due_at`/`remind_at` are integer microseconds since 1970.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use todo_domain::{Completion, Priority, Recurrence, Zone};

use super::{
    default_page, list_sql, plan, upgrade_rows, After, AllDayDue, Among, ChangeError, Edit, ListBinds, OccurrenceStep,
    Page, StoredText, TagCount, TaskChanges, TaskRow, UpgradeBatch, UpgradeReport, TASKS_KEPT, TASK_COLUMNS,
};
use crate::lists::store::sqlite as lists;
use crate::tasks::list::ListQuery;

/// Creates the task unless its user keeps `max_tasks` already, or its list is none of theirs.
pub fn create_within(c: &Connection, row: TaskRow, max_tasks: u64) -> rusqlite::Result<Result<TaskRow, ChangeError>> {
    let kept: Option<i64> = c.prepare_cached(TASKS_KEPT)?.query_row([&row.user_id], |r| r.get(0)).optional()?;
    if u64::try_from(kept.unwrap_or(0)).unwrap_or(0) >= max_tasks {
        return Ok(Err(ChangeError::TooManyTasks { max: max_tasks }));
    }
    if !lists::owns_list(c, &row.user_id, row.list_id)? {
        return Ok(Err(ChangeError::NoSuchList));
    }
    create(c, row).map(Ok)
}

/// Inserts the task first in its list.
pub fn create(c: &Connection, mut row: TaskRow) -> rusqlite::Result<TaskRow> {
    row.position = lists::place_task_first(c, &row.user_id, row.list_id)?;
    row.id = insert(c, &row)?;
    insert_tags(c, &row)?;
    Ok(row)
}

pub fn get(c: &Connection, user_id: &str, id: i64) -> rusqlite::Result<Option<TaskRow>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?1 AND user_id = ?2");
    c.prepare_cached(&sql)?.query_row(params![id, user_id], task_from_row).optional()
}

pub fn update(
    c: &Connection,
    user_id: &str,
    id: i64,
    changes: &TaskChanges,
    now: DateTime<Utc>,
) -> rusqlite::Result<Result<Option<TaskRow>, ChangeError>> {
    if let Some(completion) = changes.completion_only() {
        if let Some(row) = set_completed(c, user_id, id, completion, now)? {
            return Ok(Ok(Some(row)));
        }
    }
    let Some(current) = get(c, user_id, id)? else { return Ok(Ok(None)) };
    let Edit { mut row, tags_changed, list_changed, occurrence } = match plan(&current, changes, now) {
        Ok(edit) => edit,
        Err(invalid) => return Ok(Err(invalid.into())),
    };
    // Refused before anything is written (a refusal commits what was written before it).
    if list_changed && !lists::owns_list(c, user_id, row.list_id)? {
        return Ok(Err(ChangeError::NoSuchList));
    }
    match occurrence {
        OccurrenceStep::None => {}
        OccurrenceStep::Create(next) => row.next_occurrence_id = Some(create(c, *next)?.id),
        OccurrenceStep::DeleteIfUntouched(next_id) => {
            let deleted = c
                .prepare_cached("DELETE FROM tasks WHERE id = ?1 AND user_id = ?2 AND updated_at = created_at")?
                .execute(params![next_id, user_id])?;
            if deleted > 0 {
                row.next_occurrence_id = None;
            }
        }
    }
    // Placed after a next occurrence arrived in the same list, so it goes before that one.
    if list_changed {
        row.position = lists::place_task_first(c, user_id, row.list_id)?;
    }
    write(c, &current, &row)?;
    if tags_changed {
        c.prepare_cached("DELETE FROM task_tags WHERE task_id = ?1")?.execute([row.id])?;
        insert_tags(c, &row)?;
    }
    Ok(Ok(Some(row)))
}

/// A change of `completed` alone, in one statement (see `TaskChanges::completion_only`):
/// `None` when the task is not the user's, repeats or links to an occurrence, or
/// its `updated_at` is not before `now` (another clock's later change; the full
/// path moves it on by a microsecond).
fn set_completed(
    c: &Connection,
    user_id: &str,
    id: i64,
    completion: Completion,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<TaskRow>> {
    // NULL toggles.
    let value = match completion {
        Completion::Set(value) => Some(value),
        Completion::Toggle => None,
    };
    let sql = format!(
        "UPDATE tasks SET completed = COALESCE(?3, NOT completed), updated_at = ?4 \
         WHERE id = ?1 AND user_id = ?2 AND recurrence IS NULL AND next_occurrence_id IS NULL AND updated_at < ?4 \
         RETURNING {TASK_COLUMNS}"
    );
    c.prepare_cached(&sql)?.query_row(params![id, user_id, value, stamp(&now)], task_from_row).optional()
}

pub fn delete(c: &Connection, user_id: &str, id: i64) -> rusqlite::Result<bool> {
    // Its tags go with it (ON DELETE CASCADE); a task linking to it forgets the link.
    let deleted =
        c.prepare_cached("DELETE FROM tasks WHERE id = ?1 AND user_id = ?2")?.execute(params![id, user_id])?;
    Ok(deleted > 0)
}

/// One page of the list, read from `among` (ids a search found) or from all the
/// user's tasks.
pub fn page(
    c: &Connection,
    user_id: &str,
    query: &ListQuery,
    among: Option<Vec<i64>>,
) -> rusqlite::Result<Vec<TaskRow>> {
    if among.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let mut binds = Binds::default();
    let page_rows = query.limit as usize + 1;
    let mut rows = Vec::with_capacity(page_rows);
    for sql in list_sql(user_id, query, among.map_or(Among::Indexed, Among::Ids), &mut binds) {
        let mut statement = c.prepare_cached(&sql)?;
        for row in statement.query_map(rusqlite::params_from_iter(&binds.0), task_from_row)? {
            rows.push(row?);
        }
        if rows.len() >= page_rows {
            break;
        }
    }
    rows.truncate(page_rows);
    Ok(rows)
}

/// The ids of the user's tasks whose folded title or description holds `folded`,
/// found through the trigram index (migrations/sqlite/0004_search.sql), when
/// there are at most `max`. `None` when the index cannot say: the text is shorter
/// than a trigram, or more tasks hold it than `max`.
pub fn search(c: &Connection, user_id: &str, folded: &str, max: usize) -> rusqlite::Result<Option<Vec<i64>>> {
    if folded.chars().count() < 3 {
        return Ok(None);
    }
    let key: Option<String> = c
        .prepare_cached("SELECT key FROM search_owners WHERE user_id = ?1")?
        .query_row([user_id], |row| row.get(0))
        .optional()?;
    // A user who never had a task has no key, and nothing to find.
    let Some(key) = key else { return Ok(Some(Vec::new())) };
    // Both as FTS5 strings, in which only `"` is special (doubled). The owner's
    // key is three characters of one Unicode block, so it never holds one.
    let text = format!("\"{}\"", folded.replace('"', "\"\""));
    let expression = format!("owner : \"{key}\" AND {{title description}} : {text}");
    let limit = i64::try_from(max).unwrap_or(i64::MAX).saturating_add(1);
    let mut statement = c.prepare_cached("SELECT rowid FROM tasks_search WHERE tasks_search MATCH ?1 LIMIT ?2")?;
    let ids =
        statement.query_map(params![expression, limit], |row| row.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok((ids.len() <= max).then_some(ids))
}

/// Feeds the changes the triggers queued (migrations/sqlite/0011_search_queue.sql)
/// into the search index in one statement, in the order they were made, and
/// empties the queue. The writer runs it before every commit (see `db::sqlite`),
/// so FTS5 writes one segment per batch of writes rather than one per write, and
/// no commit of the API leaves a change out of the index. One read when the
/// queue is empty (a toggle queues nothing): no page is written then.
pub fn flush_search_queue(c: &Connection) -> rusqlite::Result<()> {
    let queued: bool =
        c.prepare_cached("SELECT EXISTS (SELECT 1 FROM search_queue)")?.query_row([], |row| row.get(0))?;
    if queued {
        c.prepare_cached(
            "INSERT INTO tasks_search (tasks_search, rowid, owner, title, description) \
             SELECT command, task_id, owner, title, description FROM search_queue ORDER BY seq",
        )?
        .execute([])?;
        c.prepare_cached("DELETE FROM search_queue")?.execute([])?;
    }
    Ok(())
}

pub fn tags(c: &Connection, user_id: &str) -> rusqlite::Result<Vec<TagCount>> {
    let mut statement = c.prepare_cached(
        "SELECT MIN(tag), COUNT(*) FROM task_tags WHERE user_id = ?1 GROUP BY tag_folded ORDER BY tag_folded",
    )?;
    let rows = statement.query_map([user_id], |row| Ok(TagCount { name: row.get(0)?, count: row.get(1)? }))?;
    rows.collect()
}

pub fn upgrade_applied(c: &Connection, name: &str) -> rusqlite::Result<bool> {
    c.query_row("SELECT EXISTS (SELECT 1 FROM api_upgrades WHERE name = ?1)", [name], |row| row.get(0))
}

pub fn mark_upgrade_applied(c: &Connection, name: &str) -> rusqlite::Result<()> {
    c.execute("INSERT INTO api_upgrades (name, applied_at) VALUES (?1, ?2)", params![name, stamp(&Utc::now())])?;
    Ok(())
}

/// Gives up to `limit` all-day tasks without their calendar date that date; how many.
pub fn date_all_day_batch(c: &Connection, limit: i64) -> rusqlite::Result<u64> {
    let rows = c
        .prepare_cached(
            "SELECT id, due_at, time_zone FROM tasks WHERE all_day AND due_at IS NOT NULL AND due_date IS NULL \
             ORDER BY id LIMIT ?1",
        )?
        .query_map([limit], |row| {
            Ok(AllDayDue { id: row.get(0)?, due_at: from_micros(1, row.get(1)?)?, time_zone: row.get(2)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut update = c.prepare_cached("UPDATE tasks SET due_date = ?2 WHERE id = ?1")?;
    for row in &rows {
        update.execute(params![row.id, row.date()])?;
    }
    Ok(rows.len() as u64)
}

pub fn upgrade_text_batch(c: &Connection, after: i64, limit: i64) -> rusqlite::Result<UpgradeBatch> {
    let rows: Vec<StoredText> = c
        .prepare(
            "SELECT id, title, title_folded, description, description_folded FROM tasks WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(params![after, limit], |row| {
            Ok(StoredText {
                id: row.get(0)?,
                title: row.get(1)?,
                title_folded: row.get(2)?,
                description: row.get(3)?,
                description_folded: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let last_id = rows.last().map(|row| row.id);
    let mut report = UpgradeReport::default();
    let mut update = c.prepare(
        "UPDATE tasks SET title = ?2, title_folded = ?3, description = ?4, description_folded = ?5 WHERE id = ?1",
    )?;
    for row in upgrade_rows(rows, &mut report) {
        update.execute(params![row.id, row.title, row.title_folded, row.description, row.description_folded])?;
    }
    Ok(UpgradeBatch { report, last_id })
}

/// Rewrites every `created_at`/`updated_at` not in the exact form [`stamp`]
/// writes into it, keeping the instant; returns how many rows changed. Any other
/// text of the same instant (`Z`, another offset, `datetime()`'s form, `.25` for
/// `.250`) compares wrongly against a cursor. Text that is no time at all is left
/// as it is (reading that row fails loudly, as before).
pub fn restamp_times(c: &Connection) -> rusqlite::Result<u64> {
    // One pass over the table, once in a store's life (it is recorded as applied).
    let mut select = c.prepare("SELECT id, created_at, updated_at FROM tasks")?;
    let mut rows = select.query([])?;
    let mut changes = Vec::new();
    while let Some(row) = rows.next()? {
        let restamp = |index| -> rusqlite::Result<(bool, String)> {
            let text = row.get_ref(index)?.as_str()?;
            let canonical = parse_time(text).map_or_else(|_| text.to_owned(), |time| stamp(&time));
            Ok((canonical != text, canonical))
        };
        let ((created_changed, created), (updated_changed, updated)) = (restamp(1)?, restamp(2)?);
        if created_changed || updated_changed {
            changes.push((row.get::<_, i64>(0)?, created, updated));
        }
    }
    let mut update = c.prepare("UPDATE tasks SET created_at = ?2, updated_at = ?3 WHERE id = ?1")?;
    for (id, created, updated) in &changes {
        update.execute(params![id, created, updated])?;
    }
    Ok(changes.len() as u64)
}

fn insert(c: &Connection, row: &TaskRow) -> rusqlite::Result<i64> {
    // A NULL id makes SQLite pick the next one (AUTOINCREMENT: never one used before).
    let sql = "INSERT INTO tasks (id, user_id, title, title_folded, description, description_folded, completed, \
               priority, tags, due_at, all_day, time_zone, recurrence, remind_at, next_occurrence_id, due_date, created_at, updated_at, \
               list_id, position) \
               VALUES (:id, :user_id, :title, :title_folded, :description, :description_folded, :completed, \
               :priority, :tags, :due_at, :all_day, :time_zone, :recurrence, :remind_at, :next_occurrence_id, :due_date, \
               :created_at, :updated_at, :list_id, :position) \
               RETURNING id";
    c.prepare_cached(sql)?.query_row(&*RowParams::of(row).named(), |r| r.get(0))
}

/// Writes the columns that differ from `before`: SQLite updates every index
/// over a column a statement sets, changed or not, and a toggle should touch
/// the one index over `updated_at`, not all seven.
fn write(c: &Connection, before: &TaskRow, row: &TaskRow) -> rusqlite::Result<()> {
    // Told from the rows themselves, so the old row's folded text and tags JSON
    // are never computed just to be compared.
    let changed = |name: &str| match name {
        ":title" | ":title_folded" => before.title != row.title,
        ":description" | ":description_folded" => before.description != row.description,
        ":completed" => before.completed != row.completed,
        ":priority" => before.priority != row.priority,
        ":tags" => before.tags != row.tags,
        ":due_at" => before.due_at != row.due_at,
        ":all_day" => before.all_day != row.all_day,
        ":time_zone" => before.time_zone != row.time_zone,
        ":recurrence" => before.recurrence != row.recurrence,
        ":remind_at" => before.remind_at != row.remind_at,
        ":next_occurrence_id" => before.next_occurrence_id != row.next_occurrence_id,
        ":list_id" => before.list_id != row.list_id,
        ":position" => before.position != row.position,
        ":due_date" => {
            before.due_at != row.due_at || before.all_day != row.all_day || before.time_zone != row.time_zone
        }
        ":updated_at" => true,
        _ => false,
    };
    let values = RowParams::of(row);
    let (set, key): (Vec<_>, Vec<_>) = values.named().into_iter().partition(|(name, _)| changed(name));
    let columns: Vec<String> = set.iter().map(|(name, _)| format!("{} = {name}", &name[1..])).collect();
    let sql = format!("UPDATE tasks SET {} WHERE id = :id AND user_id = :user_id", columns.join(", "));
    let mut params = set;
    params.extend(key.into_iter().filter(|(name, _)| matches!(*name, ":id" | ":user_id")));
    c.prepare_cached(&sql)?.execute(&*params)?;
    Ok(())
}

/// A row's values as SQLite stores them, bound by name in both `insert` and `write`.
struct RowParams<'a> {
    row: &'a TaskRow,
    id: Option<i64>,
    title_folded: String,
    description_folded: Option<String>,
    priority: i16,
    tags: String,
    due_at: Option<i64>,
    remind_at: Option<i64>,
    due_date: Option<i32>,
    time_zone: &'a str,
    recurrence: Option<String>,
    created_at: String,
    updated_at: String,
}

impl<'a> RowParams<'a> {
    fn of(row: &'a TaskRow) -> Self {
        Self {
            row,
            id: (row.id != 0).then_some(row.id),
            title_folded: row.title_folded(),
            description_folded: row.description_folded(),
            priority: row.priority.rank(),
            tags: serde_json::to_string(&row.tags).expect("a list of strings serializes"),
            due_at: row.due_at.map(micros),
            remind_at: row.remind_at.map(micros),
            due_date: row.all_day_date(),
            time_zone: row.time_zone.name(),
            recurrence: row.recurrence.as_ref().map(ToString::to_string),
            created_at: stamp(&row.created_at),
            updated_at: stamp(&row.updated_at),
        }
    }

    fn named(&self) -> Vec<(&'static str, &dyn rusqlite::ToSql)> {
        let row = self.row;
        vec![
            (":id", &self.id),
            (":user_id", &row.user_id),
            (":title", &row.title),
            (":title_folded", &self.title_folded),
            (":description", &row.description),
            (":description_folded", &self.description_folded),
            (":completed", &row.completed),
            (":priority", &self.priority),
            (":tags", &self.tags),
            (":due_at", &self.due_at),
            (":all_day", &row.all_day),
            (":time_zone", &self.time_zone),
            (":recurrence", &self.recurrence),
            (":remind_at", &self.remind_at),
            (":next_occurrence_id", &row.next_occurrence_id),
            (":due_date", &self.due_date),
            (":created_at", &self.created_at),
            (":updated_at", &self.updated_at),
            (":list_id", &row.list_id),
            (":position", &row.position),
        ]
    }
}

fn insert_tags(c: &Connection, row: &TaskRow) -> rusqlite::Result<()> {
    let mut statement =
        c.prepare_cached("INSERT INTO task_tags (task_id, user_id, tag_folded, tag) VALUES (?1, ?2, ?3, ?4)")?;
    for (folded, tag) in row.tag_rows() {
        statement.execute(params![row.id, row.user_id, folded, tag])?;
    }
    Ok(())
}

/// The list query's values, bound by position (`?1`, `?2`, … in order of appearance).
#[derive(Default)]
pub struct Binds(Vec<Value>);

impl Binds {
    fn push(&mut self, value: Value) -> String {
        self.0.push(value);
        format!("?{}", self.0.len())
    }
}

impl ListBinds for Binds {
    fn text(&mut self, value: String) -> String {
        self.push(Value::Text(value))
    }

    fn int(&mut self, value: i64) -> String {
        self.push(Value::Integer(value))
    }

    fn stamp(&mut self, value: DateTime<Utc>) -> String {
        self.push(Value::Text(stamp(&value)))
    }

    fn instant(&mut self, value: DateTime<Utc>) -> String {
        self.push(Value::Integer(micros(value)))
    }

    fn int_in(&mut self, column: &str, values: Vec<i64>) -> String {
        let list = self.push(Value::Text(serde_json::to_string(&values).expect("numbers serialize")));
        format!("{column} IN (SELECT value FROM json_each({list}))")
    }

    fn text_in(&mut self, column: &str, values: Vec<String>) -> String {
        let list = self.push(Value::Text(serde_json::to_string(&values).expect("strings serialize")));
        format!("{column} IN (SELECT value FROM json_each({list}))")
    }

    /// After a cursor, SQLite seeks an index by a row value `(key, id)` on `key`
    /// alone, because `id` is the rowid: every row that ties with the cursor's key
    /// would be stepped over again on each page (the many of one priority; the
    /// undated tasks of the due-date sort are a stretch of their own, read by id).
    /// Where ties are common the page is read as two seeks, the rest of the
    /// cursor's tie by id, then what sorts after it, and merged.
    fn page(page: &Page<'_>) -> String {
        let Page { filters, key, order, after, limit, many_ties } = page;
        let (cmp, dir) = super::cmp_and_dir(*order);
        let (Some(After { value: Some(value), id }), true) = (after, many_ties) else {
            // Without a cursor, or where ties are rare, the plain form seeks well enough.
            return default_page(page);
        };
        format!(
            "SELECT * FROM (\
               SELECT * FROM (SELECT {TASK_COLUMNS}, {key} AS sort_key FROM tasks \
                 WHERE {filters} AND {key} = {value} AND id {cmp} {id} ORDER BY id {dir} LIMIT {limit}) \
               UNION ALL \
               SELECT * FROM (SELECT {TASK_COLUMNS}, {key} AS sort_key FROM tasks \
                 WHERE {filters} AND {key} {cmp} {value} ORDER BY {key} {dir}, id {dir} LIMIT {limit})\
             ) ORDER BY sort_key {dir}, id {dir} LIMIT {limit}"
        )
    }
}

/// Times are stored in SQLite as RFC 3339 text, as sqlx wrote them before: UTC
/// with as many fractional digits as needed.
pub fn stamp(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

/// A row of [`TASK_COLUMNS`], in that order.
fn task_from_row(row: &Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        title: row.get(2)?,
        description: row.get(3)?,
        completed: row.get(4)?,
        priority: Priority::try_from(row.get::<_, i16>(5)?).map_err(|err| conversion(5, Unparsable(err)))?,
        tags: serde_json::from_str(row.get_ref(6)?.as_str()?).map_err(|err| conversion(6, err))?,
        due_at: row.get::<_, Option<i64>>(7)?.map(|t| from_micros(7, t)).transpose()?,
        all_day: row.get(8)?,
        time_zone: Zone::try_from(row.get::<_, String>(9)?).map_err(|err| conversion(9, Unparsable(err)))?,
        recurrence: row
            .get::<_, Option<String>>(10)?
            .map(|rule| Recurrence::parse(&rule).map_err(|err| conversion(10, Unparsable(format!("{rule:?} {err}")))))
            .transpose()?,
        remind_at: row.get::<_, Option<i64>>(11)?.map(|t| from_micros(11, t)).transpose()?,
        next_occurrence_id: row.get(12)?,
        created_at: time_from_row(row, 13)?,
        updated_at: time_from_row(row, 14)?,
        list_id: row.get(15)?,
        position: row.get(16)?,
    })
}

/// A stored value that today's rules refuse.
#[derive(Debug, thiserror::Error)]
#[error("stored value refused: {0}")]
struct Unparsable(String);

fn conversion(index: usize, err: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err))
}

fn from_micros(index: usize, micros: i64) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(index, micros))
}

/// Reads what the API writes (RFC 3339), and also SQLite's own `datetime()` form
/// (`YYYY-MM-DD HH:MM:SS`, UTC), so a row edited by hand does not break a list.
pub fn time_from_row(row: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    parse_time(row.get_ref(index)?.as_str()?).map_err(|err| conversion(index, err))
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|time| time.with_timezone(&Utc)).or_else(|err| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc()).map_err(|_| err)
    })
}
