//! The task store: SQLite (embedded default) or PostgreSQL, behind one type.
//!
//! Each SQL statement is written once, with `$n` placeholders, and runs on either
//! store through [`Db::fetch_tasks`] and [`Db::execute`]; `RETURNING` and
//! `BOOLEAN` work on both.

mod sqlite;

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Arguments, PgPool};

use crate::tasks::model::Task;
use sqlite::SqliteStore;

/// How long a request waits for a free PostgreSQL connection before the store counts as unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// SQLite reader threads: about one per core, as reads are CPU work on cached
/// pages and more threads than cores only add switching (and each connection
/// costs its own page cache); at least two, so one long search cannot hold up
/// every other read, unless `DATABASE_MAX_CONNECTIONS` asks for fewer.
fn sqlite_readers(max_connections: u32) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    cores.clamp(2, 8).min(max_connections as usize).max(1)
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(Arc<SqliteStore>),
    Postgres(PgPool),
}

/// Whether a statement only reads (any SQLite reader may run it) or writes
/// (SQLite's single writer runs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// A value bound to a `$n` placeholder.
#[derive(Debug, Clone)]
pub enum Value {
    Text(Option<String>),
    Int(i64),
    Bool(Option<bool>),
    Time(DateTime<Utc>),
}

impl Value {
    pub fn text(text: &str) -> Self {
        Value::Text(Some(text.to_owned()))
    }
}

/// Why the store did not answer as asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Postgres(#[from] sqlx::Error),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the SQLite file: {0}")]
    Open(String),
    #[error("the store has been closed")]
    Closed,
    #[error("an INSERT … RETURNING returned no row")]
    NoRowReturned,
}

impl StoreError {
    /// Whether the store is away for now (the statement did not run, or ran in a
    /// transaction that was rolled back), so that a retry is safe and may succeed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Postgres(err) => match err {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db) => db.code().is_some_and(|code| is_unavailable_postgres_code(&code)),
                _ => false,
            },
            // Busy or locked by another process, out of disk, an I/O error, a file
            // that cannot be opened: each can pass, and the write did not commit.
            StoreError::Sqlite(err) => matches!(
                err.sqlite_error_code(),
                Some(
                    rusqlite::ErrorCode::DatabaseBusy
                        | rusqlite::ErrorCode::DatabaseLocked
                        | rusqlite::ErrorCode::DiskFull
                        | rusqlite::ErrorCode::SystemIoFailure
                        | rusqlite::ErrorCode::CannotOpen
                )
            ),
            StoreError::Open(_) | StoreError::Closed => true,
            StoreError::NoRowReturned => false,
        }
    }
}

/// PostgreSQL error codes that mean "not now" rather than "never": class 08
/// (connection), 53 (insufficient resources), 57014 (statement timeout) and
/// 57P0x (shutdown).
fn is_unavailable_postgres_code(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P0") || code == "57014"
}

