//! The lists store, and the manual order of tasks and lists: one function per
//! operation, each one transaction, written once per backend (`sqlite.rs`,
//! `postgres.rs`). A move writes the one row it moves, between its new
//! neighbours' keys (`super::position`); when no short enough key fits there,
//! the list's items get fresh keys first, in the same transaction.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use chrono::{DateTime, Utc};
use todo_domain::{Color, ListName};

use crate::db::{Db, StoreError};
use crate::tasks::store::TaskRow;

/// A list as both stores keep it, with its open tasks counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub color: Color,
    pub position: String,
    pub open_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ListRow {
    /// The row a create wrote: no tasks yet.
    fn created(id: i64, list: &NewList, position: String, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: list.name.as_str().to_owned(),
            color: list.color,
            position,
            open_count: 0,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A validated create.
#[derive(Debug)]
pub struct NewList {
    pub name: ListName,
    pub color: Color,
}

/// A validated change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ListChanges {
    pub name: Option<ListName>,
    pub color: Option<Color>,
}

/// What happens to a deleted list's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TasksOfDeleted {
    /// They go to the Inbox, first there, in their order.
    ToInbox,
    Delete,
}

/// Why a change of lists or of the order was not made.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("you already have a list with this name")]
    NameTaken,
    #[error("you have {max} lists, as many as one person may keep; delete one to add another")]
    TooManyLists { max: u64 },
    /// `after` is not in the list the item goes to.
    #[error("is not in that list")]
    AfterNotThere,
    /// `list_id` names none of the person's lists.
    #[error("is not one of your lists")]
    NoSuchList,
}

/// What an ordered operation ran into besides the store, from the backends.
#[derive(Debug)]
pub(crate) enum Refused {
    NameTaken,
    TooManyLists,
    AfterNotThere,
    NoSuchList,
}

impl Refused {
    fn into_error(self, max_lists: u64) -> ListError {
        match self {
            Self::NameTaken => ListError::NameTaken,
            Self::TooManyLists => ListError::TooManyLists { max: max_lists },
            Self::AfterNotThere => ListError::AfterNotThere,
            Self::NoSuchList => ListError::NoSuchList,
        }
    }
}

/// The store's clock: UTC, at the microsecond precision both stores keep.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

/// Whether `list` (`None`: the Inbox, always) is one of the person's lists.
pub async fn owns_list(db: &Db, user_id: &str, list: Option<i64>) -> Result<bool, StoreError> {
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.read(move |c| sqlite::owns_list(c, &user_id, list)).await
        }
        Db::Postgres(pool) => {
            let mut c = pool.acquire().await?;
            postgres::owns_list(&mut c, user_id, list).await
        }
    }
}

/// The Inbox's open tasks and every list, in the person's order.
pub async fn all(db: &Db, user_id: &str) -> Result<(i64, Vec<ListRow>), StoreError> {
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.read(move |c| sqlite::all(c, &user_id)).await
        }
        Db::Postgres(pool) => postgres::all(pool, user_id).await,
    }
}

pub async fn get(db: &Db, user_id: &str, id: i64) -> Result<Option<ListRow>, StoreError> {
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.read(move |c| sqlite::get(c, &user_id, id)).await
        }
        Db::Postgres(pool) => {
            let mut c = pool.acquire().await?;
            postgres::get(&mut c, user_id, id).await
        }
    }
}

/// Creates the list, last in the person's order.
pub async fn create(db: &Db, user_id: &str, list: NewList, max_lists: u64) -> Result<ListRow, ListError> {
    let now = now();
    let outcome = match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::create(c, &user_id, &list, max_lists, now)).await?
        }
        Db::Postgres(pool) => postgres::create(pool, user_id, &list, max_lists, now).await?,
    };
    outcome.map_err(|refused| refused.into_error(max_lists))
}

/// Renames or recolours the list; `Ok(None)` when the person has no such list.
pub async fn update(db: &Db, user_id: &str, id: i64, changes: ListChanges) -> Result<Option<ListRow>, ListError> {
    let now = now();
    let outcome = match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::update(c, &user_id, id, &changes, now)).await?
        }
        Db::Postgres(pool) => postgres::update(pool, user_id, id, &changes, now).await?,
    };
    outcome.map_err(|refused| refused.into_error(0))
}

/// Deletes the list and moves or deletes its tasks, in one transaction; whether it existed.
pub async fn delete(db: &Db, user_id: &str, id: i64, tasks: TasksOfDeleted) -> Result<bool, StoreError> {
    let now = now();
    match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::delete(c, &user_id, id, tasks, now)).await
        }
        Db::Postgres(pool) => postgres::delete(pool, user_id, id, tasks, now).await,
    }
}

/// Puts the list right after `after` (`None`: first); `Ok(None)` when the person has no such list.
pub async fn move_list(db: &Db, user_id: &str, id: i64, after: Option<i64>) -> Result<Option<ListRow>, ListError> {
    let now = now();
    let outcome = match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::move_list(c, &user_id, id, after, now)).await?
        }
        Db::Postgres(pool) => postgres::move_list(pool, user_id, id, after, now).await?,
    };
    outcome.map_err(|refused| refused.into_error(0))
}

/// Where a task goes: to `list` (`None`: stays in its own; `Some(None)`: the
/// Inbox), right after `after` there (`None`: first).
#[derive(Debug, Clone, Copy)]
pub struct TaskMove {
    pub list: Option<Option<i64>>,
    pub after: Option<i64>,
}

/// Moves the task; `Ok(None)` when the person has no such task.
pub async fn move_task(db: &Db, user_id: &str, id: i64, to: TaskMove) -> Result<Option<TaskRow>, ListError> {
    let now = now();
    let outcome = match db {
        Db::Sqlite(store) => {
            let user_id = user_id.to_owned();
            store.write(move |c| sqlite::move_task(c, &user_id, id, to, now)).await?
        }
        Db::Postgres(pool) => postgres::move_task(pool, user_id, id, to, now).await?,
    };
    outcome.map_err(|refused| refused.into_error(0))
}

/// What the items of one ordered set are: a list's tasks (the Inbox is list 0,
/// as the index `tasks_user_list_position` has it) or a person's lists. Each
/// backend's statements take the person as parameter 1 and the list as 2.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ordered {
    Tasks { list: i64 },
    Lists,
}

impl Ordered {
    fn tasks(list: Option<i64>) -> Self {
        Self::Tasks { list: list.unwrap_or(0) }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Tasks { .. } => "tasks",
            Self::Lists => "lists",
        }
    }

    /// The set's condition over parameters 1 and 2 (the lists' set ignores 2,
    /// but binds it, so every statement binds the same two first).
    fn scope(self, p1: &str, p2: &str) -> String {
        match self {
            Self::Tasks { .. } => format!("user_id = {p1} AND COALESCE(list_id, 0) = {p2}"),
            Self::Lists => format!("user_id = {p1} AND {p2} = 0"),
        }
    }

    fn list(self) -> i64 {
        match self {
            Self::Tasks { list } => list,
            Self::Lists => 0,
        }
    }
}
