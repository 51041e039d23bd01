//! Lists and the manual order on PostgreSQL. Two moves may race here: each
//! computes its key from what it read, and the unique indexes over positions
//! (`tasks_user_list_position`, `lists_user_position`) refuse the second of two
//! equal keys; that transaction is then tried again from the start
//! ([`retry_position_clash`]), reading the key the first one wrote.

use std::future::Future;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use todo_domain::Color;

use super::{ListChanges, ListRow, NewList, Ordered, Refused, TaskMove, TasksOfDeleted};
use crate::db::StoreError;
use crate::lists::position::{before, between, parked, spread};
use crate::tasks::store::{TaskRow, TASK_COLUMNS};

type Outcome<T> = Result<Result<T, Refused>, StoreError>;

/// How many times a transaction that lost a race for a position is run again.
const POSITION_RETRIES: u32 = 8;

/// Runs `attempt` (one whole transaction) again while it loses a race for a
/// position to another transaction, as each try reads anew.
pub async fn retry_position_clash<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(err) if tries < POSITION_RETRIES && is_position_clash(&err) => tries += 1,
            outcome => return outcome,
        }
    }
}

fn is_position_clash(err: &StoreError) -> bool {
    matches!(err.unique_violation(), Some("tasks_user_list_position" | "lists_user_position"))
}

pub async fn owns_list(c: &mut PgConnection, user_id: &str, list: Option<i64>) -> Result<bool, StoreError> {
    let Some(id) = list else { return Ok(true) };
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM lists WHERE id = $1 AND user_id = $2)")
        .bind(id)
        .bind(user_id)
        .fetch_one(c)
        .await?)
}

/// As SQLite's: the open tasks counted through the index over each list's tasks.
const LIST_COLUMNS: &str = "id, name, color, position, \
    (SELECT COUNT(*) FROM tasks t WHERE t.user_id = lists.user_id AND COALESCE(t.list_id, 0) = lists.id \
     AND t.completed = FALSE) AS open_count, created_at, updated_at";

pub async fn all(pool: &PgPool, user_id: &str) -> Result<(i64, Vec<ListRow>), StoreError> {
    let inbox: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks WHERE user_id = $1 AND COALESCE(list_id, 0) = 0 AND completed = FALSE",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE user_id = $1 ORDER BY position");
    let lists = sqlx::query(&sql).bind(user_id).fetch_all(pool).await?;
    Ok((inbox, lists.iter().map(list_from_row).collect::<Result<_, _>>()?))
}

pub async fn get(c: &mut PgConnection, user_id: &str, id: i64) -> Result<Option<ListRow>, StoreError> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE id = $1 AND user_id = $2");
    let row = sqlx::query(&sql).bind(id).bind(user_id).fetch_optional(c).await?;
    Ok(row.as_ref().map(list_from_row).transpose()?)
}

async fn name_taken(c: &mut PgConnection, user_id: &str, folded: &str, except: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM lists WHERE user_id = $1 AND name_folded = $2 AND id != $3)")
        .bind(user_id)
        .bind(folded)
        .bind(except)
        .fetch_one(c)
        .await?)
}

/// Two creates of one name racing each other: the second breaks `lists_user_name`.
fn name_clash<T>(outcome: Outcome<T>) -> Outcome<T> {
    match outcome {
        Err(err) if err.unique_violation() == Some("lists_user_name") => Ok(Err(Refused::NameTaken)),
        other => other,
    }
}

pub async fn create(pool: &PgPool, user_id: &str, list: &NewList, max: u64, now: DateTime<Utc>) -> Outcome<ListRow> {
    name_clash(retry_position_clash(|| create_once(pool, user_id, list, max, now)).await)
}

