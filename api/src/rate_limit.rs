//! The per-user request limit (`RATE_LIMIT_PER_MINUTE`): in this process, or, with
//! `REDIS_URL`, shared by every instance through Redis in one round trip per request.
//!
//! Both are the same GCRA (governor's, here; a Lua script in Redis), so a user gets
//! the same budget, burst and `Retry-After` either way. Redis is never allowed to
//! fail a request: when it is unreachable or slower than `REDIS_TIMEOUT_MS`, each
//! instance limits on its own until a background task reaches Redis again; the
//! change is told once in the log each way, and in the `rate_limit_shared` gauge.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use redis::aio::MultiplexedConnection;

/// A request over the limit, and when the next one would be admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// Whole seconds, rounded up (the `Retry-After` value).
    pub retry_after_secs: u64,
}

impl OverLimit {
    fn after(wait: Duration) -> Self {
        Self { retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0) }
    }
}

/// Requests per minute per user: the in-process limit, and the shared one when configured.
pub struct UserRateLimiter {
    local: DefaultKeyedRateLimiter<String>,
    shared: Option<RedisLimit>,
}

impl UserRateLimiter {
    /// `per_minute` requests (the burst the same) in process, and through Redis when given.
    pub fn new(per_minute: NonZeroU32, shared: Option<RedisLimit>) -> Self {
        Self { local: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)), shared }
    }

    pub fn shared(&self) -> Option<&RedisLimit> {
        self.shared.as_ref()
    }

    /// Admits the request or says how long to wait. Never fails for Redis's sake.
    pub async fn check(&self, user_id: &str) -> Result<(), OverLimit> {
        // The in-process limit counts every request, also those Redis decides, so
        // that during an outage a user does not start again from a full budget on
        // the instances they were using.
        let local = self.check_local(user_id);
        let Some(shared) = &self.shared else { return local };
        match shared.check(user_id).await {
            Some(decision) => decision,
            None => {
                metrics::counter!("rate_limit_fallbacks_total").increment(1);
                local
            }
        }
    }

    fn check_local(&self, user_id: &str) -> Result<(), OverLimit> {
        self.local
            .check_key(&user_id.to_owned())
            .map_err(|not_until| OverLimit::after(not_until.wait_time_from(DefaultClock::default().now())))
    }

    /// Forgets users whose in-process budget is full again, so memory follows active users only.
    pub fn forget_idle(&self) {
        self.local.retain_recent();
        self.local.shrink_to_fit();
    }
}

/// GCRA as governor runs it, on Redis's clock so the instances' clocks do not matter.
/// The key holds the user's theoretical arrival time (TAT) in microseconds and expires
/// when it has passed, when a missing key means the same as the stored one. Answers 0
/// when the request is admitted, else the microseconds until one would be.
/// (Numbers are written with `%d`: Lua 5.1's `tostring` keeps only 14 digits.)
const GCRA_SCRIPT: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local earliest = tat - tolerance
if now < earliest then
  return earliest - now
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next_tat),
  'PX', string.format('%d', math.ceil((next_tat - now) / 1000)))
return 0
";

/// How often a lost Redis is tried again, by one background task (never by a request).
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// How long one attempt may take to connect; no request waits for it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The limit in Redis. Requests use the current connection while there is one; a
/// failure or a late answer drops it, and a background task connects again.
pub struct RedisLimit {
    client: redis::Client,
    script: redis::Script,
    key_prefix: String,
    /// Microseconds between two requests at the sustained rate (governor's `t`).
    interval_us: u64,
    /// Microseconds of burst beyond the first request (governor's `tau`).
    tolerance_us: u64,
    timeout: Duration,
    link: Arc<Mutex<Link>>,
}

#[derive(Default)]
struct Link {
    /// The connection requests use, and its number: a failure seen on an older one
    /// (by a request that started before a reconnect) does not drop a newer one.
    connection: Option<(u64, MultiplexedConnection)>,
    generation: u64,
}

/// Why `REDIS_URL` cannot be used (what is wrong with it, never the URL: it may hold a password).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("REDIS_URL is not a usable redis:// URL ({0})")]
pub struct BadRedisUrl(String);

impl From<redis::RedisError> for BadRedisUrl {
    fn from(err: redis::RedisError) -> Self {
        Self(err.to_string())
    }
}

