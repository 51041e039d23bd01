//! Building the application: state, router, middleware, and serving it.

use std::convert::Infallible;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::HttpBody;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, map_request, map_response, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::{AuthState, TokenVerifier};
use crate::config::{Config, ConfigError};
use crate::db::Db;
use crate::error::{plain_problem, ApiError, PROBLEM_JSON};
use crate::extract::BODY_LIMIT_BYTES;
use crate::openapi::ApiDoc;
use crate::rate_limit::{RedisLimit, UserRateLimiter};
use crate::serve::ConnectionLimits;
use crate::state::{AppState, Clock};
use crate::telemetry::loggable;

/// Everything the router needs besides the store.
pub struct Settings {
    pub cors_origins: Vec<String>,
    pub request_timeout: Duration,
}

/// The router and the OpenAPI document, both built from the same `routes!`.
pub fn router_and_openapi() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::tasks::router())
        .merge(crate::lists::router())
        .merge(crate::sessions::events::router())
        .merge(crate::health::router())
        .split_for_parts();
    crate::openapi::complete(&mut openapi);
    (router, openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    router_and_openapi().1
}

/// The whole HTTP application over the given state.
pub fn build_router(state: AppState, settings: &Settings) -> Router {
    let (router, openapi) = router_and_openapi();
    let request_id = HeaderName::from_static("x-request-id");
    let middleware = ServiceBuilder::new()
        .layer(from_fn(crate::metrics::track))
        .layer(map_request(drop_unusable_request_id))
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // The path only: never headers (tokens) or the query string. The client
                    // chooses the path and the method, so each is cut to a few hundred bytes.
                    let method = loggable(request.method().as_str());
                    let path = loggable(request.uri().path());
                    tracing::info_span!("request", id, method = %method, path = &*path, refused = tracing::field::Empty)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(CorsForPreflightsOnly(cors(&settings.cors_origins)))
        .layer(from_fn(refuse_declared_oversize_body))
        .layer(map_response(problem_for_bare_errors))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, settings.request_timeout))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES));

    router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(|| async { plain_problem(StatusCode::NOT_FOUND, "no such resource") })
        .with_state(state)
        .layer(middleware)
}

/// A client's `X-Request-Id` is kept only when short and plain (at most 64 of
/// `A-Z a-z 0-9 - _ . :`), as it goes into every log line of the request and back
/// in the answer; any other is dropped, so a fresh one is made.
async fn drop_unusable_request_id(mut request: Request) -> Request {
    let plain = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 64
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    };
    if request.headers().get_all("x-request-id").iter().any(|value| !plain(value))
        || request.headers().get_all("x-request-id").iter().count() > 1
    {
        request.headers_mut().remove("x-request-id");
    }
    request
}

/// A body declared (by `Content-Length`) over the limit is refused at once, before
/// any of it is read, rather than waited for; the connection is then closed, as the
/// rest of the declared body will not be read.
async fn refuse_declared_oversize_body(request: Request, next: Next) -> Response {
    if request.body().size_hint().lower() > BODY_LIMIT_BYTES as u64 {
        let mut response = ApiError::PayloadTooLarge { limit: BODY_LIMIT_BYTES }.into_response();
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

/// CORS for preflights and cross-origin requests, but an `OPTIONS` that is not a
/// preflight (RFC 9110 `OPTIONS` without `Origin` and `Access-Control-Request-Method`)
/// goes to the router like any other method: 405 with `Allow`, or 404. Plain
/// `CorsLayer` answers every `OPTIONS` 200, on any path.
#[derive(Clone)]
struct CorsForPreflightsOnly(CorsLayer);

impl<S: Clone> Layer<S> for CorsForPreflightsOnly {
    type Service = PreflightAware<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PreflightAware { cors: self.0.layer(inner.clone()), plain: inner }
    }
}

#[derive(Clone)]
struct PreflightAware<S> {
    cors: Cors<S>,
    plain: S,
}

impl<S> Service<Request> for PreflightAware<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    Cors<S>: Service<Request, Response = Response, Error = Infallible>,
    <Cors<S> as Service<Request>>::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        match self.plain.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.cors.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let headers = request.headers();
        let preflight =
            headers.contains_key(header::ORIGIN) && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if request.method() == Method::OPTIONS && !preflight {
            Box::pin(self.plain.call(request))
        } else {
            Box::pin(self.cors.call(request))
        }
    }
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|origin| origin.trim())
        .filter(|origin| !origin.is_empty())
        .filter_map(|origin| HeaderValue::from_str(origin.trim_end_matches('/')).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::LOCATION, header::LINK])
        .max_age(Duration::from_secs(600))
}

/// Errors made by axum or tower themselves (405 with `Allow`, a timeout's 503)
/// come without a body; give them the same problem document as every other error.
async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed here; the Allow header lists those that are",
        StatusCode::SERVICE_UNAVAILABLE => "the request took too long; it is safe to retry",
        _ => status.canonical_reason().unwrap_or("error"),
    };
    let (mut parts, _) = response.into_parts();
    let problem = plain_problem(status, detail);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        parts.headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    let (_, body) = problem.into_parts();
    Response::from_parts(parts, body).into_response()
}

