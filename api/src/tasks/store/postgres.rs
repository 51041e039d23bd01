//! The task store on PostgreSQL: each function is one transaction (or one
//! statement) on the pool.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, PgConnection, PgPool, Row};
use todo_domain::{Completion, Priority, Recurrence, Zone};

use super::{
    plan, upgrade_rows, AllDayDue, ChangeError, Edit, ListBinds, OccurrenceStep, StoredText, TagCount, TaskChanges,
    TaskRow, UpgradeBatch, UpgradeReport, TASKS_KEPT, TASK_COLUMNS,
};
use crate::db::StoreError;
use crate::lists::store::postgres as lists;

/// Creates the task unless its user keeps `max_tasks` already, or its list is
/// none of theirs. Creates racing each other may pass the cap's check together:
/// a user can end a few tasks over the cap, never many. Two racing for the first
/// place in one list: one is tried again.
pub async fn create_within(
    pool: &PgPool,
    row: TaskRow,
    max_tasks: u64,
) -> Result<Result<TaskRow, ChangeError>, StoreError> {
    lists::retry_position_clash(|| async {
        let mut tx = pool.begin().await?;
        if u64::try_from(take_turn_to_create(&mut tx, &row.user_id).await?).unwrap_or(0) >= max_tasks {
            return Ok(Err(ChangeError::TooManyTasks { max: max_tasks }));
        }
        if !lists::owns_list(&mut tx, &row.user_id, row.list_id).await? {
            return Ok(Err(ChangeError::NoSuchList));
        }
        let row = insert_with_tags(&mut tx, row.clone()).await?;
        tx.commit().await?;
        Ok(Ok(row))
    })
    .await
}

/// How many tasks the user keeps (0 for one who never had any).
pub async fn tasks_kept(pool: &PgPool, user_id: &str) -> Result<i64, StoreError> {
    let kept: Option<i64> = sqlx::query_scalar(TASKS_KEPT).bind(user_id).fetch_optional(pool).await?;
    Ok(kept.unwrap_or(0))
}

pub async fn get(pool: &PgPool, user_id: &str, id: i64) -> Result<Option<TaskRow>, StoreError> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2");
    let row = sqlx::query_as::<_, TaskRow>(&sql).bind(id).bind(user_id).fetch_optional(pool).await?;
    Ok(row)
}

pub async fn update(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    changes: &TaskChanges,
    now: DateTime<Utc>,
) -> Result<Result<Option<TaskRow>, ChangeError>, StoreError> {
    // No position changes here, so the fast path needs no retry.
    if let Some(completion) = changes.completion_only() {
        if let Some(row) = set_completed(pool, user_id, id, completion, now).await? {
            return Ok(Ok(Some(row)));
        }
    }
    lists::retry_position_clash(|| update_once(pool, user_id, id, changes, now)).await
}

