//! What the process-level tests (`faults.rs`, `scale_out.rs`, `api/connection_limits.rs`) share:
//! tokens for the real binary, a schema of PostgreSQL each, free ports, the binary's
//! output and readiness, and a TCP relay that can be cut.
// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The HS256 secret the binaries under test are started with.
pub const SECRET: &str = "fault-tests-secret-fault-tests-secret";

pub fn token(user: &str) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let claims = json!({ "sub": user, "iat": now, "exp": now + 900 });
    jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
}

pub fn postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("this test needs TEST_DATABASE_URL (a PostgreSQL database); `make test` sets it in CI")
}

/// A fresh schema, and a URL whose connections use it.
pub async fn postgres_schema_url(base: &str) -> String {
    use sqlx::Connection;
    let schema = format!("todo_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.unwrap();
    // Where no test's schema is (see `prepare_database` in tests/api/helpers.rs);
    // a race with another test creating it fails harmlessly.
    let _ = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").execute(&mut conn).await;
    let _ = sqlx::query("CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public").execute(&mut conn).await;
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3D{schema}")
}

pub fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// Everything the binary prints on stdout and stderr (both piped), line by line as it comes.
pub fn collect_output(child: &mut tokio::process::Child) -> Arc<Mutex<Vec<String>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(collect_lines(child.stdout.take().expect("stdout piped"), log.clone()));
    tokio::spawn(collect_lines(child.stderr.take().expect("stderr piped"), log.clone()));
    log
}

async fn collect_lines(output: impl tokio::io::AsyncRead + Unpin, sink: Arc<Mutex<Vec<String>>>) {
    let mut lines = BufReader::new(output).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        sink.lock().unwrap().push(line);
    }
}

/// Waits until the API at `addr` answers `/readyz` with 200; fails after 30 s with
/// what `output` says (the binary's log, when the test collects it).
pub async fn until_ready(addr: SocketAddr, output: impl Fn() -> String) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("http://{addr}/readyz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(Instant::now() < deadline, "the API did not become ready: {}", output());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A TCP relay to a server (PostgreSQL, Redis) that the test can cut (closing every
/// open connection and refusing new ones), stall (connections stay open, but nothing
/// goes through until it is released) and restore.
pub struct TcpRelay {
    pub addr: SocketAddr,
    up: watch::Sender<bool>,
    stalled: watch::Sender<bool>,
}

impl TcpRelay {
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, _) = watch::channel(true);
        let (stalled, _) = watch::channel(false);
        let (up_rx, stalled_rx) = (up.subscribe(), stalled.subscribe());
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { break };
                let mut up = up_rx.clone();
                if !*up.borrow() {
                    continue; // dropped: connection refused, in effect
                }
                let stalled = stalled_rx.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else { return };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::select! {
                        _ = pump(client_read, server_write, stalled.clone()) => {}
                        _ = pump(server_read, client_write, stalled) => {}
                        _ = up.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { addr, up, stalled }
    }

    pub fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }

    /// While stalled, what either side sends is held (not lost) until released.
    pub fn set_stalled(&self, stalled: bool) {
        self.stalled.send_replace(stalled);
    }
}

/// Copies `from` to `to`, holding each chunk while the relay is stalled.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut stalled: watch::Receiver<bool>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if stalled.wait_for(|stalled| !*stalled).await.is_err() || to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}
