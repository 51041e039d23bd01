//! SQLite through rusqlite on dedicated threads: a few readers and one writer
//! that commits queued writes together.
//!
//! Why not sqlx's SQLite driver: it runs each connection on its own thread and
//! hands every statement and every result row across threads, so a page of 20
//! tasks cost dozens of thread wake-ups (a third of the API's CPU in the
//! benchmark profile, bench/results/FINDINGS.md). Here a request crosses to a
//! store thread once and back once.
//!
//! Why not deadpool-sqlite: its pool checks every connection out with a query
//! (`SELECT $1`), a second round trip to a blocking thread per request.
//!
//! Reads: a few threads take the ordinary reads, and threads of their own take
//! the reads that may step through many rows (a search the index cannot narrow,
//! see `read_long`), so those never hold up everyone else's lists.
//!
//! Writes: SQLite lets one connection write at a time, so every write goes to
//! the single writer thread. When several are queued it runs them in one
//! transaction (group commit), each in its own savepoint so a failing write
//! leaves the others in, and answers each of them only after the commit.
//! Work that belongs to the batch rather than to one write (feeding the search
//! index, see [`SqliteStore::before_each_commit`]) runs once, just before the commit.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::StoreError;

/// Most writes committed together: enough to share a commit between every
/// request of a busy moment, few enough that the first of them waits little.
const MAX_BATCH: usize = 64;

/// Prepared statements kept per connection. The list query has a few dozen shapes
/// (filters × sort × order × cursor); every other statement has one.
const STATEMENT_CACHE: usize = 128;

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The writer checkpoints (copies the WAL back into the database file) every
/// 250 WAL pages instead of SQLite's 1,000. A checkpoint holds up every write
/// queued behind it, so smaller and more frequent ones trade some throughput
/// for a shorter tail: in the benchmark, creates at 64 connections ran at
/// ~15k/s with p99 ~8 ms this way, ~18k/s with p99 ~11 ms at 1,000 pages, and
/// ~22k/s with p99 ~20 ms at 4,000. (Checkpointing from a thread of its own was
/// worse: the WAL outgrew each checkpoint, and p99 reached 30–60 ms.)
const WRITER_SETUP: &str = "PRAGMA wal_autocheckpoint = 250;";

type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

/// What the writer runs in every batch's transaction after its writes, before the commit.
pub type BeforeCommit = fn(&Connection) -> rusqlite::Result<()>;

/// The queues to the store threads (the writer's thread first in `threads`).
/// Dropping the store closes them and waits for the threads to finish their
/// current work and close their connections; the last connection to close
/// checkpoints the WAL into the file and removes it.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    queues: Option<Queues>,
    threads: Vec<std::thread::JoinHandle<()>>,
    before_commit: Arc<OnceLock<BeforeCommit>>,
}