/// A configured application bound to its listener, ready to serve.
pub struct Application {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    router: Router,
    limits: ConnectionLimits,
    db: Db,
}

impl Application {
    /// Validates the configuration, connects to the store and migrates it, binds the address.
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let db =
            Db::connect_with_timeout(&config.database_url, config.database_max_connections, config.request_timeout())?;
        Self::build_with_db(config, db).await
    }

    /// Like [`Application::build`], on a store the caller opened (tests use one schema each).
    pub async fn build_with_db(config: &Config, db: Db) -> Result<Self, StartError> {
        Self::build_with_db_and_clock(config, db, Clock::System).await
    }

    /// Like [`Application::build_with_db`], with the views computed at `clock`'s time.
    pub async fn build_with_db_and_clock(config: &Config, db: Db, clock: Clock) -> Result<Self, StartError> {
        config.validate()?;
        db.migrate().await?;
        let upgraded = crate::tasks::store::upgrade_stored_tasks(&db).await?;
        if upgraded != crate::tasks::store::UpgradeReport::default() {
            tracing::info!(
                repaired = upgraded.repaired,
                refolded = upgraded.refolded,
                restamped = upgraded.restamped,
                dated = upgraded.dated,
                "brought stored tasks to today's rules (control characters and overrides taken out, search forms \
                 refolded, SQLite times in one text form, all-day tasks dated for the views)"
            );
        }
        // Before any metric is recorded (the rate limit's gauge is set at once).
        let metrics_listener = match config.metrics_addr {
            Some(addr) => {
                crate::metrics::install();
                Some(TcpListener::bind(addr).await?)
            }
            None => None,
        };
        let state = AppState { clock, ..state_for(db.clone(), config) };
        if let Some(redis) = state.auth.rate_limiter.as_ref().and_then(|limiter| limiter.shared()) {
            redis.connect().await;
        }
        // Before the first request: a restarted instance forgets no revocation.
        let revocations = state.auth.verifier.revocations();
        crate::sessions::reload(&db, revocations).await?;
        crate::sessions::keep_in_step(db.clone(), Arc::downgrade(revocations));
        let settings =
            Settings { cors_origins: config.cors_origins.clone(), request_timeout: config.request_timeout() };
        let listener = TcpListener::bind(config.api_addr).await?;
        let router = build_router(state, &settings);
        Ok(Self { listener, metrics_listener, router, limits: connection_limits(config), db })
    }

    /// Where `/metrics` is served, when `METRICS_ADDR` is set.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.metrics_listener.as_ref().and_then(|listener| listener.local_addr().ok())
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn connection_limits(&self) -> &ConnectionLimits {
        &self.limits
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        if let Some(listener) = self.metrics_listener {
            tokio::spawn(crate::metrics::serve(listener, self.db.clone()));
        }
        let result = crate::serve::serve(self.listener, self.router, self.limits, shutdown).await;
        self.db.close().await;
        result
    }
}

/// The connection limits a configuration asks for (SPEC, Limits).
pub fn connection_limits(config: &Config) -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: config.header_read_timeout(),
        keep_alive_timeout: config.keep_alive_timeout(),
        max_head_bytes: config.max_request_head_bytes as usize,
        max_connections: crate::serve::max_connections(config.max_connections, config.database_max_connections),
        stall_timeout: ConnectionLimits::stall_timeout_for(config.request_timeout()),
    }
}

/// The shared state for a store and a configuration (validated: a bad `REDIS_URL`
/// panics); starts the rate limiter's sweeper.
pub fn state_for(db: Db, config: &Config) -> AppState {
    // 0 switches the limit off.
    let rate_limiter = NonZeroU32::new(config.rate_limit_per_minute).map(|per_minute| {
        let shared = config.redis_url().map(|url| {
            RedisLimit::new(url, &config.redis_key_prefix, per_minute, config.redis_timeout())
                .expect("REDIS_URL was checked by Config::validate")
        });
        Arc::new(UserRateLimiter::new(per_minute, shared))
    });
    if let Some(limiter) = rate_limiter.clone() {
        let limiter = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                match limiter.upgrade() {
                    Some(limiter) => limiter.forget_idle(),
                    None => break,
                }
            }
        });
    }
    let caps =
        Arc::new(crate::tasks::user_caps::UserCaps::new(config.max_tasks_per_user, config.max_searches_per_user));
    AppState {
        db,
        auth: AuthState { verifier: Arc::new(TokenVerifier::from_config(config)), rate_limiter },
        caps,
        clock: Clock::System,
    }
}

/// Start-up failures, each with a message that says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the task store: {0}")]
    Store(#[from] crate::db::StoreError),
    #[error("cannot migrate the task store: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
}
