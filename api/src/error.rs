//! One error type for the whole API, rendered as an RFC 9457 problem document.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::verifier::TokenError;
use crate::db::StoreError;

pub type ApiResult<T> = Result<T, ApiError>;

/// Why a request was refused. Every variant maps to exactly one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    MalformedJson(String),
    #[error(transparent)]
    Unauthorized(#[from] Unauthenticated),
    #[error("this resource belongs to another user")]
    Forbidden,
    #[error("{0}")]
    NotFound(&'static str),
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request body must be JSON sent with `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("{detail}")]
    Validation { detail: String, errors: Vec<FieldError> },
    /// The request is valid but clashes with what the person already has (a list's name).
    #[error("{detail}")]
    Conflict { detail: String, errors: Vec<FieldError> },
    #[error("too many requests: try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Over a limit on what one user may run at once (or keep); worth retrying soon.
    #[error("{0}")]
    Busy(String),
    #[error("the task store is unreachable; nothing was changed, so the request is safe to retry")]
    StoreUnavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Why the caller could not be identified (401). A value, not a sentence, so
/// logs and metrics can count refusals by reason; the sentence is its `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unauthenticated {
    #[error("a Bearer token is required")]
    MissingToken,
    #[error("send exactly one Authorization header")]
    SeveralAuthorizationHeaders,
    #[error("the Authorization header must be `Bearer <token>`")]
    MalformedAuthorization,
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl Unauthenticated {
    /// A short, stable name for logs and metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::SeveralAuthorizationHeaders | Self::MalformedAuthorization => "malformed_authorization",
            Self::Token(token) => token.reason(),
        }
    }

    /// RFC 6750 §3.1: no error code for a missing token, `invalid_request` for a
    /// malformed header, `invalid_token` for a token that was there but not accepted.
    fn challenge(self) -> &'static str {
        match self {
            Self::MissingToken => "",
            Self::SeveralAuthorizationHeaders | Self::MalformedAuthorization => "invalid_request",
            Self::Token(_) => "invalid_token",
        }
    }
}

/// A rule of the task that spans fields (todo-domain decides it), as the field it names.
impl From<todo_domain::Refusal> for FieldError {
    fn from(refusal: todo_domain::Refusal) -> Self {
        FieldError::new(refusal.field(), refusal.to_string())
    }
}

impl From<todo_domain::Refusal> for ApiError {
    fn from(refusal: todo_domain::Refusal) -> Self {
        ApiError::validation(vec![refusal.into()])
    }
}

/// One field of a request that broke a rule.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as sent (`title`, `limit`, …); empty for the body as a whole.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// RFC 9457 problem details, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` means the status says it all.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub type_: String,
    #[schema(example = "Unprocessable Entity")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "title: must not be empty")]
    pub detail: String,
    /// Present on validation failures only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";
const REALM: &str = "todo";

impl ApiError {
    /// No task with that id among the caller's tasks (or an id that names none).
    pub const NO_SUCH_TASK: ApiError = ApiError::NotFound("no such task");
    /// No list with that id among the caller's lists.
    pub const NO_SUCH_LIST: ApiError = ApiError::NotFound("no such list");

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| if e.field.is_empty() { e.message.clone() } else { format!("{}: {}", e.field, e.message) })
            .collect::<Vec<_>>()
            .join("; ");
        Self::Validation { detail, errors }
    }

    /// A 409 naming the field whose value clashes.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Conflict { detail: format!("{field}: {message}"), errors: vec![FieldError::new(field, message)] }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::RateLimited { .. } | Self::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            Self::StoreUnavailable(err)
        } else {
            Self::Internal(Box::new(err))
        }
    }
}

/// A problem document for a status with no more to say than its reason phrase.
pub fn plain_problem(status: StatusCode, detail: impl Into<String>) -> Response {
    problem_response(status, detail.into(), None)
}

fn problem_response(status: StatusCode, detail: String, errors: Option<Vec<FieldError>>) -> Response {
    let body = Problem {
        type_: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut extra_headers = Vec::new();
        match &self {
            // Server-side failures are logged with their cause; the client only learns the status.
            Self::Internal(source) => {
                tracing::error!(error = %source, "request failed");
                metrics::counter!("store_errors_total", "kind" => "internal").increment(1);
            }
            Self::StoreUnavailable(source) => {
                tracing::warn!(error = %source, "task store unavailable");
                metrics::counter!("store_errors_total", "kind" => "unavailable").increment(1);
                extra_headers.push((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            Self::Unauthorized(refusal) => {
                // Into the request's log line (see app.rs) and the metrics, by reason.
                tracing::Span::current().record("refused", refusal.reason());
                metrics::counter!("auth_refusals_total", "reason" => refusal.reason()).increment(1);
                extra_headers.push((header::WWW_AUTHENTICATE, www_authenticate(*refusal)));
            }
            Self::RateLimited { retry_after_secs } => {
                metrics::counter!("rate_limited_total", "limit" => "requests_per_minute").increment(1);
                extra_headers.push((header::RETRY_AFTER, HeaderValue::from(*retry_after_secs)));
            }
            Self::Busy(_) => {
                metrics::counter!("rate_limited_total", "limit" => "searches_at_once").increment(1);
                extra_headers.push((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            _ => {}
        }
        let mut response = match self {
            Self::Validation { detail, errors } | Self::Conflict { detail, errors } => {
                problem_response(status, detail, Some(errors))
            }
            other => problem_response(status, other.to_string(), None),
        };
        response.headers_mut().extend(extra_headers);
        response
    }
}

/// The RFC 6750 §3 challenge. The description is one of our own fixed sentences,
/// never token content, so it is safe to echo.
fn www_authenticate(refusal: Unauthenticated) -> HeaderValue {
    let value = match refusal.challenge() {
        "" => format!("Bearer realm=\"{REALM}\""),
        code => format!("Bearer realm=\"{REALM}\", error=\"{code}\", error_description=\"{refusal}\""),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Bearer realm=\"todo\""))
}
