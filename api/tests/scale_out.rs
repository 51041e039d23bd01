//! Scale-out: two API processes (the real binary) on one PostgreSQL schema and one
//! Redis, and a client alternating between them as a load balancer would. Each test
//! has a schema and a Redis key prefix of its own, so no two share tasks or a limit.
//!
//! Needs `TEST_DATABASE_URL` and a Redis at `TEST_REDIS_URL` (default
//! `redis://127.0.0.1:6379`); `make test` runs these when PostgreSQL is configured and
//! Redis answers, and prints why when it skips them (Makefile, `test-api-postgres`).

mod support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, Response};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use support::{collect_output, free_port, postgres_schema_url, postgres_url, token, until_ready, TcpRelay, SECRET};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned())
}

/// What both instances of a test are started with.
struct Setup {
    database_url: String,
    redis_url: String,
    key_prefix: String,
    rate_limit_per_minute: u32,
}

impl Setup {
    async fn new(rate_limit_per_minute: u32) -> Self {
        Self {
            database_url: postgres_schema_url(&postgres_url()).await,
            redis_url: redis_url(),
            key_prefix: format!("todo-test:{}:", uuid::Uuid::new_v4().simple()),
            rate_limit_per_minute,
        }
    }
}

/// One `todo-api` process with its metrics on and its log (stderr, at `info`) kept.
struct Instance {
    child: Child,
    addr: SocketAddr,
    metrics_addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

/// Starts an instance and waits for it to be ready. It runs in an empty directory
/// with a cleared environment, so no developer `.env` reaches it.
async fn start_instance(setup: &Setup) -> Instance {
    let dir = tempfile::tempdir().unwrap();
    let (addr, metrics_addr) = (free_port(), free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_todo-api"))
        .current_dir(dir.path())
        .env_clear()
        .env("API_ADDR", addr.to_string())
        .env("METRICS_ADDR", metrics_addr.to_string())
        .env("DATABASE_URL", &setup.database_url)
        .env("BETTER_AUTH_SECRET", SECRET)
        .env("RATE_LIMIT_PER_MINUTE", setup.rate_limit_per_minute.to_string())
        .env("REDIS_URL", &setup.redis_url)
        .env("REDIS_KEY_PREFIX", &setup.key_prefix)
        .env("RUST_LOG", "info,sqlx=warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let log = collect_output(&mut child);
    until_ready(addr, || format!("{:#?}", log.lock().unwrap())).await;
    Instance { child, addr, metrics_addr, log, _dir: dir }
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The value of one series (name and labels as rendered) on this instance's
    /// `/metrics`, 0 when absent.
    async fn metric(&self, series: &str) -> f64 {
        let text = Client::new()
            .get(format!("http://{}/metrics", self.metrics_addr))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
            .map_or(0.0, |value| value.trim().parse().unwrap())
    }

    fn log_lines_with(&self, needle: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|line| line.contains(needle)).count()
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

/// The log lines the rate limit writes when Redis goes and comes back.
const OUTAGE_LINE: &str = "Redis unavailable: each instance applies the rate limit on its own";
const RETURN_LINE: &str = "Redis is back: the rate limit is shared by every instance again";

fn client() -> Client {
    Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

async fn list(client: &Client, instance: &Instance, user: &str) -> Response {
    client.get(instance.url(&format!("/api/{user}/tasks"))).bearer_auth(token(user)).send().await.unwrap()
}

async fn create(client: &Client, instance: &Instance, user: &str, title: &str) -> Value {
    let response = client
        .post(instance.url(&format!("/api/{user}/tasks")))
        .bearer_auth(token(user))
        .json(&json!({ "title": title }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "creating {title:?} through {}", instance.addr);
    response.json().await.unwrap()
}

/// The path of the next page, from `Link: <…>; rel="next"`.
fn next_page(response: &Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().unwrap();
    Some(link.trim_start_matches('<').split('>').next().unwrap().to_owned())
}

/// What a run of [`alternate`] got.
struct Tally {
    admitted: usize,
    /// 429s, by instance.
    refused_by: [usize; 2],
    /// The longest any request took.
    slowest: Duration,
    /// The longest `Retry-After` of a 429, in seconds.
    longest_retry_after: u64,
}

/// Sends `count` list requests for `user`, alternating between the instances. Every
/// answer must be 200 or 429 (with `Retry-After`), and come without a stall.
async fn alternate(client: &Client, instances: &[Instance; 2], user: &str, count: usize) -> Tally {
    let mut admitted = 0;
    let mut refused_by = [0; 2];
    let mut slowest = Duration::ZERO;
    let mut longest_retry_after = 0;
    for n in 0..count {
        let which = n % 2;
        let started = Instant::now();
        let response = list(client, &instances[which], user).await;
        slowest = slowest.max(started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(3), "request {n} took {:?}", started.elapsed());
        match response.status().as_u16() {
            200 => admitted += 1,
            429 => {
                let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(retry_after >= 1, "Retry-After {retry_after}");
                longest_retry_after = longest_retry_after.max(retry_after);
                refused_by[which] += 1;
            }
            status => panic!("request {n} through instance {which}: {status} {}", response.text().await.unwrap()),
        }
    }
    Tally { admitted, refused_by, slowest, longest_retry_after }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_users_requests_over_the_limit_get_429_from_either_instance_on_postgres() {
    const LIMIT: usize = 10;
    let setup = Setup::new(LIMIT as u32).await;
    let instances = [start_instance(&setup).await, start_instance(&setup).await];
    for instance in &instances {
        assert_eq!(instance.metric("rate_limit_shared").await, 1.0, "{}", instance.log());
    }
    let client = client();
    // Redis forgets its scripts on a restart (or SCRIPT FLUSH, as here): the limit's
    // EVALSHA is then refused, and the script loaded again, within the same request.
    let mut redis = redis::Client::open(setup.redis_url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("TEST_REDIS_URL reachable");
    redis::cmd("SCRIPT").arg("FLUSH").query_async::<()>(&mut redis).await.unwrap();

    let Tally { admitted, refused_by, longest_retry_after, .. } =
        alternate(&client, &instances, "mallory", 4 * LIMIT).await;
    // Each instance alone would admit LIMIT (2 × LIMIT in all); one budget across
    // both admits LIMIT, and at most one more per instance (a slot refilled meanwhile).
    assert!(admitted >= LIMIT, "the whole budget is admitted: {admitted}");
    assert!(admitted <= LIMIT + 2, "{admitted} of {} admitted: the limit is not shared", 4 * LIMIT);
    assert!(refused_by.iter().all(|&refused| refused > 0), "both instances refuse: {refused_by:?}");
    // As the in-process limit says it: the wait for the next slot, a minute / LIMIT at most.
    assert!(longest_retry_after <= (60 / LIMIT) as u64, "Retry-After {longest_retry_after}");
    for instance in &instances {
        assert_eq!(instance.log_lines_with(OUTAGE_LINE), 0, "Redis was there all along:\n{}", instance.log());
        assert_eq!(instance.metric("rate_limit_fallbacks_total").await, 0.0);
    }

    // Someone else's budget is their own, on either instance.
    for instance in &instances {
        assert_eq!(list(&client, instance, "bob").await.status(), 200);
    }

    // In Redis: one key per user, named by the prefix and the user id alone (no
    // token), each expiring within the minute it takes a budget to refill.
    let mut keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{}*", setup.key_prefix)).query_async(&mut redis).await.unwrap();
    keys.sort();
    assert_eq!(keys, [format!("{}bob", setup.key_prefix), format!("{}mallory", setup.key_prefix)]);
    for key in keys {
        let ttl_ms: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut redis).await.unwrap();
        assert!((1..=60_000).contains(&ttl_ms), "{key} expires in {ttl_ms} ms");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_instance_writes_the_other_reads_at_once_and_pages_walk_across_both_on_postgres() {
    let setup = Setup::new(100_000).await;
    let [a, b] = [start_instance(&setup).await, start_instance(&setup).await];
    let client = client();
    let user = "alice";
    let task_url = |instance: &Instance, id: i64| instance.url(&format!("/api/{user}/tasks/{id}"));

    let task = create(&client, &a, user, "written through a").await;
    let id = task["id"].as_i64().unwrap();
    let read = client.get(task_url(&b, id)).bearer_auth(token(user)).send().await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().await.unwrap()["title"], "written through a");

    let edited = client
        .patch(task_url(&b, id))
        .bearer_auth(token(user))
        .json(&json!({ "title": "edited through b" }))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let read = client.get(task_url(&a, id)).bearer_auth(token(user)).send().await.unwrap();
    assert_eq!(read.json::<Value>().await.unwrap()["title"], "edited through b");

    let deleted = client.delete(task_url(&a, id)).bearer_auth(token(user)).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let read = client.get(task_url(&b, id)).bearer_auth(token(user)).send().await.unwrap();
    assert_eq!(read.status(), 404, "deleted through a, gone through b");

    // Keyset pages: each page from the other instance than the one before.
    let instances = [&a, &b];
    let mut created = Vec::new();
    for n in 0..25 {
        let task = create(&client, instances[n % 2], user, &format!("task {n:02}")).await;
        created.push(task["id"].as_i64().unwrap());
    }
    let mut walked = Vec::new();
    let mut next = Some(format!("/api/{user}/tasks?limit=4&sort=created_at&order=asc"));
    let mut pages = 0;
    while let Some(path) = next.take() {
        let response = client.get(instances[pages % 2].url(&path)).bearer_auth(token(user)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        next = next_page(&response);
        walked.extend(response.json::<Vec<Value>>().await.unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
        pages += 1;
        assert!(pages < 20, "pagination does not end");
    }
    assert_eq!(pages, 7, "25 tasks in pages of 4");
    assert_eq!(walked, created, "every task once, in order, across both instances");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_one_instance_loses_no_acknowledged_create_and_the_other_keeps_answering_on_postgres() {
    let setup = Setup::new(1_000_000).await;
    let [mut a, b] = [start_instance(&setup).await, start_instance(&setup).await];
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let acknowledged_by_b_after_kill = Arc::new(AtomicUsize::new(0));
    let b_failures = Arc::new(Mutex::new(Vec::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));

    let mut workers = Vec::new();
    for worker in 0..4 {
        let (to_a, target) = if worker % 2 == 0 { (true, a.addr) } else { (false, b.addr) };
        // What instance b logged, to say why when it answers anything but 201.
        let b_log = b.log.clone();
        let (acknowledged, after_kill, b_failures, killed, stop) = (
            acknowledged.clone(),
            acknowledged_by_b_after_kill.clone(),
            b_failures.clone(),
            killed.clone(),
            stop.clone(),
        );
        workers.push(tokio::spawn(async move {
            let client = client();
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let sent = client
                    .post(format!("http://{target}/api/alice/tasks"))
                    .bearer_auth(token("alice"))
                    .json(&json!({ "title": format!("worker {worker} task {n}") }))
                    .send()
                    .await;
                let task = match sent {
                    Ok(response) if response.status() == 201 => response.json::<Value>().await.ok(),
                    Ok(response) => {
                        assert!(
                            to_a,
                            "instance b answered {}:\n{}",
                            response.status(),
                            b_log.lock().unwrap().join("\n")
                        );
                        None
                    }
                    Err(_) => None,
                };
                match task {
                    Some(task) => {
                        acknowledged.lock().unwrap().push(task["id"].as_i64().unwrap());
                        if !to_a && killed.load(Ordering::SeqCst) {
                            after_kill.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    // The killed instance's clients stop at its first unanswered request.
                    None if to_a => break,
                    None => b_failures.lock().unwrap().push(n),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.child.kill().await.unwrap(); // SIGKILL: no graceful shutdown, no flush.
    killed.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.unwrap();
    }

    let b_failures = b_failures.lock().unwrap().clone();
    assert!(b_failures.is_empty(), "instance b failed creates {b_failures:?}");
    assert!(acknowledged_by_b_after_kill.load(Ordering::SeqCst) > 0, "instance b kept creating after the kill");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 10, "the stream of creates was running ({} acknowledged)", acknowledged.len());

    let client = client();
    let mut stored = HashSet::new();
    let mut next = Some("/api/alice/tasks?limit=200".to_owned());
    while let Some(path) = next.take() {
        let response = client.get(b.url(&path)).bearer_auth(token("alice")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        next = next_page(&response);
        stored.extend(response.json::<Vec<Value>>().await.unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
    }
    let missing: Vec<_> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged but not in the store: {missing:?}");
}

/// Puts a relay between the instances and Redis (the setup's URL then leads through it).
async fn relay_redis(setup: &mut Setup) -> TcpRelay {
    let mut via_relay = reqwest::Url::parse(&setup.redis_url).expect("TEST_REDIS_URL is a URL");
    let target = format!("{}:{}", via_relay.host_str().unwrap(), via_relay.port().unwrap_or(6379));
    let relay = TcpRelay::start(target.parse().expect("TEST_REDIS_URL names an IP address")).await;
    via_relay.set_host(Some("127.0.0.1")).unwrap();
    via_relay.set_port(Some(relay.addr.port())).unwrap();
    setup.redis_url = via_relay.to_string();
    relay
}

/// Waits until both instances share the limit through Redis again.
async fn until_shared_again(instances: &[Instance; 2]) {
    let deadline = Instant::now() + Duration::from_secs(15);
    for instance in instances {
        while instance.metric("rate_limit_shared").await != 1.0 {
            assert!(Instant::now() < deadline, "sharing did not return:\n{}", instance.log());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_falls_back_to_each_instances_limit_without_a_5xx_and_sharing_returns_on_postgres() {
    const LIMIT: usize = 6;
    let mut setup = Setup::new(LIMIT as u32).await;
    let relay = relay_redis(&mut setup).await;
    let instances = [start_instance(&setup).await, start_instance(&setup).await];
    let client = client();

    let Tally { admitted, .. } = alternate(&client, &instances, "before", 3 * LIMIT).await;
    assert!(admitted <= LIMIT + 2, "shared before the outage: {admitted} admitted");

    relay.set_up(false);
    let Tally { admitted, refused_by, slowest, longest_retry_after } =
        alternate(&client, &instances, "during", 4 * LIMIT).await;
    assert!(slowest < Duration::from_secs(1), "a request waited {slowest:?} for a cut Redis");
    assert!(longest_retry_after <= (60 / LIMIT) as u64, "Retry-After {longest_retry_after}, as when shared");
    // Each instance now applies the limit on its own: up to a budget each, and no more.
    assert!(admitted <= 2 * LIMIT + 2, "{admitted} admitted during the outage");
    assert!(refused_by.iter().all(|&refused| refused > 0), "both instances still limit: {refused_by:?}");
    for instance in &instances {
        assert_eq!(instance.metric("rate_limit_shared").await, 0.0, "the gauge tells the outage");
        assert!(instance.metric("rate_limit_fallbacks_total").await > 0.0, "requests limited in process are counted");
        assert_eq!(instance.log_lines_with(OUTAGE_LINE), 1, "one line for the outage:\n{}", instance.log());
    }

    relay.set_up(true);
    until_shared_again(&instances).await;
    for instance in &instances {
        assert_eq!(instance.log_lines_with(RETURN_LINE), 1, "one line for the return:\n{}", instance.log());
        assert_eq!(instance.log_lines_with(OUTAGE_LINE), 1, "still one line for the outage:\n{}", instance.log());
    }
    let Tally { admitted, refused_by, .. } = alternate(&client, &instances, "after", 4 * LIMIT).await;
    assert!(admitted <= LIMIT + 2, "shared again after the outage: {admitted} admitted");
    assert!(refused_by.iter().all(|&refused| refused > 0), "both instances refuse: {refused_by:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_stops_answering_is_given_up_on_after_the_timeout_and_taken_back_when_it_answers_on_postgres() {
    const LIMIT: usize = 6;
    let mut setup = Setup::new(LIMIT as u32).await;
    let relay = relay_redis(&mut setup).await;
    let instances = [start_instance(&setup).await, start_instance(&setup).await];
    let client = client();
    assert_eq!(list(&client, &instances[0], "before").await.status(), 200);

    // Connections stay open, but Redis's answers no longer come: each instance gives
    // up on Redis after REDIS_TIMEOUT_MS (100 ms) and limits on its own.
    relay.set_stalled(true);
    let Tally { admitted, refused_by, slowest, .. } = alternate(&client, &instances, "during", 4 * LIMIT).await;
    assert!(slowest < Duration::from_secs(1), "a request waited {slowest:?} for a silent Redis");
    assert!(admitted <= 2 * LIMIT + 2, "{admitted} admitted while Redis was silent");
    assert!(refused_by.iter().all(|&refused| refused > 0), "both instances still limit: {refused_by:?}");
    for instance in &instances {
        assert_eq!(instance.metric("rate_limit_shared").await, 0.0);
        assert_eq!(instance.log_lines_with(OUTAGE_LINE), 1, "one line for the outage:\n{}", instance.log());
        assert_eq!(instance.log_lines_with("no answer within 100 ms"), 1, "{}", instance.log());
    }

    relay.set_stalled(false);
    until_shared_again(&instances).await;
    let Tally { admitted, .. } = alternate(&client, &instances, "after", 3 * LIMIT).await;
    assert!(admitted <= LIMIT + 2, "shared again: {admitted} admitted");
}
