//! Serving the router over HTTP/1.1 with limits on connections (SPEC, Limits), in
//! place of `axum::serve`, which has none: a request head must arrive within the
//! header-read timeout and be at most the head limit (431 past it), an idle
//! keep-alive connection is closed after the keep-alive timeout, at most
//! `MAX_CONNECTIONS` connections are open at once, and the accept loop backs off
//! when the process runs out of file descriptors instead of spinning.
//!
//! Each connection has a watchdog that knows which phase it is in:
//! - **head**: waiting for a request head, from the connection's start or from the
//!   first byte of a later request; closed past the header-read timeout;
//! - **busy**: a request is being answered; closed only when no byte moves either
//!   way for longer than the request timeout plus a margin (a client that stopped
//!   reading its answer), as the request timeout bounds the handler itself;
//! - **idle**: between requests; closed past the keep-alive timeout, or at once
//!   when a new connection is waiting for a free place under `MAX_CONNECTIONS`.
//!
//! hyper's own `header_read_timeout` is not used: it also runs while a keep-alive
//! connection is idle, so the two timeouts could not differ.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::Service;

/// How long a connection may take over each part of its life, and how many may be open.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// From the connection's start, or a later request's first byte, to its whole head.
    pub header_read_timeout: Duration,
    /// Between a response and the next request's first byte; `None`: no keep-alive.
    pub keep_alive_timeout: Option<Duration>,
    /// Request line and headers, in bytes; past it, 431.
    pub max_head_bytes: usize,
    pub max_connections: usize,
    /// While a request is open, the longest time without a byte read or written.
    pub stall_timeout: Duration,
}

impl ConnectionLimits {
    /// The longest the watchdog sleeps: no more than the shortest timeout.
    fn tick(&self) -> Duration {
        let tick = self.header_read_timeout.min(self.stall_timeout);
        self.keep_alive_timeout.map_or(tick, |keep_alive| tick.min(keep_alive))
    }

    /// The stall timeout for a given request timeout: the handler's own limit plus a margin.
    pub fn stall_timeout_for(request_timeout: Duration) -> Duration {
        request_timeout + Duration::from_secs(5)
    }
}

/// Room kept for everything else that needs a file descriptor (the store's files or
/// sockets, the JWKS client, the log, the runtime) when `MAX_CONNECTIONS` is derived
/// from the open-file limit.
fn descriptors_reserved(database_max_connections: u32) -> u64 {
    64 + 3 * u64::from(database_max_connections)
}

/// `MAX_CONNECTIONS` as configured, or derived from the open-file limit so that the
/// cap is reached before the process runs out of descriptors.
pub fn max_connections(configured: Option<u32>, database_max_connections: u32) -> usize {
    let limit = open_file_limit();
    let reserved = descriptors_reserved(database_max_connections);
    match configured {
        Some(max) => {
            if let Some(limit) = limit.filter(|limit| u64::from(max) + reserved > *limit) {
                tracing::warn!(
                    max_connections = max,
                    open_file_limit = limit,
                    "MAX_CONNECTIONS is more than the open-file limit leaves room for; \
                     the process may run out of descriptors first (raise `ulimit -n` or lower MAX_CONNECTIONS)"
                );
            }
            max as usize
        }
        None => limit.map_or(1024, |limit| limit.saturating_sub(reserved).clamp(16, 4096) as usize),
    }
}

