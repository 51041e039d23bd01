//! Every SQL statement on tasks, each written once for both dialects.

use chrono::{DateTime, Utc};

use super::list::{ListQuery, SortKey, SortOrder, StatusFilter};
use super::model::{now, NewTask, Task, TaskChanges};
use crate::db::Db;
use crate::with_pool;

const COLUMNS: &str = "id, user_id, title, description, completed, created_at, updated_at";

pub async fn insert(db: &Db, user_id: &str, task: &NewTask) -> Result<Task, sqlx::Error> {
    const SQL: &str = "INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         RETURNING id, user_id, title, description, completed, created_at, updated_at";
    let description = task.description.as_ref().map(|d| d.as_str());
    with_pool!(db, |pool| sqlx::query_as::<_, Task>(SQL)
        .bind(user_id)
        .bind(task.title.as_str())
        .bind(description)
        .bind(task.completed)
        .bind(now())
        .fetch_one(pool)
        .await)
}

pub async fn find(db: &Db, user_id: &str, id: i64) -> Result<Option<Task>, sqlx::Error> {
    const SQL: &str = "SELECT id, user_id, title, description, completed, created_at, updated_at \
         FROM tasks WHERE id = $1 AND user_id = $2";
    with_pool!(db, |pool| sqlx::query_as::<_, Task>(SQL).bind(id).bind(user_id).fetch_optional(pool).await)
}

/// Applies the changes in one statement; fields left `None` keep their value.
pub async fn update(db: &Db, user_id: &str, id: i64, changes: &TaskChanges) -> Result<Option<Task>, sqlx::Error> {
    const SQL: &str = "UPDATE tasks SET \
           title = COALESCE($3, title), \
           description = CASE WHEN $4 THEN $5 ELSE description END, \
           completed = COALESCE($6, completed), \
           updated_at = $7 \
         WHERE id = $1 AND user_id = $2 \
         RETURNING id, user_id, title, description, completed, created_at, updated_at";
    let title = changes.title.as_ref().map(|t| t.as_str());
    let set_description = changes.description.is_some();
    let description = changes.description.as_ref().and_then(|d| d.as_ref()).map(|d| d.as_str());
    with_pool!(db, |pool| sqlx::query_as::<_, Task>(SQL)
        .bind(id)
        .bind(user_id)
        .bind(title)
        .bind(set_description)
        .bind(description)
        .bind(changes.completed)
        .bind(now())
        .fetch_optional(pool)
        .await)
}

/// Sets `completed` to the given value, or flips it when `None`, atomically.
pub async fn set_completed(db: &Db, user_id: &str, id: i64, completed: Option<bool>) -> Result<Option<Task>, sqlx::Error> {
    const SQL: &str = "UPDATE tasks SET completed = COALESCE($3, NOT completed), updated_at = $4 \
         WHERE id = $1 AND user_id = $2 \
         RETURNING id, user_id, title, description, completed, created_at, updated_at";
    with_pool!(db, |pool| sqlx::query_as::<_, Task>(SQL)
        .bind(id)
        .bind(user_id)
        .bind(completed)
        .bind(now())
        .fetch_optional(pool)
        .await)
}

/// Whether a task was deleted.
pub async fn delete(db: &Db, user_id: &str, id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM tasks WHERE id = $1 AND user_id = $2";
    with_pool!(db, |pool| sqlx::query(SQL)
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected() > 0))
}

/// A value bound to a list query's placeholder.
enum Bind {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

/// One page of a user's tasks, with one row more than asked when a next page exists.
pub async fn list(db: &Db, user_id: &str, query: &ListQuery) -> Result<Vec<Task>, sqlx::Error> {
    let mut binds = vec![Bind::Text(user_id.to_owned())];
    let param = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let mut sql = format!("SELECT {COLUMNS} FROM tasks WHERE user_id = $1");

    match query.status {
        StatusFilter::All => {}
        StatusFilter::Pending => sql.push_str(" AND completed = FALSE"),
        StatusFilter::Completed => sql.push_str(" AND completed = TRUE"),
    }
    if let Some(text) = &query.q {
        let p = param(&mut binds, Bind::Text(format!("%{}%", escape_like(text))));
        sql.push_str(&format!(
            " AND (lower(title) LIKE lower({p}) ESCAPE '\\' OR lower(description) LIKE lower({p}) ESCAPE '\\')"
        ));
    }
    let (key, key_param_wrap) = match query.sort {
        SortKey::CreatedAt => ("created_at", false),
        SortKey::UpdatedAt => ("updated_at", false),
        SortKey::Title => ("lower(title)", true),
    };
    let (cmp, dir) = match query.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    if let Some(after) = &query.after {
        let value = match query.sort {
            SortKey::Title => Bind::Text(after.value.clone()),
            _ => Bind::Time(after.timestamp().ok_or_else(|| sqlx::Error::Decode("cursor timestamp".into()))?),
        };
        let v = param(&mut binds, value);
        let v = if key_param_wrap { format!("lower({v})") } else { v };
        let id = param(&mut binds, Bind::Int(after.id));
        sql.push_str(&format!(" AND ({key}, id) {cmp} ({v}, {id})"));
    }
    let limit = param(&mut binds, Bind::Int(i64::from(query.limit) + 1));
    sql.push_str(&format!(" ORDER BY {key} {dir}, id {dir} LIMIT {limit}"));

    with_pool!(db, |pool| {
        let mut statement = sqlx::query_as::<_, Task>(&sql);
        for value in binds {
            statement = match value {
                Bind::Text(v) => statement.bind(v),
                Bind::Int(v) => statement.bind(v),
                Bind::Time(v) => statement.bind(v),
            };
        }
        statement.fetch_all(pool).await
    })
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