async fn update_once(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    changes: &TaskChanges,
    now: DateTime<Utc>,
) -> Result<Result<Option<TaskRow>, ChangeError>, StoreError> {
    let mut tx = pool.begin().await?;
    // The row lock makes concurrent changes of one task take turns, so two
    // completes cannot both see it open and create two occurrences.
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2 FOR UPDATE");
    let current = sqlx::query_as::<_, TaskRow>(&sql).bind(id).bind(user_id).fetch_optional(&mut *tx).await?;
    let Some(current) = current else { return Ok(Ok(None)) };
    let Edit { mut row, tags_changed, list_changed, occurrence } = match plan(&current, changes, now) {
        Ok(edit) => edit,
        Err(invalid) => return Ok(Err(invalid.into())),
    };
    if list_changed && !lists::owns_list(&mut tx, user_id, row.list_id).await? {
        return Ok(Err(ChangeError::NoSuchList));
    }
    match occurrence {
        OccurrenceStep::None => {}
        OccurrenceStep::Create(next) => {
            take_turn_to_create(&mut tx, user_id).await?;
            row.next_occurrence_id = Some(insert_with_tags(&mut tx, *next).await?.id);
        }
        OccurrenceStep::DeleteIfUntouched(next_id) => {
            let deleted = sqlx::query("DELETE FROM tasks WHERE id = $1 AND user_id = $2 AND updated_at = created_at")
                .bind(next_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if deleted.rows_affected() > 0 {
                row.next_occurrence_id = None;
            }
        }
    }
    // Placed after a next occurrence arrived in the same list, so it goes before that one.
    if list_changed {
        row.position = lists::place_task_first(&mut tx, user_id, row.list_id).await?;
    }
    write(&mut tx, &row).await?;
    if tags_changed {
        sqlx::query("DELETE FROM task_tags WHERE task_id = $1").bind(row.id).execute(&mut *tx).await?;
        insert_tags(&mut tx, &row).await?;
    }
    tx.commit().await?;
    Ok(Ok(Some(row)))
}

/// A change of `completed` alone, in one statement (see `TaskChanges::completion_only`):
/// `None` when the task is not the user's, repeats or links to an occurrence. One
/// round trip instead of a transaction's four; the update takes the row lock the
/// full path's `FOR UPDATE` takes.
async fn set_completed(
    pool: &PgPool,
    user_id: &str,
    id: i64,
    completion: Completion,
    now: DateTime<Utc>,
) -> Result<Option<TaskRow>, StoreError> {
    // NULL toggles.
    let value = match completion {
        Completion::Set(value) => Some(value),
        Completion::Toggle => None,
    };
    let sql = format!(
        "UPDATE tasks SET completed = COALESCE($3, NOT completed), \
         updated_at = GREATEST($4, updated_at + interval '1 microsecond') \
         WHERE id = $1 AND user_id = $2 AND recurrence IS NULL AND next_occurrence_id IS NULL \
         RETURNING {TASK_COLUMNS}"
    );
    let row =
        sqlx::query_as::<_, TaskRow>(&sql).bind(id).bind(user_id).bind(value).bind(now).fetch_optional(pool).await?;
    Ok(row)
}

pub async fn delete(pool: &PgPool, user_id: &str, id: i64) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    // A task linking to this one (it is that task's next occurrence) forgets the
    // link (ON DELETE SET NULL). Lock that task first, in the order an update of
    // it takes the two rows (it, then its occurrence), so the two cannot deadlock.
    sqlx::query("SELECT id FROM tasks WHERE next_occurrence_id = $1 AND user_id = $2 FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    // Its tags go with it (ON DELETE CASCADE).
    let deleted = sqlx::query("DELETE FROM tasks WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(deleted.rows_affected() > 0)
}

/// `search`: the statement has a `LIKE` on the search text. It is then planned
/// for each request's own text (an unnamed statement): whether pg_trgm's index
/// or the user's tasks in order is faster depends on how common the text is,
/// and a prepared statement's generic plan, made once for any text, chose the
/// index for text in every task (5 ms instead of 0.03 ms on 10,000 tasks).
/// The statements run in turn until `page_rows` are read (see `list_sql`).
pub async fn list(
    pool: &PgPool,
    statements: Vec<String>,
    binds: Binds,
    page_rows: usize,
    search: bool,
) -> Result<Vec<TaskRow>, StoreError> {
    let binds = binds.0.map_err(sqlx::Error::Encode)?;
    let mut rows = Vec::with_capacity(page_rows);
    for sql in &statements {
        rows.extend(
            sqlx::query_as_with::<_, TaskRow, _>(sql, binds.clone()).persistent(!search).fetch_all(pool).await?,
        );
        if rows.len() >= page_rows {
            break;
        }
    }
    rows.truncate(page_rows);
    Ok(rows)
}

pub async fn tags(pool: &PgPool, user_id: &str) -> Result<Vec<TagCount>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        // By code point, as SQLite compares, whatever the database's collation.
        "SELECT MIN(tag COLLATE \"C\"), COUNT(*) FROM task_tags WHERE user_id = $1 \
         GROUP BY tag_folded ORDER BY tag_folded COLLATE \"C\"",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(name, count)| TagCount { name, count }).collect())
}

