//! Every setting of the API, from a command-line flag or its environment variable.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::HeaderValue;
use clap::Parser;

/// The longest token lifetime (`exp` − `iat`) accepted unless configured
/// (`JWT_MAX_LIFETIME_SECS`); it bounds how long a revocation must be kept.
pub const DEFAULT_MAX_LIFETIME_SECS: u64 = 86_400;

/// Todo's task API: verifies Better Auth JWTs and serves each user their own tasks.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "todo-api",
    version,
    about,
    after_help = "Each setting comes from its flag, else its environment variable, else a .env file in the working \
                  directory (or the nearest parent with one), else its default. README.md, \"Operate it\", tells how \
                  to run several instances (PostgreSQL, REDIS_URL) and what /metrics serves."
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "API_ADDR", default_value = "127.0.0.1:8000")]
    pub api_addr: SocketAddr,

    /// Task store: `sqlite://path/to/file.db` (created when missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/todo.db", hide_env_values = true)]
    pub database_url: String,

    /// Most connections to PostgreSQL; on SQLite, the most reader threads (one per core, at least two).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 16)]
    pub database_max_connections: u32,

    /// Shared secret (at least 32 bytes) for HS256 tokens; unset to refuse HS256.
    #[arg(long, env = "BETTER_AUTH_SECRET", hide_env_values = true)]
    pub better_auth_secret: Option<String>,

    /// Base URL of the web app (Better Auth). Tokens' `iss` and `aud` must equal it,
    /// and it locates the JWKS at `{url}/api/auth/jwks`.
    #[arg(long, env = "BETTER_AUTH_URL")]
    pub better_auth_url: Option<String>,

    /// Where to fetch public keys for EdDSA/ES256/RS256/PS256 tokens
    /// [default: {BETTER_AUTH_URL}/api/auth/jwks].
    #[arg(long, env = "BETTER_AUTH_JWKS_URL")]
    pub better_auth_jwks_url: Option<String>,

    /// Required `iss` claim [default: BETTER_AUTH_URL].
    #[arg(long, env = "JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// Required `aud` claim [default: BETTER_AUTH_URL].
    #[arg(long, env = "JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// Shortest wait, in seconds, between two JWKS fetches caused by unknown `kid`s.
    #[arg(long, env = "JWKS_REFETCH_INTERVAL_SECS", default_value_t = 30)]
    pub jwks_refetch_interval_secs: u64,

    /// Browser origins allowed to call the API, comma-separated.
    #[arg(long, env = "CORS_ORIGINS", default_value = "http://localhost:3000", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Requests per minute allowed to one user; 0 switches the limit off.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,

    /// Redis shared by every instance of the API, e.g. `redis://127.0.0.1:6379` (or
    /// `redis://:password@host:6379/0`): the per-user rate limit is then one limit across
    /// them all. Unset: each instance limits on its own. When Redis is unreachable or slow,
    /// each instance falls back to its own limit until Redis is back; no request fails.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// Longest wait, in milliseconds, for Redis's answer on a request; a later answer
    /// counts as Redis being down (the request is limited in process).
    #[arg(long, env = "REDIS_TIMEOUT_MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub redis_timeout_ms: u64,

    /// Start of every rate-limit key in Redis (then the user id); deployments sharing
    /// one Redis keep apart by it.
    #[arg(long, env = "REDIS_KEY_PREFIX", default_value = "todo:rate-limit:")]
    pub redis_key_prefix: String,

    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 15)]
    pub request_timeout_secs: u64,

    /// Most tasks one user may keep; a create past it is refused with 422.
    #[arg(long, env = "MAX_TASKS_PER_USER", default_value_t = 100_000)]
    pub max_tasks_per_user: u64,

    /// Most searches (`q=`) one user may have running at once; the next is answered
    /// 429 at once, so one account cannot occupy every store thread.
    #[arg(long, env = "MAX_SEARCHES_PER_USER", default_value_t = 2)]
    pub max_searches_per_user: u32,

    /// How log lines are written: `text` for people, `json` for log shippers (the
    /// request id in every line).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = crate::telemetry::LogFormat::Text)]
    pub log_format: crate::telemetry::LogFormat,

    /// Where `/metrics` (Prometheus text) is served, e.g. `127.0.0.1:9100`; unset: not at all.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Longest token lifetime (`exp` − `iat`, seconds) accepted; a longer-lived token
    /// is refused. It bounds how long a revoked session must be remembered.
    #[arg(long, env = "JWT_MAX_LIFETIME_SECS", default_value_t = DEFAULT_MAX_LIFETIME_SECS,
          value_parser = clap::value_parser!(u64).range(60..=31_536_000))]
    pub jwt_max_lifetime_secs: u64,

    /// Seconds a client has to send a whole request head (request line and headers),
    /// counted from the connection's start or from the first byte of a later request;
    /// past it the connection is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// Seconds an idle keep-alive connection stays open between requests; 0 closes
    /// each connection after its answer.
    #[arg(long, env = "KEEP_ALIVE_TIMEOUT_SECS", default_value_t = 60)]
    pub keep_alive_timeout_secs: u64,

    /// Largest request head (request line and headers) in bytes; a larger one is
    /// answered 431 and the connection closed.
    #[arg(long, env = "MAX_REQUEST_HEAD_BYTES", default_value_t = 32 * 1024, value_parser = clap::value_parser!(u32).range(1024..=1024 * 1024))]
    pub max_request_head_bytes: u32,

    /// Most connections open at once; past it, new connections wait in the listen
    /// backlog until one closes (an idle keep-alive connection is closed to make room)
    /// [default: from the open-file limit (`ulimit -n`), leaving room for the store; 16 to 4096].
    #[arg(long, env = "MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
}

