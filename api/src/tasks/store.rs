//! Every SQL statement on tasks, each written once for both dialects.

use super::list::{CursorKey, ListQuery, SortKey, SortOrder, StatusFilter};
use super::model::{now, NewTask, Task, TaskChanges};
use crate::db::Db;
use crate::{with_pool, with_writer};

/// The columns of [`Task`], in one place for every statement that returns tasks.
macro_rules! task_columns {
    () => {
        "id, user_id, title, description, completed, created_at, updated_at"
    };
}

pub async fn insert(db: &Db, user_id: &str, task: &NewTask) -> Result<Task, sqlx::Error> {
    const SQL: &str = concat!(
        "INSERT INTO tasks (user_id, title, title_folded, description, description_folded, completed, created_at, updated_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ",
        task_columns!()
    );
    let description = task.description.as_ref();
    with_writer!(db, |pool| sqlx::query_as::<_, Task>(SQL)
        .bind(user_id)
        .bind(task.title.as_str())
        .bind(task.title.folded())
        .bind(description.map(|d| d.as_str()))
        .bind(description.map(|d| d.folded()))
        .bind(task.completed)
        .bind(now())
        .fetch_one(pool)
        .await)
}

pub async fn find(db: &Db, user_id: &str, id: i64) -> Result<Option<Task>, sqlx::Error> {
    const SQL: &str = concat!("SELECT ", task_columns!(), " FROM tasks WHERE id = $1 AND user_id = $2");
    with_pool!(db, |pool| sqlx::query_as::<_, Task>(SQL).bind(id).bind(user_id).fetch_optional(pool).await)
}

/// Applies the changes in one statement; fields left `None` keep their value.
pub async fn update(db: &Db, user_id: &str, id: i64, changes: &TaskChanges) -> Result<Option<Task>, sqlx::Error> {
    const SQL: &str = concat!(
        "UPDATE tasks SET ",
        "title = COALESCE($3, title), title_folded = COALESCE($4, title_folded), ",
        "description = CASE WHEN $5 THEN $6 ELSE description END, ",
        "description_folded = CASE WHEN $5 THEN $7 ELSE description_folded END, ",
        "completed = COALESCE($8, completed), updated_at = $9 ",
        "WHERE id = $1 AND user_id = $2 RETURNING ",
        task_columns!()
    );
    let title = changes.title.as_ref();
    let description = changes.description.as_ref().and_then(|d| d.as_ref());
    with_writer!(db, |pool| sqlx::query_as::<_, Task>(SQL)
        .bind(id)
        .bind(user_id)
        .bind(title.map(|t| t.as_str()))
        .bind(title.map(|t| t.folded()))
        .bind(changes.description.is_some())
        .bind(description.map(|d| d.as_str()))
        .bind(description.map(|d| d.folded()))
        .bind(changes.completed)
        .bind(now())
        .fetch_optional(pool)
        .await)
}

/// Sets `completed` to the given value, or flips it when `None`, atomically.
pub async fn set_completed(db: &Db, user_id: &str, id: i64, completed: Option<bool>) -> Result<Option<Task>, sqlx::Error> {
    const SQL: &str = concat!(
        "UPDATE tasks SET completed = COALESCE($3, NOT completed), updated_at = $4 ",
        "WHERE id = $1 AND user_id = $2 RETURNING ",
        task_columns!()
    );
    with_writer!(db, |pool| sqlx::query_as::<_, Task>(SQL)
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
    with_writer!(db, |pool| sqlx::query(SQL)
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
    Time(chrono::DateTime<chrono::Utc>),
}

/// One page of a user's tasks, with one row more than asked when a next page exists.
/// The statement's text depends only on which filters are present, so it stays
/// within a handful of shapes that each connection prepares once.
pub async fn list(db: &Db, user_id: &str, query: &ListQuery) -> Result<Vec<Task>, sqlx::Error> {
    let mut binds = vec![Bind::Text(user_id.to_owned())];
    let param = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let mut sql = String::from(concat!("SELECT ", task_columns!(), " FROM tasks WHERE user_id = $1"));

    match query.status {
        StatusFilter::All => {}
        StatusFilter::Pending => sql.push_str(" AND completed = FALSE"),
        StatusFilter::Completed => sql.push_str(" AND completed = TRUE"),
    }
    if let Some(text) = &query.q {
        let p = param(&mut binds, Bind::Text(format!("%{}%", escape_like(&text.to_lowercase()))));
        sql.push_str(&format!(
            " AND (title_folded LIKE {p} ESCAPE '\\' OR description_folded LIKE {p} ESCAPE '\\')"
        ));
    }
    let key = match query.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
        SortKey::Title => "title_folded",
    };
    let (cmp, dir) = match query.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    if let Some(after) = &query.after {
        let value = match &after.key {
            CursorKey::Text(text) => Bind::Text(text.clone()),
            CursorKey::Time(time) => Bind::Time(*time),
        };
        let v = param(&mut binds, value);
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