pub async fn upgrade_applied(pool: &PgPool, name: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_upgrades WHERE name = $1)")
        .bind(name)
        .fetch_one(pool)
        .await?)
}

pub async fn mark_upgrade_applied(pool: &PgPool, name: &str) -> Result<(), StoreError> {
    // Several instances may start at once and each run the (idempotent) upgrade.
    sqlx::query("INSERT INTO api_upgrades (name, applied_at) VALUES ($1, now()) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn upgrade_text_batch(pool: &PgPool, after: i64, limit: i64) -> Result<UpgradeBatch, StoreError> {
    let mut tx = pool.begin().await?;
    let rows: Vec<StoredText> = sqlx::query_as(
        "SELECT id, title, title_folded, description, description_folded FROM tasks WHERE id > $1 ORDER BY id LIMIT $2 \
         FOR UPDATE",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let last_id = rows.last().map(|row| row.id);
    let mut report = UpgradeReport::default();
    for row in upgrade_rows(rows, &mut report) {
        sqlx::query(
            "UPDATE tasks SET title = $2, title_folded = $3, description = $4, description_folded = $5 WHERE id = $1",
        )
        .bind(row.id)
        .bind(row.title)
        .bind(row.title_folded)
        .bind(row.description)
        .bind(row.description_folded)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(UpgradeBatch { report, last_id })
}

/// Gives up to `limit` all-day tasks without their calendar date that date; how many.
pub async fn date_all_day_batch(pool: &PgPool, limit: i64) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    let rows: Vec<AllDayDue> = sqlx::query_as(
        "SELECT id, due_at, time_zone FROM tasks WHERE all_day AND due_at IS NOT NULL AND due_date IS NULL \
         ORDER BY id LIMIT $1 FOR UPDATE",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let dates: Vec<i32> = rows.iter().map(AllDayDue::date).collect();
    sqlx::query(
        "UPDATE tasks SET due_date = d.date FROM UNNEST($1::bigint[], $2::int[]) AS d(id, date) WHERE tasks.id = d.id",
    )
    .bind(ids)
    .bind(dates)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.len() as u64)
}

impl sqlx::FromRow<'_, PgRow> for TaskRow {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        let decode =
            |column: &str, err: String| sqlx::Error::ColumnDecode { index: column.to_owned(), source: err.into() };
        Ok(TaskRow {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            completed: row.try_get("completed")?,
            priority: Priority::try_from(row.try_get::<i16, _>("priority")?).map_err(|e| decode("priority", e))?,
            tags: row.try_get("tags")?,
            due_at: row.try_get("due_at")?,
            all_day: row.try_get("all_day")?,
            time_zone: Zone::try_from(row.try_get::<String, _>("time_zone")?).map_err(|e| decode("time_zone", e))?,
            recurrence: row
                .try_get::<Option<String>, _>("recurrence")?
                .map(|rule| Recurrence::parse(&rule).map_err(|e| decode("recurrence", format!("{rule:?} {e}"))))
                .transpose()?,
            remind_at: row.try_get("remind_at")?,
            next_occurrence_id: row.try_get("next_occurrence_id")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            list_id: row.try_get("list_id")?,
            position: row.try_get("position")?,
        })
    }
}

/// Inserts the task first in its list.
/// Locks the person's row of `task_counts` for the rest of the transaction and
/// reads how many tasks they keep. A task arrives first in its list, so a person's
/// creates racing each other (two tabs, two instances) would all read the same first
/// task and choose the same place, and all but one would fail on the unique position
/// index, then again on each retry while more creates arrive: taking turns here makes
/// each create read the place the one before it took. The insert's trigger updates
/// that row anyway, so the turn costs only its earlier start. (A person's first ever
/// task has no row to lock yet: such a race is left to the position retry.)
async fn take_turn_to_create(c: &mut PgConnection, user_id: &str) -> Result<i64, StoreError> {
    let kept: Option<i64> = sqlx::query_scalar(TASKS_KEPT_FOR_CREATE).bind(user_id).fetch_optional(&mut *c).await?;
    Ok(kept.unwrap_or(0))
}