#[derive(Debug)]
struct Queues {
    reads: flume::Sender<ReadJob>,
    long_reads: flume::Sender<ReadJob>,
    writes: flume::Sender<Box<dyn PendingWrite>>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Readers first: the writer's connection must close last, as a read-only
        // connection does not checkpoint.
        let Some(Queues { reads, long_reads, writes }) = self.queues.take() else { return };
        let mut threads = self.threads.drain(..);
        let writer = threads.next();
        drop((reads, long_reads));
        threads.for_each(|reader| drop(reader.join()));
        drop(writes);
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

impl SqliteStore {
    /// Opens the file (creating it and its directory when missing) with one writer
    /// and `readers` reader connections, each on its own thread, and half as many
    /// (at least one) for long reads.
    pub fn open(path: &Path, readers: usize) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| StoreError::Open(format!("{}: {err}", dir.display())))?;
        }
        // The writer comes first: switching the file to WAL needs no other connection busy.
        let writer = open_connection(path, WRITER_SETUP)?;
        // Without WAL, readers would block the writer: refuse to run on a file system
        // where SQLite cannot keep a WAL (it then quietly stays in rollback mode).
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open(format!("{}: SQLite cannot use WAL mode here (got {mode})", path.display())));
        }
        let (writes, write_queue) = flume::unbounded::<Box<dyn PendingWrite>>();
        let (reads, read_queue) = flume::unbounded::<ReadJob>();
        let (long_reads, long_read_queue) = flume::unbounded::<ReadJob>();
        // From here on, an early return drops `store`, which stops the threads started so far.
        let queues = Queues { reads, long_reads, writes };
        let before_commit = Arc::new(OnceLock::new());
        let mut store = Self {
            path: path.to_owned(),
            queues: Some(queues),
            threads: Vec::new(),
            before_commit: before_commit.clone(),
        };
        store.threads.push(spawn("sqlite-writer", move || run_writer(writer, write_queue, &before_commit))?);
        let lanes =
            [("sqlite-reader", readers, read_queue), ("sqlite-long-reader", readers.div_ceil(2), long_read_queue)];
        for (name, count, queue) in lanes {
            for n in 0..count {
                let connection = open_connection(path, "PRAGMA query_only = ON;")?;
                let queue = queue.clone();
                store.threads.push(spawn(&format!("{name}-{n}"), move || {
                    for job in queue.iter() {
                        job(&connection);
                    }
                })?);
            }
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// From the next batch on, the writer runs `hook` once per batch, after its
    /// writes and before the commit, so its work is shared by the whole batch and
    /// committed with it (a failing hook fails the batch: nothing in it stays).
    /// Set once the schema it needs exists (after the migrations); a second call
    /// changes nothing.
    pub fn before_each_commit(&self, hook: BeforeCommit) {
        let _ = self.before_commit.set(hook);
    }

    fn queues(&self) -> Result<&Queues, StoreError> {
        self.queues.as_ref().ok_or(StoreError::Closed)
    }

    /// Whether the reader and writer threads are all still there to take work.
    pub fn is_running(&self) -> bool {
        self.queues()
            .is_ok_and(|q| !q.reads.is_disconnected() && !q.long_reads.is_disconnected() && !q.writes.is_disconnected())
    }

    /// Runs `work` on a reader connection. When the request gives up (it timed
    /// out, or its client went away), a statement still running for it is
    /// interrupted, so it frees the reader at once instead of finishing a long
    /// search nobody will read.
    pub async fn read<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        self.read_on(&self.queues()?.reads, work).await
    }

    /// As [`read`](Self::read), for work that may step through many rows: on
    /// threads of its own, where it waits only behind other long reads (whose
    /// number per user the API caps), never in front of ordinary ones.
    pub async fn read_long<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        self.read_on(&self.queues()?.long_reads, work).await
    }

    async fn read_on<R, F>(&self, queue: &flume::Sender<ReadJob>, work: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, outcome) = oneshot::channel();
        let given_up = GivenUp::default();
        let asked = given_up.flag.clone();
        let job: ReadJob = Box::new(move |connection| {
            // The request went away before its turn: nobody wants the answer.
            if reply.is_closed() {
                return;
            }
            // SQLite calls this every few thousand steps of a statement; `true` interrupts it.
            connection.progress_handler(PROGRESS_STEPS, Some(move || asked.load(Ordering::Relaxed)));
            let result = catch_unwind(AssertUnwindSafe(|| work(connection)))
                .unwrap_or_else(|_| Err(panicked()))
                .map_err(StoreError::from);
            connection.progress_handler(0, None::<fn() -> bool>);
            let _ = reply.send(result);
        });
        queue.send(job).map_err(|_| StoreError::Closed)?;
        let answer = outcome.await.map_err(|_| StoreError::Closed)?;
        drop(given_up);
        answer
    }

    /// Runs `work` on the writer connection, inside a transaction that may hold other
    /// requests' writes too; returns once that transaction has committed.
    pub async fn write<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, outcome) = oneshot::channel();
        let job = Box::new(Write { work: Some(work), result: None, reply });
        self.queues()?.writes.send(job).map_err(|_| StoreError::Closed)?;
        outcome.await.map_err(|_| StoreError::Closed)?
    }
}

/// How many virtual-machine steps a read runs between two looks at whether its
/// request gave up (a step is a few nanoseconds, so this is well under a millisecond).
const PROGRESS_STEPS: i32 = 10_000;

/// Set when dropped: a read's future dropped before its answer came (the request
/// timed out or its client went away) tells the reader thread to stop.
#[derive(Default)]
struct GivenUp {
    flag: Arc<AtomicBool>,
}

impl Drop for GivenUp {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::Relaxed);
    }
}

fn open_connection(path: &Path, setup: &str) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // NORMAL in WAL mode survives a killed process; only a power cut could lose the last commits.
    connection.execute_batch(&format!("{setup} PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"))?;
    Ok(connection)
}

fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> Result<std::thread::JoinHandle<()>, StoreError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(body)
        .map_err(|err| StoreError::Open(format!("cannot start a store thread: {err}")))
}

fn panicked() -> rusqlite::Error {
    internal_error("a store statement panicked".to_owned())
}

fn internal_error(message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR), Some(message))
}

