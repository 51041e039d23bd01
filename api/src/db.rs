//! The task store: SQLite (embedded default) or PostgreSQL, behind one type.
//!
//! Each SQL statement is written once; [`with_pool!`] expands the code that runs
//! it for each pool type, so both dialects share the text (sqlx-sqlite accepts
//! `$1` placeholders, and `RETURNING`/`BOOLEAN` work on both).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// How long a request waits for a free connection before the store counts as unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite takes one writer at a time. Writes queue for the single writer
    /// connection instead of contending for the file lock, where SQLite's busy
    /// handler would sleep in steps of up to 100 ms; reads use their own pool.
    Sqlite { readers: SqlitePool, writer: SqlitePool },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool for reading, once per dialect.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { readers: $pool, .. } => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Like [`with_pool!`], for statements that write.
#[macro_export]
macro_rules! with_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { writer: $pool, .. } => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Connects lazily: connections are opened on first use and reopened after
    /// an outage, so a running API recovers by itself when the store returns.
    pub fn connect_lazy(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            Ok(Self::Postgres(Self::pg_pool_options(max_connections).connect_lazy_with(options)))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // NORMAL in WAL mode survives a killed process; only a power cut could lose the last commits.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5));
            if let Some(dir) = Path::new(options.get_filename()).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                }
            }
            // Two cores' worth of readers is plenty: each SQLite connection costs a
            // thread and its own page cache.
            let readers = SqlitePoolOptions::new()
                .max_connections(max_connections.clamp(1, 4))
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_lazy_with(options.clone());
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_lazy_with(options);
            Ok(Self::Sqlite { readers, writer })
        } else {
            Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    /// Postgres pool with an explicit `search_path`, so tests can each own a schema.
    pub fn postgres_in_schema(url: &str, schema: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let options = PgConnectOptions::from_str(url)?.options([("search_path", schema)]);
        Ok(Self::Postgres(Self::pg_pool_options(max_connections).connect_lazy_with(options)))
    }

    fn pg_pool_options(max_connections: u32) -> PgPoolOptions {
        PgPoolOptions::new().max_connections(max_connections).acquire_timeout(ACQUIRE_TIMEOUT)
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite { writer, .. } => sqlx::migrate!("migrations/sqlite").run(writer).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// One round trip to the store.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(drop))
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { readers, writer } => {
                readers.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
