//! Every SQL statement on tasks, each written once for both dialects.

use super::list::{CursorKey, ListQuery, SortKey, SortOrder, StatusFilter};
use super::model::{now, NewTask, Task, TaskChanges};
use crate::db::{Access, Db, StoreError, Value};

/// The columns of [`Task`], in one place for every statement that returns tasks.
macro_rules! task_columns {
    () => {
        "id, user_id, title, description, completed, created_at, updated_at"
    };
}

pub async fn insert(db: &Db, user_id: &str, task: &NewTask) -> Result<Task, StoreError> {
    const SQL: &str = concat!(
        "INSERT INTO tasks (user_id, title, title_folded, description, description_folded, completed, created_at, updated_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ",
        task_columns!()
    );
    let description = task.description.as_ref();
    let params = vec![
        Value::text(user_id),
        Value::text(task.title.as_str()),
        Value::Text(Some(task.title.folded())),
        Value::Text(description.map(|d| d.as_str().to_owned())),
        Value::Text(description.map(|d| d.folded())),
        Value::Bool(Some(task.completed)),
        Value::Time(now()),
    ];
    let mut rows = db.fetch_tasks(Access::Write, SQL, params).await?;
    rows.pop().ok_or(StoreError::NoRowReturned)
}

pub async fn find(db: &Db, user_id: &str, id: i64) -> Result<Option<Task>, StoreError> {
    const SQL: &str = concat!("SELECT ", task_columns!(), " FROM tasks WHERE id = $1 AND user_id = $2");
    Ok(db.fetch_tasks(Access::Read, SQL, vec![Value::Int(id), Value::text(user_id)]).await?.pop())
}

/// Applies the changes in one statement; fields left `None` keep their value.
pub async fn update(db: &Db, user_id: &str, id: i64, changes: &TaskChanges) -> Result<Option<Task>, StoreError> {
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
    let params = vec![
        Value::Int(id),
        Value::text(user_id),
        Value::Text(title.map(|t| t.as_str().to_owned())),
        Value::Text(title.map(|t| t.folded())),
        Value::Bool(Some(changes.description.is_some())),
        Value::Text(description.map(|d| d.as_str().to_owned())),
        Value::Text(description.map(|d| d.folded())),
        Value::Bool(changes.completed),
        Value::Time(now()),
    ];
    Ok(db.fetch_tasks(Access::Write, SQL, params).await?.pop())
}

/// Sets `completed` to the given value, or flips it when `None`, atomically.
pub async fn set_completed(db: &Db, user_id: &str, id: i64, completed: Option<bool>) -> Result<Option<Task>, StoreError> {
    const SQL: &str = concat!(
        "UPDATE tasks SET completed = COALESCE($3, NOT completed), updated_at = $4 ",
        "WHERE id = $1 AND user_id = $2 RETURNING ",
        task_columns!()
    );
    let params = vec![Value::Int(id), Value::text(user_id), Value::Bool(completed), Value::Time(now())];
    Ok(db.fetch_tasks(Access::Write, SQL, params).await?.pop())
}

/// Whether a task was deleted.
pub async fn delete(db: &Db, user_id: &str, id: i64) -> Result<bool, StoreError> {
    const SQL: &str = "DELETE FROM tasks WHERE id = $1 AND user_id = $2";
    Ok(db.execute(SQL, vec![Value::Int(id), Value::text(user_id)]).await? > 0)
}

/// One page of a user's tasks, with one row more than asked when a next page exists.
/// The statement's text depends only on which filters are present, so it stays
/// within a handful of shapes that each connection prepares once.
pub async fn list(db: &Db, user_id: &str, query: &ListQuery) -> Result<Vec<Task>, StoreError> {
    let mut binds = vec![Value::text(user_id)];
    let param = |binds: &mut Vec<Value>, value: Value| {
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
        let p = param(&mut binds, Value::Text(Some(format!("%{}%", escape_like(&text.to_lowercase())))));
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
            CursorKey::Text(text) => Value::text(text),
            CursorKey::Time(time) => Value::Time(*time),
        };
        let v = param(&mut binds, value);
        let id = param(&mut binds, Value::Int(after.id));
        sql.push_str(&format!(" AND ({key}, id) {cmp} ({v}, {id})"));
    }
    let limit = param(&mut binds, Value::Int(i64::from(query.limit) + 1));
    sql.push_str(&format!(" ORDER BY {key} {dir}, id {dir} LIMIT {limit}"));

    db.fetch_tasks(Access::Read, sql, binds).await
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
