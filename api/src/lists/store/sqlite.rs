//! Lists and the manual order on SQLite, on the store's threads (a write runs
//! on the one writer, so two moves never race here).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use todo_domain::Color;

use super::{ListChanges, ListRow, NewList, Ordered, Refused, TaskMove, TasksOfDeleted};
use crate::lists::position::{before, between, parked, spread};
use crate::tasks::store::{
    sqlite_get as get_task, sqlite_stamp as stamp, sqlite_time_from_row as time_from_row, TaskRow,
};

type Outcome<T> = rusqlite::Result<Result<T, Refused>>;

pub fn owns_list(c: &Connection, user_id: &str, list: Option<i64>) -> rusqlite::Result<bool> {
    let Some(id) = list else { return Ok(true) };
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM lists WHERE id = ?1 AND user_id = ?2)")?
        .query_row(params![id, user_id], |row| row.get(0))
}

/// The columns of [`ListRow`], in its order, with the open tasks counted through
/// the index over each list's tasks.
const LIST_COLUMNS: &str = "id, name, color, position, \
    (SELECT COUNT(*) FROM tasks t WHERE t.user_id = lists.user_id AND COALESCE(t.list_id, 0) = lists.id \
     AND t.completed = FALSE), created_at, updated_at";

pub fn all(c: &Connection, user_id: &str) -> rusqlite::Result<(i64, Vec<ListRow>)> {
    let inbox = c
        .prepare_cached(
            "SELECT COUNT(*) FROM tasks WHERE user_id = ?1 AND COALESCE(list_id, 0) = 0 AND completed = FALSE",
        )?
        .query_row([user_id], |row| row.get(0))?;
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE user_id = ?1 ORDER BY position");
    let lists = c.prepare_cached(&sql)?.query_map([user_id], list_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok((inbox, lists))
}

pub fn get(c: &Connection, user_id: &str, id: i64) -> rusqlite::Result<Option<ListRow>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE id = ?1 AND user_id = ?2");
    c.prepare_cached(&sql)?.query_row(params![id, user_id], list_from_row).optional()
}

/// Whether another of the person's lists (not `except`) has this folded name.
fn name_taken(c: &Connection, user_id: &str, folded: &str, except: i64) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM lists WHERE user_id = ?1 AND name_folded = ?2 AND id != ?3)")?
        .query_row(params![user_id, folded, except], |row| row.get(0))
}

pub fn create(c: &Connection, user_id: &str, list: &NewList, max: u64, now: DateTime<Utc>) -> Outcome<ListRow> {
    let kept: i64 =
        c.prepare_cached("SELECT COUNT(*) FROM lists WHERE user_id = ?1")?.query_row([user_id], |row| row.get(0))?;
    if u64::try_from(kept).unwrap_or(0) >= max {
        return Ok(Err(Refused::TooManyLists));
    }
    if name_taken(c, user_id, &list.name.folded(), 0)? {
        return Ok(Err(Refused::NameTaken));
    }
    let position = place_last(c, user_id)?;
    let id: i64 = c
        .prepare_cached(
            "INSERT INTO lists (user_id, name, name_folded, color, position, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
        )?
        .query_row(
            params![user_id, list.name.as_str(), list.name.folded(), list.color.as_str(), position, stamp(&now)],
            |row| row.get(0),
        )?;
    Ok(Ok(ListRow::created(id, list, position, now)))
}

pub fn update(
    c: &Connection,
    user_id: &str,
    id: i64,
    changes: &ListChanges,
    now: DateTime<Utc>,
) -> Outcome<Option<ListRow>> {
    let Some(mut list) = get(c, user_id, id)? else { return Ok(Ok(None)) };
    if let Some(name) = &changes.name {
        if name_taken(c, user_id, &name.folded(), id)? {
            return Ok(Err(Refused::NameTaken));
        }
        list.name = name.as_str().to_owned();
    }
    if let Some(color) = changes.color {
        list.color = color;
    }
    list.updated_at = later(now, list.updated_at);
    c.prepare_cached("UPDATE lists SET name = ?1, name_folded = ?2, color = ?3, updated_at = ?4 WHERE id = ?5")?
        .execute(params![list.name, todo_domain::fold(&list.name), list.color.as_str(), stamp(&list.updated_at), id])?;
    Ok(Ok(Some(list)))
}