async fn create_once(pool: &PgPool, user_id: &str, list: &NewList, max: u64, now: DateTime<Utc>) -> Outcome<ListRow> {
    let mut tx = pool.begin().await?;
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM lists WHERE user_id = $1").bind(user_id).fetch_one(&mut *tx).await?;
    if u64::try_from(kept).unwrap_or(0) >= max {
        return Ok(Err(Refused::TooManyLists));
    }
    if name_taken(&mut tx, user_id, &list.name.folded(), 0).await? {
        return Ok(Err(Refused::NameTaken));
    }
    let position = place_last(&mut tx, user_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO lists (user_id, name, name_folded, color, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(list.name.as_str())
    .bind(list.name.folded())
    .bind(list.color.as_str())
    .bind(&position)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(ListRow::created(id, list, position, now)))
}

pub async fn update(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    changes: &ListChanges,
    now: DateTime<Utc>,
) -> Outcome<Option<ListRow>> {
    let mut tx = pool.begin().await?;
    let locked = sqlx::query("SELECT id FROM lists WHERE id = $1 AND user_id = $2 FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    if locked.is_none() {
        return Ok(Ok(None));
    }
    let Some(mut list) = get(&mut tx, user_id, id).await? else { return Ok(Ok(None)) };
    if let Some(name) = &changes.name {
        if name_taken(&mut tx, user_id, &name.folded(), id).await? {
            return Ok(Err(Refused::NameTaken));
        }
        list.name = name.as_str().to_owned();
    }
    if let Some(color) = changes.color {
        list.color = color;
    }
    list.updated_at = later(now, list.updated_at);
    let written =
        sqlx::query("UPDATE lists SET name = $1, name_folded = $2, color = $3, updated_at = $4 WHERE id = $5")
            .bind(&list.name)
            .bind(todo_domain::fold(&list.name))
            .bind(list.color.as_str())
            .bind(list.updated_at)
            .bind(id)
            .execute(&mut *tx)
            .await;
    if let Err(err) = written {
        return name_clash(Err(err.into()));
    }
    tx.commit().await?;
    Ok(Ok(Some(list)))
}

pub async fn delete(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    tasks: TasksOfDeleted,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    retry_position_clash(|| delete_once(pool, user_id, id, tasks, now)).await
}

async fn delete_once(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    tasks: TasksOfDeleted,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    // The list's row locked first: a task moved into it meanwhile waits, then finds it gone.
    let locked = sqlx::query("SELECT id FROM lists WHERE id = $1 AND user_id = $2 FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    if locked.is_none() {
        return Ok(false);
    }
    match tasks {
        TasksOfDeleted::Delete => {
            sqlx::query("DELETE FROM tasks WHERE list_id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        TasksOfDeleted::ToInbox => to_inbox(&mut tx, user_id, id, now).await?,
    }
    sqlx::query("DELETE FROM lists WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(true)
}

/// As SQLite's: the list's tasks to the front of the Inbox, in their order.
async fn to_inbox(c: &mut PgConnection, user_id: &str, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let moving = ids_in_order(c, user_id, Ordered::tasks(Some(id))).await?;
    let inbox = Ordered::tasks(None);
    let keys = before(moving.len(), first(c, user_id, inbox, 0).await?.as_deref());
    let fits = keys.is_some();
    let keys: Vec<String> = keys.unwrap_or_else(|| moving.iter().map(|task| parked(*task)).collect());
    sqlx::query(
        "UPDATE tasks SET list_id = NULL, position = k.position, updated_at = GREATEST(updated_at, $3) \
         FROM UNNEST($1::bigint[], $2::text[]) AS k(id, position) WHERE tasks.id = k.id",
    )
    .bind(&moving)
    .bind(&keys)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if !fits {
        let mut order = moving.clone();
        order.extend(ids_in_order(c, user_id, inbox).await?.into_iter().filter(|task| !moving.contains(task)));
        rebalance(c, user_id, inbox, &order).await?;
    }
    Ok(())
}

pub async fn move_list(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    after: Option<i64>,
    now: DateTime<Utc>,
) -> Outcome<Option<ListRow>> {
    retry_position_clash(|| async move {
        let mut tx = pool.begin().await?;
        let Some(mut list) = get(&mut tx, user_id, id).await? else { return Ok(Ok(None)) };
        let Some(position) = place(&mut tx, user_id, Ordered::Lists, after, id).await? else {
            return Ok(Err(Refused::AfterNotThere));
        };
        list.position = position;
        list.updated_at = later(now, list.updated_at);
        sqlx::query("UPDATE lists SET position = $1, updated_at = $2 WHERE id = $3")
            .bind(&list.position)
            .bind(list.updated_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(Some(list)))
    })
    .await
}

pub async fn move_task(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    to: TaskMove,
    now: DateTime<Utc>,
) -> Outcome<Option<TaskRow>> {
    retry_position_clash(|| async move {
        let mut tx = pool.begin().await?;
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2 FOR UPDATE");
        let task = sqlx::query_as::<_, TaskRow>(&sql).bind(id).bind(user_id).fetch_optional(&mut *tx).await?;
        let Some(mut task) = task else { return Ok(Ok(None)) };
        let list = to.list.unwrap_or(task.list_id);
        if !owns_list(&mut tx, user_id, list).await? {
            return Ok(Err(Refused::NoSuchList));
        }
        let Some(position) = place(&mut tx, user_id, Ordered::tasks(list), to.after, id).await? else {
            return Ok(Err(Refused::AfterNotThere));
        };
        (task.list_id, task.position) = (list, position);
        task.updated_at = later(now, task.updated_at);
        sqlx::query("UPDATE tasks SET list_id = $1, position = $2, updated_at = $3 WHERE id = $4")
            .bind(task.list_id)
            .bind(&task.position)
            .bind(task.updated_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(Some(task)))
    })
    .await
}

/// A key for a task arriving in `list` (created, a next occurrence, its list changed): first.
pub async fn place_task_first(c: &mut PgConnection, user_id: &str, list: Option<i64>) -> Result<String, StoreError> {
    Ok(place(c, user_id, Ordered::tasks(list), None, 0).await?.expect("first always has a place"))
}

async fn place_last(c: &mut PgConnection, user_id: &str) -> Result<String, StoreError> {
    let sql = "SELECT position FROM lists WHERE user_id = $1 ORDER BY position DESC LIMIT 1";
    let last: Option<String> = sqlx::query_scalar(sql).bind(user_id).fetch_optional(&mut *c).await?;
    if let Some(key) = between(last.as_deref(), None) {
        return Ok(key);
    }
    let order = ids_in_order(c, user_id, Ordered::Lists).await?;
    rebalance(c, user_id, Ordered::Lists, &order).await?;
    let last: Option<String> = sqlx::query_scalar(sql).bind(user_id).fetch_optional(&mut *c).await?;
    Ok(between(last.as_deref(), None).expect("a rebalanced set has room at its end"))
}

/// As SQLite's: the key for `moving` (0: a new item) right after `after`
/// (`None`: first); `None` when `after` is not in the set.
async fn place(
    c: &mut PgConnection,
    user_id: &str,
    set: Ordered,
    after: Option<i64>,
    moving: i64,
) -> Result<Option<String>, StoreError> {
    for _ in 0..2 {
        let (lower, upper) = match after {
            None => (None, first(c, user_id, set, moving).await?),
            Some(after) => {
                let Some(lower) = position_of(c, user_id, set, after).await? else { return Ok(None) };
                let upper = next_after(c, user_id, set, &lower, moving).await?;
                (Some(lower), upper)
            }
        };
        if let Some(key) = between(lower.as_deref(), upper.as_deref()) {
            return Ok(Some(key));
        }
        let order = ids_in_order(c, user_id, set).await?;
        rebalance(c, user_id, set, &order).await?;
    }
    unreachable!("a rebalanced set has room between any two neighbours")
}

async fn first(c: &mut PgConnection, user_id: &str, set: Ordered, except: i64) -> Result<Option<String>, StoreError> {
    let sql = format!(
        "SELECT position FROM {} WHERE {} AND id != $3 ORDER BY position LIMIT 1",
        set.table(),
        set.scope("$1", "$2")
    );
    Ok(sqlx::query_scalar(&sql).bind(user_id).bind(set.list()).bind(except).fetch_optional(c).await?)
}

async fn position_of(c: &mut PgConnection, user_id: &str, set: Ordered, id: i64) -> Result<Option<String>, StoreError> {
    let sql = format!("SELECT position FROM {} WHERE {} AND id = $3", set.table(), set.scope("$1", "$2"));
    Ok(sqlx::query_scalar(&sql).bind(user_id).bind(set.list()).bind(id).fetch_optional(c).await?)
}

async fn next_after(
    c: &mut PgConnection,
    user_id: &str,
    set: Ordered,
    position: &str,
    except: i64,
) -> Result<Option<String>, StoreError> {
    let sql = format!(
        "SELECT position FROM {} WHERE {} AND position > $3 AND id != $4 ORDER BY position LIMIT 1",
        set.table(),
        set.scope("$1", "$2")
    );
    Ok(sqlx::query_scalar(&sql).bind(user_id).bind(set.list()).bind(position).bind(except).fetch_optional(c).await?)
}

async fn ids_in_order(c: &mut PgConnection, user_id: &str, set: Ordered) -> Result<Vec<i64>, StoreError> {
    let sql = format!("SELECT id FROM {} WHERE {} ORDER BY position", set.table(), set.scope("$1", "$2"));
    Ok(sqlx::query_scalar(&sql).bind(user_id).bind(set.list()).fetch_all(c).await?)
}

/// As SQLite's: fresh, evenly spread keys in `order`, each item parked first.
async fn rebalance(c: &mut PgConnection, user_id: &str, set: Ordered, order: &[i64]) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE {table} SET position = k.position FROM UNNEST($1::bigint[], $2::text[]) AS k(id, position) \
         WHERE {table}.id = k.id",
        table = set.table()
    );
    let parked_keys: Vec<String> = order.iter().map(|id| parked(*id)).collect();
    sqlx::query(&sql).bind(order).bind(parked_keys).execute(&mut *c).await?;
    sqlx::query(&sql).bind(order).bind(spread(order.len())).execute(&mut *c).await?;
    tracing::info!(user = user_id, items = order.len(), "rebalanced the positions of a list");
    Ok(())
}

fn later(now: DateTime<Utc>, before: DateTime<Utc>) -> DateTime<Utc> {
    now.max(before + chrono::Duration::microseconds(1))
}

fn list_from_row(row: &PgRow) -> Result<ListRow, sqlx::Error> {
    let color: String = row.try_get("color")?;
    Ok(ListRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        color: Color::parse(&color)
            .map_err(|err| sqlx::Error::ColumnDecode { index: "color".into(), source: err.into() })?,
        position: row.try_get("position")?,
        open_count: row.try_get("open_count")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