const TASKS_KEPT_FOR_CREATE: &str = "SELECT tasks FROM task_counts WHERE user_id = $1 FOR UPDATE";

async fn insert_with_tags(c: &mut PgConnection, mut row: TaskRow) -> Result<TaskRow, StoreError> {
    row.position = lists::place_task_first(&mut *c, &row.user_id, row.list_id).await?;
    let sql = format!(
        "INSERT INTO tasks ({FIELD_COLUMNS}, user_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id"
    );
    let query = bind_fields(sqlx::query_scalar(&sql), &row);
    row.id = query.bind(&row.user_id).bind(row.created_at).fetch_one(&mut *c).await?;
    insert_tags(c, &row).await?;
    Ok(row)
}

async fn write(c: &mut PgConnection, row: &TaskRow) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE tasks SET ({FIELD_COLUMNS}, updated_at) = \
         ROW($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) WHERE id = $18 RETURNING id"
    );
    bind_fields(sqlx::query_scalar(&sql), row).bind(row.updated_at).bind(row.id).fetch_one(&mut *c).await?;
    Ok(())
}

/// The columns a write sets, in the order [`bind_fields`] binds them as `$1`–`$16`.
const FIELD_COLUMNS: &str = "title, title_folded, description, description_folded, completed, priority, tags, \
                             due_at, all_day, time_zone, recurrence, remind_at, next_occurrence_id, due_date, \
                             list_id, position";

fn bind_fields<'q>(
    query: sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, PgArguments>,
    row: &'q TaskRow,
) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, PgArguments> {
    query
        .bind(&row.title)
        .bind(row.title_folded())
        .bind(&row.description)
        .bind(row.description_folded())
        .bind(row.completed)
        .bind(row.priority.rank())
        .bind(&row.tags)
        .bind(row.due_at)
        .bind(row.all_day)
        .bind(row.time_zone.name())
        .bind(row.recurrence.as_ref().map(ToString::to_string))
        .bind(row.remind_at)
        .bind(row.next_occurrence_id)
        .bind(row.all_day_date())
        .bind(row.list_id)
        .bind(&row.position)
}

async fn insert_tags(c: &mut PgConnection, row: &TaskRow) -> Result<(), StoreError> {
    if row.tags.is_empty() {
        return Ok(());
    }
    let (folded, spelled): (Vec<String>, Vec<&str>) = row.tag_rows().unzip();
    sqlx::query(
        "INSERT INTO task_tags (task_id, user_id, tag_folded, tag) SELECT $1, $2, * FROM UNNEST($3::text[], $4::text[])",
    )
    .bind(row.id)
    .bind(&row.user_id)
    .bind(folded)
    .bind(spelled)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The list query's values, bound by number (`$1`, `$2`, …).
pub struct Binds(Result<PgArguments, sqlx::error::BoxDynError>);

impl Default for Binds {
    fn default() -> Self {
        Self(Ok(PgArguments::default()))
    }
}

impl Binds {
    fn push<T>(&mut self, value: T) -> String
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        if let Ok(arguments) = &mut self.0 {
            if let Err(err) = arguments.add(value) {
                self.0 = Err(err);
                return "NULL".into();
            }
            return format!("${}", arguments.len());
        }
        "NULL".into()
    }
}

impl ListBinds for Binds {
    fn text(&mut self, value: String) -> String {
        self.push(value)
    }

    fn int(&mut self, value: i64) -> String {
        self.push(value)
    }

    fn stamp(&mut self, value: DateTime<Utc>) -> String {
        self.push(value)
    }

    fn instant(&mut self, value: DateTime<Utc>) -> String {
        self.push(value)
    }

    fn int_in(&mut self, column: &str, values: Vec<i64>) -> String {
        format!("{column} = ANY({})", self.push(values))
    }

    fn text_in(&mut self, column: &str, values: Vec<String>) -> String {
        format!("{column} = ANY({})", self.push(values))
    }
}