impl Db {
    /// Opens the store. A SQLite file is opened (and created when missing) now;
    /// PostgreSQL connections are opened on first use and reopened after an
    /// outage, so a running API recovers by itself when the server returns.
    pub fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            Ok(Self::Postgres(Self::pg_pool_options(max_connections).connect_lazy_with(options)))
        } else if url.starts_with("sqlite:") {
            // Each thread opens the file on its own, so a private or in-memory database
            // would be a different one per connection.
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
                return Err(StoreError::Open("DATABASE_URL must name a SQLite file, e.g. sqlite://data/todo.db".into()));
            }
            let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
            let readers = sqlite_readers(max_connections);
            Ok(Self::Sqlite(Arc::new(SqliteStore::open(options.get_filename(), readers)?)))
        } else {
            Err(StoreError::Open("DATABASE_URL must start with sqlite:// or postgres://".into()))
        }
    }

    /// Postgres pool with an explicit `search_path`, so tests can each own a schema.
    pub fn postgres_in_schema(url: &str, schema: &str, max_connections: u32) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.options([("search_path", schema)]);
        Ok(Self::Postgres(Self::pg_pool_options(max_connections).connect_lazy_with(options)))
    }

    fn pg_pool_options(max_connections: u32) -> PgPoolOptions {
        PgPoolOptions::new().max_connections(max_connections).acquire_timeout(ACQUIRE_TIMEOUT)
    }

    /// Brings the schema up to date with `migrations/`. Both stores use sqlx's
    /// migrator, so its history table means the same on either.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(store) => {
                let options = SqliteConnectOptions::new().filename(store.path()).journal_mode(SqliteJournalMode::Wal);
                let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
                let migrated = sqlx::migrate!("migrations/sqlite").run(&pool).await;
                pool.close().await;
                migrated
            }
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// Runs a statement that returns task rows.
    pub async fn fetch_tasks(
        &self,
        access: Access,
        sql: impl Into<Cow<'static, str>>,
        params: Vec<Value>,
    ) -> Result<Vec<Task>, StoreError> {
        let sql = sql.into();
        match self {
            Db::Sqlite(store) => {
                let sql = sqlite_placeholders(&sql);
                let work = move |connection: &rusqlite::Connection| {
                    let mut statement = connection.prepare_cached(&sql)?;
                    let rows = statement.query_map(rusqlite::params_from_iter(&params), task_from_row)?;
                    rows.collect()
                };
                match access {
                    Access::Read => store.read(work).await,
                    Access::Write => store.write(work).await,
                }
            }
            Db::Postgres(pool) => {
                Ok(sqlx::query_as_with::<_, Task, _>(&sql, postgres_arguments(params)?).fetch_all(pool).await?)
            }
        }
    }

    /// Runs a statement that writes and returns no rows; answers how many rows it changed.
    pub async fn execute(&self, sql: &'static str, params: Vec<Value>) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(store) => {
                let sql = sqlite_placeholders(sql);
                store
                    .write(move |connection| {
                        let mut statement = connection.prepare_cached(&sql)?;
                        statement.execute(rusqlite::params_from_iter(&params)).map(|rows| rows as u64)
                    })
                    .await
            }
            Db::Postgres(pool) => {
                Ok(sqlx::query_with(sql, postgres_arguments(params)?).execute(pool).await?.rows_affected())
            }
        }
    }

    /// One round trip to the store.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            // The writer answers no reads; a dead writer thread must not look ready.
            Db::Sqlite(store) if !store.is_running() => Err(StoreError::Closed),
            Db::Sqlite(store) => store.read(|connection| connection.execute_batch("SELECT 1")).await,
            Db::Postgres(pool) => Ok(sqlx::query("SELECT 1").execute(pool).await.map(drop)?),
        }
    }

    pub async fn close(&self) {
        match self {
            // Writes still queued finish first; the connections close with the last handle.
            Db::Sqlite(store) => {
                let _ = store.write(|connection| connection.execute_batch("PRAGMA optimize")).await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

fn postgres_arguments(params: Vec<Value>) -> Result<PgArguments, sqlx::Error> {
    let mut arguments = PgArguments::default();
    for value in params {
        match value {
            Value::Text(v) => arguments.add(v),
            Value::Int(v) => arguments.add(v),
            Value::Bool(v) => arguments.add(v),
            Value::Time(v) => arguments.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

/// SQLite numbers `$n` parameters in order of first appearance, whatever `n`
/// says; `?n` means parameter `n`, which is what PostgreSQL's `$n` means. Only a
/// `$` followed by a digit is a placeholder (the statements have no `$` in literals).
fn sqlite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let placeholder = c == '$' && chars.peek().is_some_and(char::is_ascii_digit);
        out.push(if placeholder { '?' } else { c });
    }
    out
}

/// Times are stored in SQLite as RFC 3339 text, as sqlx wrote them before: UTC
/// with as many fractional digits as needed, which sorts in time order.
fn sqlite_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Text(Some(text)) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Int(n) => ToSqlOutput::from(*n),
            Value::Bool(Some(b)) => ToSqlOutput::from(*b),
            Value::Text(None) | Value::Bool(None) => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Time(time) => ToSqlOutput::from(sqlite_time(time)),
        })
    }
}

/// A row of `task_columns!()` (see `tasks::store`), in that order.
fn task_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: row.get(0)?,
        user_id: row.get(1)?,
        title: row.get(2)?,
        description: row.get(3)?,
        completed: row.get(4)?,
        created_at: time_from_row(row, 5)?,
        updated_at: time_from_row(row, 6)?,
    })
}

/// Reads what the API writes (RFC 3339), and also SQLite's own `datetime()` form
/// (`YYYY-MM-DD HH:MM:SS`, UTC), so a row edited by hand does not break a list.
fn time_from_row(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text = row.get_ref(index)?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .or_else(|err| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc()).map_err(|_| err)
        })
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_their_numbers_for_sqlite() {
        assert_eq!(sqlite_placeholders("a = $3 AND b = $1 AND c = $12"), "a = ?3 AND b = ?1 AND c = ?12");
        assert_eq!(sqlite_placeholders("'$' || x = $1"), "'$' || x = ?1");
    }

    #[test]
    fn in_memory_and_nameless_sqlite_stores_are_refused() {
        for url in ["sqlite::memory:", "sqlite://", "sqlite:", "sqlite://x.db?mode=memory"] {
            assert!(matches!(Db::connect(url, 4), Err(StoreError::Open(_))), "{url}");
        }
    }
}