/// The soft `RLIMIT_NOFILE`, when there is one.
fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit only writes the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 && limit.rlim_cur != libc::RLIM_INFINITY {
            #[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` everywhere.
            return Some(limit.rlim_cur as u64);
        }
    }
    None
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting,
/// closes idle connections, and waits for the requests in flight to be answered.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .keep_alive(limits.keep_alive_timeout.is_some())
        // The watchdog times heads; hyper's timer would also run while idle.
        .header_read_timeout(None)
        .max_header_size(limits.max_head_bytes);
    let builder = Arc::new(builder);
    let server = Arc::new(Shared {
        limits: limits.clone(),
        connections: Mutex::new(HashMap::new()),
        next_id: AtomicU64::new(0),
        waiting_for_place: AtomicBool::new(false),
        reclaim_wanted: AtomicBool::new(false),
        closed: Notify::new(),
    });
    let places = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    let mut accept_trouble: Option<Trouble> = None;
    let mut full: Option<Trouble> = None;

    'accept: loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break 'accept,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) if is_about_one_connection(&error) => continue,
            Err(error) => {
                let trouble = accept_trouble.get_or_insert_with(|| {
                    tracing::warn!(
                        %error,
                        open_connections = server.open(),
                        "cannot accept connections; pausing accepts (open connections are still served) \
                         and logging again only once this is over"
                    );
                    Trouble::new()
                });
                let delay = trouble.failed();
                tokio::select! {
                    biased;
                    () = &mut shutdown => break 'accept,
                    () = tokio::time::sleep(delay) => {}
                    // A closed connection gave back a descriptor: worth one more try.
                    () = server.closed.notified() => {}
                }
                continue;
            }
        };
        if accept_trouble.as_ref().is_some_and(|trouble| trouble.quiet_for(Duration::from_secs(5))) {
            let trouble = accept_trouble.take().expect("checked above");
            tracing::info!(
                failed_attempts = trouble.count,
                seconds = trouble.since.elapsed().as_secs(),
                "accepting connections again"
            );
        }

        let permit = match places.clone().try_acquire_owned() {
            Ok(permit) => {
                if full.is_some() && places.available_permits() >= limits.max_connections / 4 {
                    let episode = full.take().expect("checked above");
                    tracing::info!(
                        waited = episode.count,
                        seconds = episode.since.elapsed().as_secs(),
                        "below MAX_CONNECTIONS again"
                    );
                }
                permit
            }
            Err(_) => {
                full.get_or_insert_with(|| {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "MAX_CONNECTIONS reached: new connections wait for a free place \
                         (idle keep-alive connections are closed to make room)"
                    );
                    Trouble::new()
                })
                .count += 1;
                server.waiting_for_place.store(true, Ordering::Relaxed);
                server.reclaim_one_idle();
                let permit = tokio::select! {
                    biased;
                    () = &mut shutdown => break 'accept,
                    permit = places.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                };
                server.waiting_for_place.store(false, Ordering::Relaxed);
                server.reclaim_wanted.store(false, Ordering::Relaxed);
                permit
            }
        };
        tokio::spawn(serve_connection(
            stream,
            router.clone(),
            builder.clone(),
            server.clone(),
            permit,
            stopped.clone(),
        ));
    }

    drop(listener);
    stop.send_replace(true);
    // Every connection holds a place until it closes.
    let _all_closed = places.acquire_many(limits.max_connections as u32).await;
    Ok(())
}

/// Errors that concern only the connection being accepted (it went away first).
fn is_about_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// An episode of trouble (accepts failing, connections at the cap), logged once at
/// its start and once at its end, so that it cannot flood the log.
struct Trouble {
    since: Instant,
    last: Instant,
    count: u64,
    delay: Duration,
}

impl Trouble {
    fn new() -> Self {
        let now = Instant::now();
        Self { since: now, last: now, count: 0, delay: Duration::from_millis(25) }
    }

    /// Counts one more failure and gives the pause before the next try: doubling from
    /// 50 ms up to 1 s, so a lasting fault costs one try a second, not a busy loop.
    fn failed(&mut self) -> Duration {
        self.count += 1;
        self.last = Instant::now();
        self.delay = (self.delay * 2).min(Duration::from_secs(1));
        self.delay
    }

    fn quiet_for(&self, period: Duration) -> bool {
        self.last.elapsed() >= period
    }
}

/// What the accept loop and the connections share.
struct Shared {
    limits: ConnectionLimits,
    connections: Mutex<HashMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    /// The accept loop holds a new connection that waits for a place.
    waiting_for_place: AtomicBool,
    /// A new connection waits and no connection was idle: the next to go idle closes.
    reclaim_wanted: AtomicBool,
    /// Told whenever a connection closes.
    closed: Notify,
}

impl Shared {
    fn open(&self) -> usize {
        lock(&self.connections).len()
    }

