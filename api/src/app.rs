//! Building the application: state, router, middleware, and serving it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{map_request, map_response};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::{AuthState, TokenVerifier, UserRateLimiter};
use crate::config::{Config, ConfigError};
use crate::db::Db;
use crate::error::{plain_problem, PROBLEM_JSON};
use crate::extract::BODY_LIMIT_BYTES;
use crate::openapi::ApiDoc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: Db,
    pub auth: AuthState,
}

/// Everything the router needs besides the store.
pub struct Settings {
    pub cors_origins: Vec<String>,
    pub request_timeout: Duration,
}

/// The router and the OpenAPI document, both built from the same `routes!`.
pub fn router_and_openapi() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::tasks::router())
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
        .layer(map_request(drop_unusable_request_id))
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // The path only: never headers (tokens) or the query string.
                    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(cors(&settings.cors_origins))
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
    if !(status.is_client_error() || status.is_server_error()) || response.headers().contains_key(header::CONTENT_TYPE) {
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
    router: Router,
    db: Db,
}

impl Application {
    /// Validates the configuration, connects to the store and migrates it, binds the address.
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let db = Db::connect(&config.database_url, config.database_max_connections)?;
        Self::build_with_db(config, db).await
    }

    /// Like [`Application::build`], on a store the caller opened (tests use one schema each).
    pub async fn build_with_db(config: &Config, db: Db) -> Result<Self, StartError> {
        config.validate()?;
        db.migrate().await?;
        let state = state_for(db.clone(), config);
        let settings = Settings { cors_origins: config.cors_origins.clone(), request_timeout: config.request_timeout() };
        let listener = TcpListener::bind(config.api_addr).await?;
        Ok(Self { listener, router: build_router(state, &settings), db })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let result = axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await;
        self.db.close().await;
        result
    }
}

/// The shared state for a store and a configuration; starts the rate limiter's sweeper.
pub fn state_for(db: Db, config: &Config) -> AppState {
    let rate_limiter = UserRateLimiter::per_minute(config.rate_limit_per_minute).map(Arc::new);
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
    AppState { db, auth: AuthState { verifier: Arc::new(TokenVerifier::from_config(config)), rate_limiter } }
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
