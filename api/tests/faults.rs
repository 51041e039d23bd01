//! Faults: the store going away and coming back, and the process being killed
//! in the middle of a stream of creates. Tests named `…on_postgres` need
//! `TEST_DATABASE_URL`; `make test` runs them when it is set.

mod support;

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use support::{free_port, postgres_schema_url, postgres_url, token, until_ready, TcpRelay, SECRET};

/// The real binary, on `database_url`, listening on `addr`. It runs in an empty
/// directory with a cleared environment, so no developer `.env` reaches it.
async fn start_api(database_url: &str, addr: SocketAddr) -> Child {
    static EMPTY_DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let cwd = EMPTY_DIR.get_or_init(|| tempfile::tempdir().unwrap()).path();
    let child = Command::new(env!("CARGO_BIN_EXE_todo-api"))
        .current_dir(cwd)
        .env_clear()
        .env("API_ADDR", addr.to_string())
        .env("DATABASE_URL", database_url)
        .env("BETTER_AUTH_SECRET", SECRET)
        .env("RATE_LIMIT_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    until_ready(addr, || "(its output is not kept)".to_owned()).await;
    child
}

/// Every task of `user`, following the pages.
async fn all_ids(addr: SocketAddr, user: &str) -> Vec<i64> {
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut next = Some(format!("/api/{user}/tasks?limit=200"));
    while let Some(path) = next.take() {
        let response = client.get(format!("http://{addr}{path}")).bearer_auth(token(user)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        next = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().trim_start_matches('<').split('>').next().unwrap().to_owned());
        ids.extend(response.json::<Vec<Value>>().await.unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
    }
    ids
}

/// Creates as fast as four clients can, kills the process with SIGKILL, restarts
/// it on the same store: every create that was answered 201 must be there.
async fn sigkill_loses_no_acknowledged_create(database_url: &str) {
    let addr = free_port();
    let mut api = start_api(database_url, addr).await;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for worker in 0..4 {
        let acknowledged = acknowledged.clone();
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0.. {
                let sent = client
                    .post(format!("http://{addr}/api/alice/tasks"))
                    .bearer_auth(token("alice"))
                    .json(&json!({ "title": format!("worker {worker} task {i}") }))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 201 => {
                        if let Ok(task) = response.json::<Value>().await {
                            acknowledged.lock().await.push(task["id"].as_i64().unwrap());
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    api.kill().await.unwrap(); // SIGKILL: no graceful shutdown, no flush.
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(acknowledged.len() > 10, "the stream of creates was running ({} acknowledged)", acknowledged.len());

    let restarted = free_port();
    let _api = start_api(database_url, restarted).await;
    let stored = all_ids(restarted, "alice").await;
    let missing: Vec<_> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged but lost after SIGKILL: {missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_creates_loses_no_acknowledged_create_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("todo.db").display());
    sigkill_loses_no_acknowledged_create(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_creates_loses_no_acknowledged_create_on_postgres() {
    let url = postgres_schema_url(&postgres_url()).await;
    sigkill_loses_no_acknowledged_create(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_outage_gives_503_and_recovery_needs_no_restart_on_postgres() {
    let base = postgres_url();
    let schema_url = postgres_schema_url(&base).await;
    let options: sqlx::postgres::PgConnectOptions = schema_url.parse().unwrap();
    let target: SocketAddr = format!("{}:{}", options.get_host(), options.get_port())
        .parse()
        .unwrap_or_else(|_| format!("127.0.0.1:{}", options.get_port()).parse().unwrap());
    let link = TcpRelay::start(target).await;
    let via_link =
        schema_url.replacen(&format!("{}:{}", options.get_host(), options.get_port()), &link.addr.to_string(), 1);
    assert_ne!(via_link, schema_url, "the URL goes through the relay");

    let addr = free_port();
    let _api = start_api(&via_link, addr).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let create = |title: &'static str| {
        client
            .post(format!("http://{addr}/api/alice/tasks"))
            .bearer_auth(token("alice"))
            .json(&json!({ "title": title }))
            .send()
    };
    assert_eq!(create("before").await.unwrap().status(), 201);

    link.set_up(false);
    for path in ["/api/alice/tasks", "/readyz"] {
        let started = Instant::now();
        let response = client.get(format!("http://{addr}{path}")).bearer_auth(token("alice")).send().await.unwrap();
        assert_eq!(response.status(), 503, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        assert!(started.elapsed() < Duration::from_secs(10), "{path} answered without hanging");
    }
    let during = create("during").await.unwrap();
    assert_eq!(during.status(), 503);
    assert!(during.headers().contains_key("retry-after"));

    link.set_up(true);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = create("after").await.unwrap();
        if response.status() == 201 {
            break;
        }
        assert_eq!(response.status(), 503);
        assert!(Instant::now() < deadline, "the API did not recover by itself");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let titles: Vec<String> = {
        let response = client
            .get(format!("http://{addr}/api/alice/tasks?sort=created_at&order=asc"))
            .bearer_auth(token("alice"))
            .send()
            .await
            .unwrap();
        response.json::<Vec<Value>>().await.unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(titles.first().map(String::as_str), Some("before"));
    assert!(!titles.iter().any(|t| t == "during"), "a request answered 503 wrote nothing");
}