    /// Asks the connection idle the longest to close, so a waiting one can be served;
    /// when none is idle, the next one to become idle will.
    fn reclaim_one_idle(&self) {
        let connections = lock(&self.connections);
        let oldest_idle = connections
            .values()
            .filter_map(|connection| connection.idle_since().map(|since| (since, connection)))
            .min_by_key(|(since, _)| *since);
        match oldest_idle {
            Some((_, connection)) => connection.reclaim(),
            None => self.reclaim_wanted.store(true, Ordering::Relaxed),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Head { since: Instant, started: bool },
    Busy { requests: usize },
    Idle { since: Instant },
}

struct State {
    phase: Phase,
    /// The last byte read or written.
    progress: Instant,
    /// hyper flushed everything it wrote (so closing loses no answer).
    flushed: bool,
}

/// One connection's state, updated by its I/O, its requests and its watchdog.
struct Connection {
    state: Mutex<State>,
    /// Wakes the watchdog when it is asked to close to make room.
    wake: Notify,
    reclaim: AtomicBool,
    server: Arc<Shared>,
}

impl Connection {
    fn new(server: Arc<Shared>) -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                phase: Phase::Head { since: now, started: false },
                progress: now,
                flushed: true,
            }),
            wake: Notify::new(),
            reclaim: AtomicBool::new(false),
            server,
        }
    }

    fn read(&self) {
        let now = Instant::now();
        let mut state = lock(&self.state);
        state.progress = now;
        match &mut state.phase {
            // A new request begins: its head has the header-read timeout from now.
            Phase::Idle { .. } => state.phase = Phase::Head { since: now, started: true },
            Phase::Head { started, .. } => *started = true,
            Phase::Busy { .. } => {}
        }
    }

    /// hyper wrote, or tried to: its output is not all out until the next flush.
    fn wrote(&self, bytes: usize) {
        let mut state = lock(&self.state);
        if bytes > 0 {
            state.progress = Instant::now();
        }
        state.flushed = false;
    }

    fn flushed(&self) {
        lock(&self.state).flushed = true;
        if self.reclaim.load(Ordering::Relaxed) {
            self.wake.notify_one();
        }
    }

    fn request_started(&self) {
        let mut state = lock(&self.state);
        state.phase = match state.phase {
            Phase::Busy { requests } => Phase::Busy { requests: requests + 1 },
            _ => Phase::Busy { requests: 1 },
        };
    }

    fn request_finished(&self) {
        let mut state = lock(&self.state);
        if let Phase::Busy { requests } = state.phase {
            state.phase = match requests {
                0 | 1 => Phase::Idle { since: Instant::now() },
                more => Phase::Busy { requests: more - 1 },
            };
        }
        let idle = matches!(state.phase, Phase::Idle { .. });
        drop(state);
        if idle && self.server.reclaim_wanted.swap(false, Ordering::Relaxed) {
            self.reclaim();
        }
    }

    fn idle_since(&self) -> Option<Instant> {
        match lock(&self.state).phase {
            Phase::Idle { since } => Some(since),
            _ => None,
        }
    }

    fn reclaim(&self) {
        self.reclaim.store(true, Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// When the watchdog is to look again: at the deadline, or one tick from now if
    /// that is sooner. Every deadline is at least a tick after the moment it arises
    /// (a phase's start, or the last byte moved), and the watchdog looks at least
    /// once a tick, so it never misses one, and no request has to wake it.
    fn next_look(&self, now: Instant) -> Instant {
        self.deadline().0.min(now + self.server.limits.tick())
    }

    /// When the current phase ends the connection, and why.
    fn deadline(&self) -> (Instant, &'static str) {
        let limits = &self.server.limits;
        let state = lock(&self.state);
        let stalled = (state.progress + limits.stall_timeout, "no byte moved while answering a request");
        let phase = match state.phase {
            Phase::Head { since, .. } => (since + limits.header_read_timeout, "request head not complete in time"),
            // Without keep-alive hyper closes after the answer by itself.
            Phase::Idle { since } => (
                since + limits.keep_alive_timeout.unwrap_or(limits.header_read_timeout),
                "idle past the keep-alive timeout",
            ),
            Phase::Busy { .. } => return stalled,
        };
        // An answer's body is done (so the phase moved on) before all of it is sent:
        // a client that stops reading is held to the stall timeout in every phase.
        if !state.flushed && stalled.0 < phase.0 {
            stalled
        } else {
            phase
        }
    }

    /// Closing now loses nothing: no request is under way and every answer is out.
    fn is_quiet(&self) -> bool {
        let state = lock(&self.state);
        match state.phase {
            Phase::Head { started, .. } => !started,
            Phase::Idle { .. } => state.flushed,
            Phase::Busy { .. } => false,
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    builder: Arc<http1::Builder>,
    server: Arc<Shared>,
    place: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
) {
    let connection = Arc::new(Connection::new(server.clone()));
    let id = server.next_id.fetch_add(1, Ordering::Relaxed);
    lock(&server.connections).insert(id, connection.clone());

    // The connection (and its socket) is dropped at the end of this block, before its
    // place is given back.
    {
        let io = TokioIo::new(WatchedIo { stream, connection: connection.clone() });
        let service = TrackedService { router, connection: connection.clone() };
        let mut http = pin!(builder.serve_connection(io, service));
        let mut stopping = false;
        loop {
            if !stopping && *stop.borrow() {
                stopping = true;
                if connection.is_quiet() {
                    break;
                }
                http.as_mut().graceful_shutdown();
            }
            let next_look = connection.next_look(Instant::now());
            tokio::select! {
                result = http.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    break;
                }
                () = tokio::time::sleep_until(next_look) => {
                    // The phase may have changed meanwhile, and its deadline with it.
                    let (deadline, why) = connection.deadline();
                    if Instant::now() >= deadline {
                        tracing::debug!(why, "closing connection");
                        break;
                    }
                }
                () = connection.wake.notified() => {
                    if connection.reclaim.load(Ordering::Relaxed) {
                        if connection.idle_since().is_none() {
                            // A request came first: let the next idle connection make room.
                            connection.reclaim.store(false, Ordering::Relaxed);
                            if server.waiting_for_place.load(Ordering::Relaxed) {
                                server.reclaim_wanted.store(true, Ordering::Relaxed);
                            }
                        } else if connection.is_quiet() {
                            tracing::debug!("closing an idle connection to make room for a new one");
                            break;
                        }
                    }
                }
                changed = stop.changed(), if !stopping => {
                    if changed.is_err() {
                        stopping = true;
                    }
                }
            }
        }
    }
    lock(&server.connections).remove(&id);
    drop(place);
    server.closed.notify_one();
}

/// The socket, telling its connection about every byte read or written.
struct WatchedIo {
    stream: TcpStream,
    connection: Arc<Connection>,
}

impl AsyncRead for WatchedIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.connection.read();
        }
        polled
    }
}

impl AsyncWrite for WatchedIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.connection.wrote(written(&polled));
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.connection.wrote(written(&polled));
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_flush(cx);
        if matches!(polled, Poll::Ready(Ok(()))) {
            self.connection.flushed();
        }
        polled
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

fn written(polled: &Poll<io::Result<usize>>) -> usize {
    match polled {
        Poll::Ready(Ok(bytes)) => *bytes,
        _ => 0,
    }
}

/// The router, with each request marking its connection busy until its answer's
/// body is done (or dropped).
struct TrackedService {
    router: Router,
    connection: Arc<Connection>,
}

impl hyper::service::Service<hyper::Request<Incoming>> for TrackedService {
    type Response = hyper::Response<TrackedBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        let guard = RequestGuard::start(self.connection.clone());
        // A router is always ready, so it needs no `poll_ready`.
        let response = self.router.clone().call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| TrackedBody { body, _request: guard }))
        })
    }
}

struct RequestGuard(Arc<Connection>);

impl RequestGuard {
    fn start(connection: Arc<Connection>) -> Self {
        connection.request_started();
        Self(connection)
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

struct TrackedBody {
    body: Body,
    _request: RequestGuard,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