impl RedisLimit {
    /// The limit of `per_minute` requests (the burst the same) at `url`, each key
    /// `key_prefix` and a user id; nothing is connected yet (see [`RedisLimit::connect`]).
    pub fn new(url: &str, key_prefix: &str, per_minute: NonZeroU32, timeout: Duration) -> Result<Self, BadRedisUrl> {
        let client = redis::Client::open(url)?;
        let quota = Quota::per_minute(per_minute);
        let interval_us = quota.replenish_interval().as_micros() as u64;
        let tolerance_us = interval_us * u64::from(quota.burst_size().get() - 1);
        Ok(Self {
            client,
            script: redis::Script::new(GCRA_SCRIPT),
            key_prefix: key_prefix.to_owned(),
            interval_us,
            tolerance_us,
            timeout,
            link: Arc::default(),
        })
    }

    /// The first connection, before serving; when Redis is not there, the limit
    /// starts in process and a background task keeps trying.
    pub async fn connect(&self) {
        match connect(&self.client, self.timeout).await {
            Ok(connection) => {
                self.link.lock().expect("link lock").install(connection);
                tracing::info!("the rate limit is shared by every instance through Redis");
            }
            Err(failure) => {
                metrics::gauge!("rate_limit_shared").set(0.0);
                log_outage(&failure);
                tokio::spawn(reconnect(self.client.clone(), self.timeout, Arc::downgrade(&self.link)));
            }
        }
    }

    /// Redis's decision, or `None` when it could not be had in time.
    async fn check(&self, user_id: &str) -> Option<Result<(), OverLimit>> {
        let (generation, mut connection) = self.link.lock().expect("link lock").connection.clone()?;
        // Only the user id (never a token) names the key.
        let key = format!("{}{user_id}", self.key_prefix);
        let mut invocation = self.script.key(key);
        invocation.arg(self.interval_us).arg(self.tolerance_us);
        let failure = match tokio::time::timeout(self.timeout, invocation.invoke_async::<u64>(&mut connection)).await {
            Ok(Ok(0)) => return Some(Ok(())),
            Ok(Ok(wait_us)) => return Some(Err(OverLimit::after(Duration::from_micros(wait_us)))),
            Ok(Err(err)) => err.to_string(),
            Err(_) => format!("no answer within {} ms", self.timeout.as_millis()),
        };
        self.lose(generation, &failure);
        None
    }

    /// Drops the connection `generation` (unless a newer one has replaced it), says
    /// so once, and starts connecting again in the background.
    fn lose(&self, generation: u64, failure: &str) {
        let mut link = self.link.lock().expect("link lock");
        if link.connection.as_ref().is_some_and(|(current, _)| *current == generation) {
            link.connection = None;
            metrics::gauge!("rate_limit_shared").set(0.0);
            log_outage(failure);
            tokio::spawn(reconnect(self.client.clone(), self.timeout, Arc::downgrade(&self.link)));
        }
    }
}

impl Link {
    fn install(&mut self, connection: MultiplexedConnection) {
        self.generation += 1;
        self.connection = Some((self.generation, connection));
        metrics::gauge!("rate_limit_shared").set(1.0);
    }
}

/// Connects within [`CONNECT_TIMEOUT`] and PINGs (a relay or a proxy may accept a
/// connection with no Redis behind it). The PING must come back as fast as a request's
/// answer must (`timeout`): a Redis too slow for requests is not taken back, only to
/// be dropped again at the next request.
async fn connect(client: &redis::Client, timeout: Duration) -> Result<MultiplexedConnection, String> {
    let mut connection = match tokio::time::timeout(CONNECT_TIMEOUT, client.get_multiplexed_async_connection()).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(err)) => return Err(err.to_string()),
        Err(_) => return Err(format!("could not connect within {} s", CONNECT_TIMEOUT.as_secs())),
    };
    match tokio::time::timeout(timeout, redis::cmd("PING").query_async::<String>(&mut connection)).await {
        Ok(Ok(_)) => Ok(connection),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// Tries every [`RETRY_EVERY`] until Redis answers (then requests use it again) or
/// the limiter is gone (an application shut down).
async fn reconnect(client: redis::Client, timeout: Duration, link: Weak<Mutex<Link>>) {
    loop {
        tokio::time::sleep(RETRY_EVERY).await;
        if link.strong_count() == 0 {
            return;
        }
        if let Ok(connection) = connect(&client, timeout).await {
            let Some(link) = link.upgrade() else { return };
            link.lock().expect("link lock").install(connection);
            tracing::info!("Redis is back: the rate limit is shared by every instance again");
            return;
        }
    }
}

/// The one line an outage gets (the failure says what happened, never the URL).
fn log_outage(failure: &str) {
    tracing::warn!(error = %failure, "Redis unavailable: each instance applies the rate limit on its own until it is back");
}
