//! The connection to the store: SQLite (embedded default) or PostgreSQL, behind
//! one type. What runs on it lives with its feature (`tasks::store`): one method
//! per operation, each a transaction, written once per backend.

pub mod sqlite;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Connection, PgPool};

pub use sqlite::SqliteStore;

/// The longest a PostgreSQL statement may run unless the caller says otherwise:
/// the default request timeout (`REQUEST_TIMEOUT_SECS`).
const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);

fn with_statement_timeout(options: PgConnectOptions, timeout: Duration) -> PgConnectOptions {
    options.options([("statement_timeout", format!("{}ms", timeout.as_millis()))])
}

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
        }
    }

    /// The constraint a write broke when it broke a unique (or primary) key, so
    /// a caller can tell "already there" from a failure: PostgreSQL's constraint
    /// name (`task_tags_pkey`), or SQLite's columns (`task_tags.task_id, task_tags.tag_folded`).
    pub fn unique_violation(&self) -> Option<&str> {
        match self {
            StoreError::Postgres(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Some(db.constraint().unwrap_or(""))
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(code, message))
                if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                let message = message.as_deref().unwrap_or("");
                Some(message.split_once("constraint failed: ").map_or(message, |(_, columns)| columns))
            }
            _ => None,
        }
    }
}

/// PostgreSQL error codes that mean "not now" rather than "never": class 08
/// (connection), 53 (insufficient resources), 57014 (statement timeout), 57P0x
/// (shutdown), and 40001/40P01 (a serialization failure or a deadlock: the
/// transaction was rolled back and may succeed when tried again).
fn is_unavailable_postgres_code(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P0")
        || matches!(code, "57014" | "40001" | "40P01")
}

impl Db {
    /// Opens the store. A SQLite file is opened (and created when missing) now;
    /// PostgreSQL connections are opened on first use and reopened after an
    /// outage, so a running API recovers by itself when the server returns.
    pub fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        Self::connect_with_timeout(url, max_connections, DEFAULT_STATEMENT_TIMEOUT)
    }

    /// Like [`Db::connect`]; a PostgreSQL statement running longer than
    /// `statement_timeout` is cancelled by the server, so a request that timed
    /// out does not leave its work running there (SQLite's reads stop by
    /// themselves when their request gives up, see `sqlite.rs`).
    pub fn connect_with_timeout(
        url: &str,
        max_connections: u32,
        statement_timeout: Duration,
    ) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = with_statement_timeout(PgConnectOptions::from_str(url)?, statement_timeout);
            Ok(Self::Postgres(Self::pg_pool_options(max_connections).connect_lazy_with(options)))
        } else if url.starts_with("sqlite:") {
            // Each thread opens the file on its own, so a private or in-memory database
            // would be a different one per connection.
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
                return Err(StoreError::Open(
                    "DATABASE_URL must name a SQLite file, e.g. sqlite://data/todo.db".into(),
                ));
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
        let options = with_statement_timeout(options, DEFAULT_STATEMENT_TIMEOUT);
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
                // The search index's queue exists now: the writer feeds it into the
                // index once per batch (`upgrade_stored_tasks` flushes what an edit
                // made while the API was stopped left there).
                if migrated.is_ok() {
                    store.before_each_commit(crate::tasks::store::flush_search_queue);
                }
                migrated
            }
            Db::Postgres(pool) => {
                // On a connection of its own without the statement timeout: building an
                // index over a large table may take longer than any request may.
                let options = (*pool.connect_options()).clone().options([("statement_timeout", "0")]);
                let mut connection = sqlx::PgConnection::connect_with(&options).await?;
                let migrated = sqlx::migrate!("migrations/postgres").run(&mut connection).await;
                let _ = connection.close().await;
                migrated
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_broken_unique_key_is_told_apart_from_other_failures() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("u.db"), 1).unwrap();
        store.write(|c| c.execute_batch("CREATE TABLE seen (jti TEXT PRIMARY KEY, n INTEGER NOT NULL)")).await.unwrap();
        store.write(|c| c.execute("INSERT INTO seen VALUES ('a', 1)", [])).await.unwrap();
        let again = store.write(|c| c.execute("INSERT INTO seen VALUES ('a', 2)", [])).await.unwrap_err();
        assert_eq!(again.unique_violation(), Some("seen.jti"));
        let null = store.write(|c| c.execute("INSERT INTO seen VALUES ('b', NULL)", [])).await.unwrap_err();
        assert_eq!(null.unique_violation(), None, "NOT NULL is another constraint");
    }

    #[test]
    fn in_memory_and_nameless_sqlite_stores_are_refused() {
        for url in ["sqlite::memory:", "sqlite://", "sqlite:", "sqlite://x.db?mode=memory"] {
            assert!(matches!(Db::connect(url, 4), Err(StoreError::Open(_))), "{url}");
        }
    }
}