/// A queued write, type-erased so writes with different results share a batch.
trait PendingWrite: Send {
    /// The request went away before its write started: skip it, so a 503 for a
    /// timed-out write stays true ("nothing was changed").
    fn is_abandoned(&self) -> bool;
    /// Runs the write, keeping its outcome until the transaction ends.
    fn run(&mut self, connection: &Connection) -> rusqlite::Result<()>;
    /// Answers the request: its own outcome, or `failure` if the transaction did not commit.
    fn finish(self: Box<Self>, failure: Option<&rusqlite::Error>);
}

struct Write<R, F> {
    work: Option<F>,
    result: Option<rusqlite::Result<R>>,
    reply: oneshot::Sender<Result<R, StoreError>>,
}

impl<R, F> PendingWrite for Write<R, F>
where
    F: FnOnce(&Connection) -> rusqlite::Result<R> + Send,
    R: Send,
{
    fn is_abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    fn run(&mut self, connection: &Connection) -> rusqlite::Result<()> {
        let work = self.work.take().expect("a write runs once");
        let result = catch_unwind(AssertUnwindSafe(|| work(connection))).unwrap_or_else(|_| Err(panicked()));
        let outcome = result.as_ref().map(drop).map_err(copy_error);
        self.result = Some(result);
        outcome
    }

    fn finish(self: Box<Self>, failure: Option<&rusqlite::Error>) {
        let result = match (failure, self.result) {
            (Some(err), _) => Err(copy_error(err)),
            (None, Some(result)) => result,
            (None, None) => Err(panicked()),
        };
        let _ = self.reply.send(result.map_err(StoreError::from));
    }
}

fn run_writer(
    mut connection: Connection,
    queue: flume::Receiver<Box<dyn PendingWrite>>,
    before_commit: &OnceLock<BeforeCommit>,
) {
    while let Ok(first) = queue.recv() {
        let mut batch: Vec<_> = std::iter::once(first).chain(queue.try_iter().take(MAX_BATCH - 1)).collect();
        batch.retain(|write| !write.is_abandoned());
        if batch.is_empty() {
            continue;
        }
        match commit_batch(&mut connection, &mut batch, before_commit.get()) {
            Ok(()) => batch.into_iter().for_each(|write| write.finish(None)),
            Err(err) => batch.into_iter().for_each(|write| write.finish(Some(&err))),
        }
    }
}

/// Runs each write in its own savepoint of one transaction, then `before_commit`, then commits.
fn commit_batch(
    connection: &mut Connection,
    batch: &mut [Box<dyn PendingWrite>],
    before_commit: Option<&BeforeCommit>,
) -> rusqlite::Result<()> {
    // IMMEDIATE takes the write lock up front, so the commit cannot fail on a
    // lock another process took in the meantime.
    let mut transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for write in batch.iter_mut() {
        // Given up while earlier writes ran: still nothing changed, so skip it.
        if write.is_abandoned() {
            continue;
        }
        let mut savepoint = transaction.savepoint()?;
        if let Err(err) = write.run(&savepoint) {
            // Some errors (disk full, I/O) end the whole transaction: nothing in it stays.
            if savepoint.is_autocommit() {
                return Err(err);
            }
            // Otherwise only the failed write's own changes go.
            savepoint.rollback()?;
        }
        savepoint.commit()?;
    }
    if let Some(hook) = before_commit {
        hook(&transaction)?;
    }
    transaction.commit()
}

