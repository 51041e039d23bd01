//! The task store on SQLite: each function runs on a store thread with its
//! connection (the writer's inside the transaction it is batched into, see
//! `db::sqlite`), so several statements here are one atomic step.
//!
//! Times: `created_at`/`updated_at` are RFC 3339 text (as the first schema
//! had them); `due_at`/`remind_at` are integer microseconds since 1970.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use todo_domain::Priority;

use super::{plan, Edit, ListBinds, OccurrenceStep, TagCount, TaskChanges, TaskRow, TASK_COLUMNS};
use crate::error::FieldError;
use crate::tasks::list::SortOrder;

pub fn create(c: &Connection, mut row: TaskRow) -> rusqlite::Result<TaskRow> {
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
) -> rusqlite::Result<Result<Option<TaskRow>, FieldError>> {
    let Some(current) = get(c, user_id, id)? else { return Ok(Ok(None)) };
    let Edit { mut row, tags_changed, occurrence } = match plan(&current, changes, now) {
        Ok(edit) => edit,
        Err(invalid) => return Ok(Err(invalid)),
    };
    match occurrence {
        OccurrenceStep::None => {}
        OccurrenceStep::Create(next) => row.next_occurrence_id = Some(create(c, next)?.id),
        OccurrenceStep::DeleteIfUntouched(next_id) => {
            let deleted = c
                .prepare_cached("DELETE FROM tasks WHERE id = ?1 AND user_id = ?2 AND updated_at = created_at")?
                .execute(params![next_id, user_id])?;
            if deleted > 0 {
                row.next_occurrence_id = None;
            }
        }
    }
    write(c, &row)?;
    if tags_changed {
        c.prepare_cached("DELETE FROM task_tags WHERE task_id = ?1")?.execute([row.id])?;
        insert_tags(c, &row)?;
    }
    Ok(Ok(Some(row)))
}

pub fn delete(c: &Connection, user_id: &str, id: i64) -> rusqlite::Result<bool> {
    // Its tags go with it (ON DELETE CASCADE); a task linking to it forgets the link.
    let deleted = c.prepare_cached("DELETE FROM tasks WHERE id = ?1 AND user_id = ?2")?.execute(params![id, user_id])?;
    Ok(deleted > 0)
}

pub fn list(c: &Connection, sql: &str, binds: Binds) -> rusqlite::Result<Vec<TaskRow>> {
    let mut statement = c.prepare_cached(sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(binds.0), task_from_row)?;
    rows.collect()
}

pub fn tags(c: &Connection, user_id: &str) -> rusqlite::Result<Vec<TagCount>> {
    let mut statement = c.prepare_cached(
        "SELECT MIN(tag), COUNT(*) FROM task_tags WHERE user_id = ?1 GROUP BY tag_folded ORDER BY tag_folded",
    )?;
    let rows = statement.query_map([user_id], |row| Ok(TagCount { name: row.get(0)?, count: row.get(1)? }))?;
    rows.collect()
}

fn insert(c: &Connection, row: &TaskRow) -> rusqlite::Result<i64> {
    // A NULL id makes SQLite pick the next one (AUTOINCREMENT: never one used before).
    let sql = "INSERT INTO tasks (id, user_id, title, title_folded, description, description_folded, completed, \
               priority, tags, due_at, all_day, time_zone, recurrence, remind_at, next_occurrence_id, created_at, updated_at) \
               VALUES (:id, :user_id, :title, :title_folded, :description, :description_folded, :completed, \
               :priority, :tags, :due_at, :all_day, :time_zone, :recurrence, :remind_at, :next_occurrence_id, :created_at, :updated_at) \
               RETURNING id";
    c.prepare_cached(sql)?.query_row(&*RowParams::of(row).named(), |r| r.get(0))
}

fn write(c: &Connection, row: &TaskRow) -> rusqlite::Result<()> {
    let sql = "UPDATE tasks SET title = :title, title_folded = :title_folded, description = :description, \
               description_folded = :description_folded, completed = :completed, priority = :priority, tags = :tags, \
               due_at = :due_at, all_day = :all_day, time_zone = :time_zone, recurrence = :recurrence, \
               remind_at = :remind_at, next_occurrence_id = :next_occurrence_id, created_at = :created_at, \
               updated_at = :updated_at WHERE id = :id AND user_id = :user_id";
    c.prepare_cached(sql)?.execute(&*RowParams::of(row).named())?;
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
            (":time_zone", &row.time_zone),
            (":recurrence", &row.recurrence),
            (":remind_at", &self.remind_at),
            (":next_occurrence_id", &row.next_occurrence_id),
            (":created_at", &self.created_at),
            (":updated_at", &self.updated_at),
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

    fn due_key(order: SortOrder) -> &'static str {
        // The same text as the indexes of migrations/sqlite/0002_organize.sql.
        match order {
            SortOrder::Asc => "COALESCE(due_at, 9223372036854775807)",
            SortOrder::Desc => "COALESCE(due_at, -9223372036854775807)",
        }
    }

    fn due_cursor(&mut self, value: Option<DateTime<Utc>>, order: SortOrder) -> String {
        let none = match order {
            SortOrder::Asc => i64::MAX,
            SortOrder::Desc => -i64::MAX,
        };
        self.push(Value::Integer(value.map_or(none, micros)))
    }
}

/// Times are stored in SQLite as RFC 3339 text, as sqlx wrote them before: UTC
/// with as many fractional digits as needed.
fn stamp(time: &DateTime<Utc>) -> String {
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
        priority: Priority::from_rank(row.get(5)?).unwrap_or_default(),
        tags: serde_json::from_str(row.get_ref(6)?.as_str()?).map_err(|err| conversion(6, err))?,
        due_at: row.get::<_, Option<i64>>(7)?.map(|t| from_micros(7, t)).transpose()?,
        all_day: row.get(8)?,
        time_zone: row.get(9)?,
        recurrence: row.get(10)?,
        remind_at: row.get::<_, Option<i64>>(11)?.map(|t| from_micros(11, t)).transpose()?,
        next_occurrence_id: row.get(12)?,
        created_at: time_from_row(row, 13)?,
        updated_at: time_from_row(row, 14)?,
    })
}

fn conversion(index: usize, err: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err))
}

fn from_micros(index: usize, micros: i64) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(index, micros))
}

/// Reads what the API writes (RFC 3339), and also SQLite's own `datetime()` form
/// (`YYYY-MM-DD HH:MM:SS`, UTC), so a row edited by hand does not break a list.
fn time_from_row(row: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text = row.get_ref(index)?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .or_else(|err| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc()).map_err(|_| err)
        })
        .map_err(|err| conversion(index, err))
}
