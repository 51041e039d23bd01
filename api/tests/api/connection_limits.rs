//! SPEC's Limits on connections and requests: slow, silent and idle connections are
//! closed, heads and declared bodies over their limits are refused at once, the
//! number of open connections is capped, running out of file descriptors pauses
//! accepting without spinning, a bare `OPTIONS` is not a 200, and a client cannot
//! make a log line long. Timeouts here are configured short (1–3 s); each check is
//! "closed within the timeout plus slack", never a tighter timing.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::json;
use todo_api::app::Application;
use todo_api::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::support::{collect_output, token, until_ready, SECRET};

/// Time allowed beyond a configured timeout for the close to be seen.
const SLACK: Duration = Duration::from_secs(2);

/// The application in this process, on SQLite, with `extra` flags.
struct Api {
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

async fn spawn_api(extra: &[&str]) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "todo-api".to_owned(),
        "--api-addr=127.0.0.1:0".to_owned(),
        format!("--database-url=sqlite://{}", dir.path().join("todo.db").display()),
        format!("--better-auth-secret={SECRET}"),
        "--rate-limit-per-minute=0".to_owned(),
        "--cors-origins=http://localhost:3000".to_owned(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let config = Config::try_parse_from(args).expect("test configuration parses");
    let app = Application::build(&config).await.expect("app builds");
    let addr = app.local_addr();
    tokio::spawn(app.run_until(std::future::pending()));
    Api { addr, _dir: dir }
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// An answer read off a raw connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads one answer (head and a `Content-Length` body) from `stream`.
async fn read_answer(stream: &mut TcpStream) -> std::io::Result<Answer> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before an answer"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// Sends `request` on `stream` and reads its answer.
async fn ask(stream: &mut TcpStream, request: &str) -> Answer {
    stream.write_all(request.as_bytes()).await.unwrap();
    read_answer(stream).await.unwrap()
}

const HEALTHZ: &str = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";

/// Waits for the server to close `stream` (end of stream or reset), at most `limit`
/// after `since`; returns how long after `since` that was.
async fn closed_within(stream: &mut TcpStream, since: Instant, limit: Duration, what: &str) -> Duration {
    let mut buf = [0u8; 1024];
    let remaining = limit.saturating_sub(since.elapsed());
    let closed = tokio::time::timeout(remaining, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "{what}: still open {limit:?} later");
    since.elapsed()
}

#[tokio::test]
async fn a_trickled_request_head_is_cut_off_after_the_header_read_timeout_while_others_are_served() {
    let api = spawn_api(&["--header-read-timeout-secs=1"]).await;
    let started = Instant::now();
    let (mut reader, mut writer) = TcpStream::connect(api.addr).await.unwrap().into_split();
    let trickle = tokio::spawn(async move {
        let head = b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for byte in head {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });

    // Meanwhile, another client is served.
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(client.get(api.url("/healthz")).send().await.unwrap().status(), 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(Duration::from_secs(1) + SLACK, reader.read(&mut buf)).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "a trickling client is still connected after {elapsed:?}: {closed:?}"
    );
    assert!(elapsed >= Duration::from_millis(900), "closed after {elapsed:?}, before the timeout");
    trickle.abort();
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_read_timeout() {
    let api = spawn_api(&["--header-read-timeout-secs=1"]).await;
    let started = Instant::now();
    let mut silent = TcpStream::connect(api.addr).await.unwrap();
    closed_within(&mut silent, started, Duration::from_secs(1) + SLACK, "a silent connection").await;
}

/// The keep-alive timeout, not the header-read one, runs between requests; the
/// header-read timeout starts again at the next request's first byte.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    let api = spawn_api(&["--header-read-timeout-secs=1", "--keep-alive-timeout-secs=3"]).await;
    let mut stream = TcpStream::connect(api.addr).await.unwrap();
    assert_eq!(ask(&mut stream, HEALTHZ).await.status, 200);
    // Idle for longer than the header-read timeout: still open, and served.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ask(&mut stream, HEALTHZ).await.status, 200, "the connection was kept alive");

    let answered = Instant::now();
    let elapsed =
        closed_within(&mut stream, answered, Duration::from_secs(3) + SLACK, "an idle keep-alive connection").await;
    assert!(elapsed >= Duration::from_millis(2500), "closed after {elapsed:?}, before the keep-alive timeout");

    // A later request's head gets the header-read timeout from its first byte.
    let mut stream = TcpStream::connect(api.addr).await.unwrap();
    assert_eq!(ask(&mut stream, HEALTHZ).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stream.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let first_byte = Instant::now();
    closed_within(&mut stream, first_byte, Duration::from_secs(1) + SLACK, "an unfinished second head").await;
}

/// A client that asks and then stops reading its answers cannot hold its connection:
/// once no byte has moved for the request timeout plus 5 s, it is closed.
#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_disconnected() {
    let api = spawn_api(&["--request-timeout-secs=1"]).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(api.addr).await.unwrap();
    // Ten pipelined requests for a 1.4 MB file: far more than the socket buffers hold.
    let request = "GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: test\r\n\r\n";
    stream.write_all(request.repeat(10).as_bytes()).await.unwrap();
    let stall_timeout = Duration::from_secs(1 + 5);
    tokio::time::sleep(stall_timeout + SLACK).await;

    // Reading now gets what the buffers held, then the end: not all ten answers.
    let mut received = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received += n,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stalled connection is still open ({received} bytes read)");
    assert!(received < 10 * 1_400_000, "all {received} bytes came: the connection was never stalled");
}

#[tokio::test]
async fn a_request_head_over_the_limit_is_431() {
    let api = spawn_api(&[]).await;
    let head =
        |filler: usize| format!("GET /healthz HTTP/1.1\r\nHost: test\r\nX-Filler: {}\r\n\r\n", "a".repeat(filler));

    let mut stream = TcpStream::connect(api.addr).await.unwrap();
    assert_eq!(ask(&mut stream, &head(16 * 1024)).await.status, 200, "a 16 KiB head is within the limit");

    let mut stream = TcpStream::connect(api.addr).await.unwrap();
    let answer = ask(&mut stream, &head(40 * 1024)).await;
    assert_eq!(answer.status, 431, "{answer:?}");

    // A 60,000-byte path is over it too: refused before it reaches the router or the log.
    let mut stream = TcpStream::connect(api.addr).await.unwrap();
    let long_path = format!("GET /{} HTTP/1.1\r\nHost: test\r\n\r\n", "a".repeat(60_000));
    assert_eq!(ask(&mut stream, &long_path).await.status, 431);
}

/// Past `MAX_CONNECTIONS` a new connection waits (in the listen backlog) rather than
/// being served; the connections already open are still served, and an idle
/// keep-alive connection is closed to make room for the one waiting.
#[tokio::test]
async fn past_max_connections_a_new_connection_waits_and_an_idle_one_makes_room() {
    let api = spawn_api(&["--max-connections=2", "--header-read-timeout-secs=30"]).await;
    let mut first = TcpStream::connect(api.addr).await.unwrap();
    let mut second = TcpStream::connect(api.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut waiting = TcpStream::connect(api.addr).await.unwrap();
    waiting.write_all(HEALTHZ.as_bytes()).await.unwrap();
    let early = tokio::time::timeout(Duration::from_secs(1), read_answer(&mut waiting)).await;
    assert!(early.is_err(), "a third connection was served past MAX_CONNECTIONS=2: {early:?}");

    // The open ones are still served; once the first is idle, it makes room.
    assert_eq!(ask(&mut first, HEALTHZ).await.status, 200);
    let answer = tokio::time::timeout(Duration::from_secs(3), read_answer(&mut waiting)).await;
    assert_eq!(answer.expect("the waiting connection is served").unwrap().status, 200);
    closed_within(&mut first, Instant::now(), Duration::from_secs(3), "the idle connection that made room").await;

    // The silent second one still holds its place; once it goes, a new client is served.
    drop(waiting);
    let mut third = TcpStream::connect(api.addr).await.unwrap();
    assert_eq!(ask(&mut third, HEALTHZ).await.status, 200);
    assert_eq!(ask(&mut second, HEALTHZ).await.status, 200, "the silent connection was kept and is served");
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_413_at_once() {
    let api = spawn_api(&["--request-timeout-secs=10"]).await;
    for authorization in [None, Some(format!("Authorization: Bearer {}\r\n", token("alice")))] {
        let mut stream = TcpStream::connect(api.addr).await.unwrap();
        let started = Instant::now();
        let request = format!(
            "POST /api/alice/tasks HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{}Content-Length: 10000000000\r\n\r\n",
            authorization.as_deref().unwrap_or("")
        );
        let answer = tokio::time::timeout(Duration::from_secs(5), ask(&mut stream, &request))
            .await
            .expect("answered well within the 10 s request timeout");
        assert_eq!(answer.status, 413, "{answer:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(answer.header("content-type"), Some("application/problem+json"));
        assert!(answer.body.contains("\"status\":413"), "{}", answer.body);
        assert!(answer.header("x-request-id").is_some(), "{answer:?}");
        // The rest of the declared body is not read: the connection closes.
        closed_within(&mut stream, Instant::now(), Duration::from_secs(2), "after a 413").await;
    }
    // A body within the limit is still read.
    let client = reqwest::Client::new();
    let created = client
        .post(api.url("/api/alice/tasks"))
        .bearer_auth(token("alice"))
        .json(&json!({ "title": "x".repeat(200) }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

#[tokio::test]
async fn options_without_a_cors_preflight_is_not_200() {
    let api = spawn_api(&[]).await;
    let client = reqwest::Client::new();
    let options = |path: &str| client.request(reqwest::Method::OPTIONS, api.url(path));

    for path in ["/api/alice/tasks", "/api/alice/tasks/1", "/healthz"] {
        let response = options(path).send().await.unwrap();
        assert_eq!(response.status(), 405, "bare OPTIONS {path}");
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        assert!(allow.contains("GET") && !allow.contains("OPTIONS"), "{path}: Allow: {allow}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    assert_eq!(options("/no/such/path").send().await.unwrap().status(), 404);
    let origin_only = options("/api/alice/tasks").header("origin", "http://localhost:3000").send().await.unwrap();
    assert_eq!(origin_only.status(), 405, "an Origin alone does not make a preflight");

    let preflight = options("/api/alice/tasks")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "http://localhost:3000");
}

// ---------------------------------------------------------------------------------
// The real binary: its log (stderr), and its file-descriptor limit.

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

struct Binary {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

/// The real binary on a fresh SQLite file, logging at `info` into [`Binary::log`],
/// with `env` added and, when given, at most `open_files` file descriptors.
async fn start_binary(env: &[(&str, &str)], open_files: Option<u64>) -> Binary {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_todo-api"));
    command
        .current_dir(dir.path())
        .env_clear()
        .env("API_ADDR", addr.to_string())
        .env("DATABASE_URL", format!("sqlite://{}", dir.path().join("todo.db").display()))
        .env("BETTER_AUTH_SECRET", SECRET)
        .env("RATE_LIMIT_PER_MINUTE", "0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(limit) = open_files {
        // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let rlimit = libc::rlimit { rlim_cur: limit as libc::rlim_t, rlim_max: limit as libc::rlim_t };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let mut child = command.spawn().unwrap();
    // The log goes to stderr; stdout is read too, so nothing logged is missed.
    let log = collect_output(&mut child);
    until_ready(addr, || format!("{:?}", log.lock().unwrap())).await;
    Binary { child, addr, log, _dir: dir }
}

impl Binary {
    fn lines_with(&self, needle: &str) -> Vec<String> {
        self.log.lock().unwrap().iter().filter(|line| line.contains(needle)).cloned().collect()
    }

    async fn wait_for_log(&self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self.lines_with(needle).into_iter().next() {
                return line;
            }
            assert!(Instant::now() < deadline, "no log line with {needle:?} in {:#?}", self.log.lock().unwrap());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// CPU time (user + system) the process has used so far.
    fn cpu_time(&self) -> Duration {
        let pid = self.child.id().unwrap();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
        // After the name: state is field 3, utime 14 and stime 15 (proc(5)).
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // SAFETY: sysconf reads a constant.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
        Duration::from_millis(ticks * 1000 / per_second)
    }

    /// Waits until a new connection gets `/healthz` answered 200.
    async fn healthz_answers_again(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let client = reqwest::Client::builder().timeout(Duration::from_secs(1)).build().unwrap();
        loop {
            if client.get(format!("http://{}/healthz", self.addr)).send().await.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "/healthz does not answer again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Opens `count` connections that send nothing.
async fn silent_connections(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let mut streams = Vec::new();
    for _ in 0..count {
        streams.push(TcpStream::connect(addr).await.unwrap());
    }
    streams
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_chosen_paths_and_methods_are_cut_in_the_log() {
    // A head limit above 60,000 bytes, so the long path reaches the application.
    let api = start_binary(&[("MAX_REQUEST_HEAD_BYTES", "131072")], None).await;
    let answers_logged = || api.lines_with("finished processing request").len();
    let logged_before = answers_logged();
    let client = reqwest::Client::new();
    let long_path = format!("/{}", "a".repeat(59_999));
    assert_eq!(client.get(format!("http://{}{long_path}", api.addr)).send().await.unwrap().status(), 404);
    let long_method = reqwest::Method::from_bytes("M".repeat(20_000).as_bytes()).unwrap();
    let response = client.request(long_method, format!("http://{}/healthz", api.addr)).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let long_id = "x".repeat(30_000);
    let response =
        client.get(format!("http://{}/healthz", api.addr)).header("x-request-id", &long_id).send().await.unwrap();
    assert_ne!(response.headers()["x-request-id"], long_id.as_str(), "a long request id is replaced");

    // One line per answer.
    let deadline = Instant::now() + Duration::from_secs(5);
    while answers_logged() < logged_before + 3 {
        assert!(Instant::now() < deadline, "the answers were not logged: {:#?}", api.log.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = api.log.lock().unwrap().clone();
    let longest = log.iter().map(String::len).max().unwrap();
    let sample: String = log.iter().find(|l| l.len() == longest).unwrap().chars().take(300).collect();
    assert!(longest < 1024, "a log line of {longest} bytes: {sample}…");
    assert!(!log.iter().any(|line| line.contains(&long_id[..100])), "the long request id is not logged");
    // Cut with a marker that says so, keeping the start.
    let cut = api.lines_with("[cut: 60000 bytes]");
    assert!(cut.len() == 1 && cut[0].contains(&format!("/{}", "a".repeat(200))), "{cut:#?}");
    assert_eq!(api.lines_with("[cut: 20000 bytes]").len(), 1);
}

/// With a low open-file limit and no `MAX_CONNECTIONS`, the cap derived from the
/// limit is reached before the descriptors run out: silent connections cannot make
/// accepting fail, a request under way on an open connection is still answered,
/// and new connections are served once the silent ones go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_cannot_exhaust_a_low_open_file_limit() {
    let api = start_binary(&[("HEADER_READ_TIMEOUT_SECS", "60")], Some(64)).await;
    let mut kept = TcpStream::connect(api.addr).await.unwrap();
    assert_eq!(ask(&mut kept, HEALTHZ).await.status, 200);
    // Half a request: not idle, so not closed to make room for the flood below.
    kept.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();

    let flood = silent_connections(api.addr, 100).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ask(&mut kept, "Host: test\r\n\r\n").await.status, 200, "a request under way is still answered");
    assert!(api.lines_with("open files").is_empty(), "the descriptors ran out: {:#?}", api.log.lock().unwrap());
    assert_eq!(api.lines_with("MAX_CONNECTIONS reached").len(), 1, "one log line for the episode");

    drop(flood);
    api.healthz_answers_again(Duration::from_secs(10)).await;
    assert!(api.lines_with("open files").is_empty(), "{:#?}", api.log.lock().unwrap());
}

/// With `MAX_CONNECTIONS` above what the open-file limit allows, accepting fails
/// with EMFILE: the loop pauses (no busy loop: little CPU), logs once for the whole
/// episode, keeps serving the connections it has, and accepts again when
/// descriptors come free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_out_of_file_descriptors_pauses_accepting_without_spinning() {
    let api = start_binary(&[("HEADER_READ_TIMEOUT_SECS", "60"), ("MAX_CONNECTIONS", "1000")], Some(64)).await;
    let mut kept = TcpStream::connect(api.addr).await.unwrap();
    assert_eq!(ask(&mut kept, HEALTHZ).await.status, 200);

    let flood = silent_connections(api.addr, 100).await;
    api.wait_for_log("Too many open files", Duration::from_secs(5)).await;
    let cpu_before = api.cpu_time();
    let episode = Instant::now();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(ask(&mut kept, HEALTHZ).await.status, 200, "an open connection is still served");
    }
    let cpu = api.cpu_time() - cpu_before;
    let wall = episode.elapsed();
    assert!(cpu < wall / 4, "{cpu:?} of CPU in {wall:?} with no descriptor free: the accept loop spins");
    let warnings = api.lines_with("Too many open files");
    assert_eq!(warnings.len(), 1, "one log line for the whole episode: {warnings:#?}");

    drop(flood);
    api.healthz_answers_again(Duration::from_secs(10)).await;
}