/// rusqlite errors are not `Clone`; a failed commit is reported to every write in it.
fn copy_error(err: &rusqlite::Error) -> rusqlite::Error {
    match err {
        rusqlite::Error::SqliteFailure(code, message) => rusqlite::Error::SqliteFailure(*code, message.clone()),
        other => internal_error(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_with_table() -> (tempfile::TempDir, Arc<SqliteStore>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("store.db"), 2).unwrap());
        store.write(|c| c.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")).await.unwrap();
        (dir, store)
    }

    /// Occupies the writer for a moment, so the writes queued meanwhile form one batch.
    fn hold_the_writer(store: &Arc<SqliteStore>) -> tokio::task::JoinHandle<()> {
        let store = store.clone();
        let held = tokio::spawn(async move {
            store
                .write(|_| {
                    std::thread::sleep(Duration::from_millis(300));
                    rusqlite::Result::Ok(())
                })
                .await
                .unwrap();
        });
        std::thread::sleep(Duration::from_millis(50));
        held
    }

    async fn count(store: &SqliteStore) -> i64 {
        store.read(|c| c.query_row("SELECT count(*) FROM t", [], |row| row.get(0))).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_leaves_the_others_of_its_batch_committed() {
        let (_dir, store) = store_with_table().await;
        let held = hold_the_writer(&store);
        // 40 inserts of 30 distinct keys: 10 of them collide with an earlier one.
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..40 {
            let store = store.clone();
            writes.spawn(async move { store.write(move |c| c.execute("INSERT INTO t VALUES (?1)", [i % 30])).await });
        }
        held.await.unwrap();
        let results = writes.join_all().await;
        let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(failures.len(), 10, "{failures:?}");
        assert!(failures.iter().all(|err| matches!(
            err,
            StoreError::Sqlite(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
        )));
        assert_eq!(count(&store).await, 30);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_whose_request_gave_up_before_it_started_does_not_happen() {
        let (_dir, store) = store_with_table().await;
        let held = hold_the_writer(&store);
        let given_up =
            tokio::time::timeout(Duration::from_millis(10), store.write(|c| c.execute("INSERT INTO t VALUES (1)", [])))
                .await;
        assert!(given_up.is_err(), "the write waited behind the held writer");
        held.await.unwrap();
        store.write(|c| c.execute("INSERT INTO t VALUES (2)", [])).await.unwrap();
        assert_eq!(count(&store).await, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_before_commit_hook_runs_once_per_batch_after_its_writes_and_commits_with_them() {
        let (_dir, store) = store_with_table().await;
        store.write(|c| c.execute_batch("CREATE TABLE seen (rows INTEGER)")).await.unwrap();
        store.before_each_commit(|c| c.execute_batch("INSERT INTO seen SELECT count(*) FROM t"));
        let held = hold_the_writer(&store);
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..10 {
            let store = store.clone();
            writes.spawn(async move { store.write(move |c| c.execute("INSERT INTO t VALUES (?1)", [i])).await });
        }
        held.await.unwrap();
        assert!(writes.join_all().await.iter().all(Result::is_ok));
        let seen: Vec<i64> = store
            .read(|c| c.prepare("SELECT rows FROM seen")?.query_map([], |row| row.get(0))?.collect())
            .await
            .unwrap();
        assert_eq!(seen, [0, 10], "the held write's batch, then one batch of the ten");
    }

    #[tokio::test]
    async fn a_panicking_statement_is_an_error_and_the_store_goes_on() {
        let (_dir, store) = store_with_table().await;
        let panicked = store.write(|_| -> rusqlite::Result<()> { panic!("boom") }).await;
        assert!(matches!(panicked, Err(StoreError::Sqlite(_))), "{panicked:?}");
        let panicked = store.read(|_| -> rusqlite::Result<()> { panic!("boom") }).await;
        assert!(matches!(panicked, Err(StoreError::Sqlite(_))), "{panicked:?}");
        store.write(|c| c.execute("INSERT INTO t VALUES (1)", [])).await.unwrap();
        assert_eq!(count(&store).await, 1);
    }

    #[tokio::test]
    async fn dropping_the_store_closes_its_connections_and_folds_the_wal_into_the_file() {
        let (dir, store) = store_with_table().await;
        store.write(|c| c.execute("INSERT INTO t VALUES (1)", [])).await.unwrap();
        let wal = dir.path().join("store.db-wal");
        assert!(wal.exists());
        drop(Arc::try_unwrap(store).expect("the only handle"));
        assert!(!wal.exists(), "the last connection to close removes the WAL");
        let connection = Connection::open(dir.path().join("store.db")).unwrap();
        let n: i64 = connection.query_row("SELECT count(*) FROM t", [], |row| row.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_whose_request_gave_up_is_interrupted_and_frees_its_reader() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("store.db"), 1).unwrap());
        // A statement that would run for minutes: count a recursive series to 10^10.
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT count(*) FROM n";
        let started = std::time::Instant::now();
        let given_up = tokio::time::timeout(
            Duration::from_millis(200),
            store.read(move |c| c.query_row(endless, [], |row| row.get::<_, i64>(0))),
        )
        .await;
        assert!(given_up.is_err(), "the read was still running");
        // The one reader answers the next read as soon as the first statement stopped.
        let next = tokio::time::timeout(
            Duration::from_secs(10),
            store.read(|c| c.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))),
        )
        .await
        .expect("the reader was freed")
        .unwrap();
        assert_eq!(next, 1);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn readers_cannot_write() {
        let (_dir, store) = store_with_table().await;
        assert!(store.read(|c| c.execute("INSERT INTO t VALUES (1)", [])).await.is_err());
        assert_eq!(count(&store).await, 0);
    }
}