/// Why the configuration cannot start a server.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "no way to verify tokens: set BETTER_AUTH_SECRET (HS256, at least 32 bytes) \
         and/or BETTER_AUTH_URL or BETTER_AUTH_JWKS_URL (JWKS for EdDSA, ES256, RS256, PS256)"
    )]
    NoVerifier,
    #[error(
        "BETTER_AUTH_SECRET is {0} bytes long; it must be at least 32 bytes \
         (generate one with `openssl rand -base64 32`)"
    )]
    SecretTooShort(usize),
    #[error("the JWKS URL must be an absolute http:// or https:// URL, got {0:?}")]
    BadJwksUrl(String),
    #[error(transparent)]
    BadRedisUrl(#[from] crate::rate_limit::BadRedisUrl),
    #[error("CORS_ORIGINS must list origins such as http://localhost:3000; `*` is not allowed (got {0:?})")]
    BadCorsOrigin(String),
}

/// A setting given as an empty string (`BETTER_AUTH_URL=` in .env) counts as not given.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Config {
    pub fn secret(&self) -> Option<&str> {
        given(&self.better_auth_secret)
    }

    pub fn jwks_url(&self) -> Option<String> {
        given(&self.better_auth_jwks_url).map(str::to_owned).or_else(|| {
            given(&self.better_auth_url).map(|base| format!("{}/api/auth/jwks", base.trim_end_matches('/')))
        })
    }

    pub fn issuer(&self) -> Option<String> {
        given(&self.jwt_issuer).or_else(|| given(&self.better_auth_url)).map(str::to_owned)
    }

    pub fn audience(&self) -> Option<String> {
        given(&self.jwt_audience).or_else(|| given(&self.better_auth_url)).map(str::to_owned)
    }

    pub fn jwks_refetch_interval(&self) -> Duration {
        Duration::from_secs(self.jwks_refetch_interval_secs)
    }

    pub fn redis_url(&self) -> Option<&str> {
        given(&self.redis_url)
    }

    pub fn redis_timeout(&self) -> Duration {
        Duration::from_millis(self.redis_timeout_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    /// `None` when keep-alive is off.
    pub fn keep_alive_timeout(&self) -> Option<Duration> {
        Some(Duration::from_secs(self.keep_alive_timeout_secs)).filter(|timeout| !timeout.is_zero())
    }

    /// Refuses configurations under which no token could be verified safely.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let jwks_url = self.jwks_url();
        match (self.secret(), &jwks_url) {
            (None, None) => return Err(ConfigError::NoVerifier),
            (Some(secret), _) if secret.len() < 32 => return Err(ConfigError::SecretTooShort(secret.len())),
            _ => {}
        }
        if let Some(url) = jwks_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() <= "https://".len() {
                return Err(ConfigError::BadJwksUrl(url));
            }
        }
        if let Some(url) = self.redis_url() {
            redis::Client::open(url).map_err(crate::rate_limit::BadRedisUrl::from)?;
        }
        if let Some(origin) =
            self.cors_origins.iter().find(|o| o.trim() == "*" || HeaderValue::from_str(o.trim()).is_err())
        {
            return Err(ConfigError::BadCorsOrigin(origin.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        Config::try_parse_from(std::iter::once("todo-api").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn refuses_to_start_without_a_verifier() {
        let config = parse(&[]);
        assert_eq!(config.validate(), Err(ConfigError::NoVerifier));
    }

    #[test]
    fn refuses_a_short_secret_and_says_how_long_it_was() {
        let config = parse(&["--better-auth-secret", "too-short"]);
        assert_eq!(config.validate(), Err(ConfigError::SecretTooShort(9)));
        assert!(config.validate().unwrap_err().to_string().contains("at least 32 bytes"));
    }

    #[test]
    fn empty_settings_count_as_unset() {
        let config = parse(&["--better-auth-secret", "", "--better-auth-url", " "]);
        assert_eq!(config.validate(), Err(ConfigError::NoVerifier));
        let config = parse(&["--better-auth-url", "localhost:3000"]);
        assert!(matches!(config.validate(), Err(ConfigError::BadJwksUrl(_))));
    }

    #[test]
    fn refuses_a_wildcard_cors_origin() {
        let config = parse(&["--better-auth-url", "http://a", "--cors-origins", "http://a,*"]);
        assert_eq!(config.validate(), Err(ConfigError::BadCorsOrigin("*".into())));
    }

    #[test]
    fn a_redis_url_must_be_plain_redis_and_never_shows_in_the_error() {
        let config = parse(&["--better-auth-url", "http://a", "--redis-url", ""]);
        assert_eq!(config.redis_url(), None, "empty counts as unset");
        assert_eq!(config.validate(), Ok(()));
        let config = parse(&["--better-auth-url", "http://a", "--redis-url", "redis://:pw-123@127.0.0.1:6379/0"]);
        assert_eq!(config.validate(), Ok(()));
        for url in ["rediss://:pw-123@cache:6380", "http://:pw-123@cache", "pw-123"] {
            let config = parse(&["--better-auth-url", "http://a", "--redis-url", url]);
            let err = config.validate().expect_err(url).to_string();
            assert!(err.starts_with("REDIS_URL is not a usable redis:// URL"), "{url}: {err}");
            assert!(!err.contains("pw-123"), "{url}: the password leaks into {err}");
        }
    }

    #[test]
    fn derives_jwks_issuer_and_audience_from_the_auth_url() {
        let config = parse(&["--better-auth-url", "http://localhost:3000/"]);
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.jwks_url().as_deref(), Some("http://localhost:3000/api/auth/jwks"));
        assert_eq!(config.issuer().as_deref(), Some("http://localhost:3000/"));
        let config = parse(&["--better-auth-url", "http://a", "--jwt-audience", "b"]);
        assert_eq!(config.audience().as_deref(), Some("b"));
    }
}