pub fn delete(
    c: &Connection,
    user_id: &str,
    id: i64,
    tasks: TasksOfDeleted,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    if !owns_list(c, user_id, Some(id))? {
        return Ok(false);
    }
    match tasks {
        TasksOfDeleted::Delete => {
            c.prepare_cached("DELETE FROM tasks WHERE list_id = ?1 AND user_id = ?2")?.execute(params![id, user_id])?;
        }
        TasksOfDeleted::ToInbox => to_inbox(c, user_id, id, now)?,
    }
    c.prepare_cached("DELETE FROM lists WHERE id = ?1 AND user_id = ?2")?.execute(params![id, user_id])?;
    Ok(true)
}

/// Moves a list's tasks to the front of the Inbox, in their order: keys before
/// the Inbox's first, or, when they would grow too long, the whole Inbox rebalanced
/// with them first.
fn to_inbox(c: &Connection, user_id: &str, id: i64, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let moving = ids_in_order(c, user_id, Ordered::tasks(Some(id)))?;
    let inbox = Ordered::tasks(None);
    let keys = before(moving.len(), first(c, user_id, inbox, 0)?.as_deref());
    let fits = keys.is_some();
    let keys: Vec<String> = keys.unwrap_or_else(|| moving.iter().map(|task| parked(*task)).collect());
    let mut write = c.prepare_cached(
        "UPDATE tasks SET list_id = NULL, position = ?2, updated_at = MAX(updated_at, ?3) WHERE id = ?1",
    )?;
    for (task, key) in moving.iter().zip(&keys) {
        write.execute(params![task, key, stamp(&now)])?;
    }
    if !fits {
        let mut order = moving.clone();
        order.extend(ids_in_order(c, user_id, inbox)?.into_iter().filter(|task| !moving.contains(task)));
        rebalance(c, user_id, inbox, &order)?;
    }
    Ok(())
}

pub fn move_list(
    c: &Connection,
    user_id: &str,
    id: i64,
    after: Option<i64>,
    now: DateTime<Utc>,
) -> Outcome<Option<ListRow>> {
    let Some(mut list) = get(c, user_id, id)? else { return Ok(Ok(None)) };
    let Some(position) = place(c, user_id, Ordered::Lists, after, id)? else { return Ok(Err(Refused::AfterNotThere)) };
    list.position = position;
    list.updated_at = later(now, list.updated_at);
    c.prepare_cached("UPDATE lists SET position = ?1, updated_at = ?2 WHERE id = ?3")?.execute(params![
        list.position,
        stamp(&list.updated_at),
        id
    ])?;
    Ok(Ok(Some(list)))
}

pub fn move_task(c: &Connection, user_id: &str, id: i64, to: TaskMove, now: DateTime<Utc>) -> Outcome<Option<TaskRow>> {
    let Some(mut task) = get_task(c, user_id, id)? else { return Ok(Ok(None)) };
    let list = to.list.unwrap_or(task.list_id);
    if !owns_list(c, user_id, list)? {
        return Ok(Err(Refused::NoSuchList));
    }
    let Some(position) = place(c, user_id, Ordered::tasks(list), to.after, id)? else {
        return Ok(Err(Refused::AfterNotThere));
    };
    (task.list_id, task.position) = (list, position);
    task.updated_at = later(now, task.updated_at);
    c.prepare_cached("UPDATE tasks SET list_id = ?1, position = ?2, updated_at = ?3 WHERE id = ?4")?
        .execute(params![task.list_id, task.position, stamp(&task.updated_at), id])?;
    Ok(Ok(Some(task)))
}

/// A key for a task arriving in `list` (created, a next occurrence, its list
/// changed): first.
pub fn place_task_first(c: &Connection, user_id: &str, list: Option<i64>) -> rusqlite::Result<String> {
    Ok(place(c, user_id, Ordered::tasks(list), None, 0)?.expect("first always has a place"))
}

fn place_last(c: &Connection, user_id: &str) -> rusqlite::Result<String> {
    let last = |c: &Connection| -> rusqlite::Result<Option<String>> {
        c.prepare_cached("SELECT position FROM lists WHERE user_id = ?1 ORDER BY position DESC LIMIT 1")?
            .query_row([user_id], |row| row.get(0))
            .optional()
    };
    if let Some(key) = between(last(c)?.as_deref(), None) {
        return Ok(key);
    }
    let order = ids_in_order(c, user_id, Ordered::Lists)?;
    rebalance(c, user_id, Ordered::Lists, &order)?;
    Ok(between(last(c)?.as_deref(), None).expect("a rebalanced set has room at its end"))
}

/// The key for `moving` (0: a new item) right after `after` in `set` (`None`:
/// first); `None` when `after` is not in the set.
fn place(
    c: &Connection,
    user_id: &str,
    set: Ordered,
    after: Option<i64>,
    moving: i64,
) -> rusqlite::Result<Option<String>> {
    for _ in 0..2 {
        let (lower, upper) = match after {
            None => (None, first(c, user_id, set, moving)?),
            Some(after) => {
                let Some(lower) = position_of(c, user_id, set, after)? else { return Ok(None) };
                let upper = next_after(c, user_id, set, &lower, moving)?;
                (Some(lower), upper)
            }
        };
        if let Some(key) = between(lower.as_deref(), upper.as_deref()) {
            return Ok(Some(key));
        }
        let order = ids_in_order(c, user_id, set)?;
        rebalance(c, user_id, set, &order)?;
    }
    unreachable!("a rebalanced set has room between any two neighbours")
}

fn first(c: &Connection, user_id: &str, set: Ordered, except: i64) -> rusqlite::Result<Option<String>> {
    let sql = format!(
        "SELECT position FROM {} WHERE {} AND id != ?3 ORDER BY position LIMIT 1",
        set.table(),
        set.scope("?1", "?2")
    );
    c.prepare_cached(&sql)?.query_row(params![user_id, set.list(), except], |row| row.get(0)).optional()
}

fn position_of(c: &Connection, user_id: &str, set: Ordered, id: i64) -> rusqlite::Result<Option<String>> {
    let sql = format!("SELECT position FROM {} WHERE {} AND id = ?3", set.table(), set.scope("?1", "?2"));
    c.prepare_cached(&sql)?.query_row(params![user_id, set.list(), id], |row| row.get(0)).optional()
}

fn next_after(
    c: &Connection,
    user_id: &str,
    set: Ordered,
    position: &str,
    except: i64,
) -> rusqlite::Result<Option<String>> {
    let sql = format!(
        "SELECT position FROM {} WHERE {} AND position > ?3 AND id != ?4 ORDER BY position LIMIT 1",
        set.table(),
        set.scope("?1", "?2")
    );
    c.prepare_cached(&sql)?.query_row(params![user_id, set.list(), position, except], |row| row.get(0)).optional()
}

fn ids_in_order(c: &Connection, user_id: &str, set: Ordered) -> rusqlite::Result<Vec<i64>> {
    let sql = format!("SELECT id FROM {} WHERE {} ORDER BY position", set.table(), set.scope("?1", "?2"));
    let ids = c.prepare_cached(&sql)?.query_map(params![user_id, set.list()], |row| row.get(0))?.collect();
    ids
}

/// Gives the set's items fresh, evenly spread keys in `order` (every item of the
/// set), each parked on a key of its own first so no two ever share one.
fn rebalance(c: &Connection, user_id: &str, set: Ordered, order: &[i64]) -> rusqlite::Result<()> {
    let table = set.table();
    let park = format!("UPDATE {table} SET position = ?2 WHERE id = ?1");
    let mut statement = c.prepare_cached(&park)?;
    for id in order {
        statement.execute(params![id, parked(*id)])?;
    }
    for (id, key) in order.iter().zip(spread(order.len())) {
        statement.execute(params![id, key])?;
    }
    tracing::info!(user = user_id, items = order.len(), "rebalanced the positions of a list");
    Ok(())
}

/// `now`, or just after `before` when the clock reads earlier, so `updated_at` never goes back.
fn later(now: DateTime<Utc>, before: DateTime<Utc>) -> DateTime<Utc> {
    now.max(before + chrono::Duration::microseconds(1))
}

fn list_from_row(row: &Row<'_>) -> rusqlite::Result<ListRow> {
    let color: String = row.get(2)?;
    Ok(ListRow {
        id: row.get(0)?,
        name: row.get(1)?,
        color: Color::parse(&color)
            .map_err(|err| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, err.into()))?,
        position: row.get(3)?,
        open_count: row.get(4)?,
        created_at: time_from_row(row, 5)?,
        updated_at: time_from_row(row, 6)?,
    })
}
