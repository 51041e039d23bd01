//! `POST /auth/events`: Security Event Tokens (RFC 8417) pushed by the web app
//! (RFC 8935). Its own body extractor and error type: the body is a JWT, not
//! JSON, and a refusal is RFC 8935's `{"err", "description"}`, not a problem
//! document. Anything wrong is a 400 and changes nothing.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, Received, Recorded};
use super::Ending;
use crate::auth::verifier::{check_issued_at, check_subject, now_secs, plain_id, TokenKind, LEEWAY_SECS};
use crate::auth::{AuthState, TokenError};
use crate::db::{Db, StoreError};
use crate::state::AppState;

/// OpenID Connect Back-Channel Logout 1.0: `sub` and `sid` end that session,
/// `sub` alone every session of that user that began before `iat`.
pub const BACKCHANNEL_LOGOUT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// OpenID RISC: the account is gone; its tasks are deleted and its tokens refused.
pub const ACCOUNT_PURGED: &str = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
/// The longest an event may live (`exp` − `iat`), in seconds.
const MAX_EVENT_LIFETIME_SECS: u64 = 5 * 60;
const MEDIA_TYPE: &str = "application/secevent+jwt";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive_event))
}

/// Receive a security event
///
/// The web app says that a session or an account has ended (RFC 8935 push
/// delivery of an RFC 8417 Security Event Token, signed like access tokens with
/// `typ: secevent+jwt`). From the answer on, the tokens it covers are refused.
#[utoipa::path(
    post,
    path = "/auth/events",
    tag = "sessions",
    request_body(content = String, content_type = "application/secevent+jwt",
        description = "The Security Event Token, a signed JWT in compact form"),
    responses(
        (status = 202, description = "Received: its tokens are refused from now on"),
        (status = 400, description = "Refused, and nothing changed (RFC 8935 error codes)", body = EventErrorBody),
        (status = 503, description = "The task store is unreachable; nothing changed, safe to retry", body = EventErrorBody),
    )
)]
async fn receive_event(
    State(db): State<Db>,
    State(auth): State<AuthState>,
    SecEventJwt(token): SecEventJwt,
) -> Result<StatusCode, EventError> {
    let claims: EventClaims = auth.verifier.decode(&token, TokenKind::SecurityEvent).await?;
    let event = claims.into_received(auth.verifier.max_lifetime_secs())?;
    let ending = event.ending.clone();
    match store::record(&db, event).await? {
        Recorded::Replayed => Err(EventError::invalid_request("this event (its jti) was received before")),
        Recorded::Applied(replaced) => {
            auth.verifier.revocations().add(&ending);
            if let Some(cutoff) = replaced {
                auth.verifier.revocations().replace_sessions(ending.user_id(), cutoff);
            }
            tracing::info!(event = ending.kind(), "security event received");
            metrics::counter!("security_events_total", "outcome" => "accepted").increment(1);
            Ok(StatusCode::ACCEPTED)
        }
    }
}

impl Ending {
    fn kind(&self) -> &'static str {
        match self {
            Self::Session { .. } => "one session ended",
            Self::Sessions { .. } => "every session ended",
            Self::Account { .. } => "account purged",
        }
    }
}

/// An event's claims as sent; [`EventClaims::into_received`] checks them.
/// (jsonwebtoken has checked the signature, `exp`, and `iss`/`aud` when configured.)
#[derive(Debug, Deserialize)]
struct EventClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    exp: u64,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    sub: String,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    events: Option<serde_json::Map<String, serde_json::Value>>,
}

impl EventClaims {
    fn into_received(self, max_token_lifetime: u64) -> Result<Received, EventError> {
        if self.iss.as_deref().is_none_or(str::is_empty) {
            return Err(EventError::invalid_request("the event has no iss"));
        }
        if self.aud.is_none() {
            return Err(EventError::invalid_request("the event has no aud"));
        }
        let iat = self.iat.ok_or(EventError::invalid_request("the event has no iat"))?;
        check_issued_at(iat)?;
        if self.exp.saturating_sub(iat) > MAX_EVENT_LIFETIME_SECS {
            return Err(EventError::invalid_request("an event may live at most 5 minutes (exp - iat)"));
        }
        let jti =
            self.jti.filter(|jti| plain_id(jti)).ok_or(EventError::invalid_request("the event has no usable jti"))?;
        check_subject(&self.sub)?;
        let mut events = self.events.ok_or(EventError::invalid_request("the event has no events claim"))?.into_iter();
        let (Some((event_type, body)), None) = (events.next(), events.next()) else {
            return Err(EventError::invalid_request("events must hold exactly one event"));
        };
        if !body.is_object() {
            return Err(EventError::invalid_request("the event's member must be a JSON object"));
        }
        let sid = match self.sid {
            Some(sid) if plain_id(&sid) => Some(sid),
            Some(_) => return Err(EventError::invalid_request("the event's sid is not a session id")),
            None => None,
        };
        let user_id = self.sub;
        let ending = match (event_type.as_str(), sid) {
            (BACKCHANNEL_LOGOUT, Some(session_id)) => Ending::Session { user_id, session_id },
            (BACKCHANNEL_LOGOUT, None) => Ending::Sessions { user_id, issued_before: iat },
            (ACCOUNT_PURGED, None) => Ending::Account { user_id, issued_before: iat },
            (ACCOUNT_PURGED, Some(_)) => {
                return Err(EventError::invalid_request("an account-purged event takes no sid"))
            }
            _ => return Err(EventError::invalid_request("the event type is not one this API takes")),
        };
        // Every token it covers was issued by now (give or take the clocks' leeway)
        // and lives at most the longest lifetime accepted.
        let covered_until = now_secs().max(iat) + max_token_lifetime + 2 * LEEWAY_SECS;
        Ok(Received {
            jti,
            jti_expires_at: self.exp + LEEWAY_SECS,
            issued_at: iat,
            ending,
            ending_expires_at: covered_until,
        })
    }
}

/// The body of an event request: a compact JWT sent as `application/secevent+jwt`.
pub struct SecEventJwt(pub String);

impl<S: Send + Sync> FromRequest<S> for SecEventJwt {
    type Rejection = EventError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let media_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case(MEDIA_TYPE) {
            return Err(EventError::invalid_request("the body must be sent as application/secevent+jwt"));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| EventError::invalid_request("the body could not be read (at most 64 KiB)"))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| EventError::invalid_request("the body is not a JWT"))?;
        Ok(Self(text.trim().to_owned()))
    }
}

/// RFC 8935 §2.3's error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventErrorBody {
    /// An RFC 8935 error code: `invalid_request`, `invalid_key`, `invalid_issuer`,
    /// `invalid_audience` or `authentication_failed` (and here also
    /// `temporarily_unavailable` with a 503).
    #[schema(example = "invalid_request")]
    pub err: &'static str,
    #[schema(example = "the event type is not one this API takes")]
    pub description: String,
}

/// Why an event was not taken.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// 400 with an RFC 8935 error code; nothing changed.
    #[error("{description}")]
    Refused { err: &'static str, description: &'static str },
    #[error("the task store is unreachable; nothing was changed, so the event is safe to send again")]
    StoreUnavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] StoreError),
}

impl EventError {
    fn invalid_request(description: &'static str) -> Self {
        Self::Refused { err: "invalid_request", description }
    }
}

impl From<TokenError> for EventError {
    fn from(err: TokenError) -> Self {
        let (code, description) = match err {
            TokenError::AlgorithmNotAccepted | TokenError::UnknownKey => {
                ("invalid_key", "the event's signing key or algorithm is not accepted")
            }
            TokenError::BadSignature => ("authentication_failed", "the event's signature is invalid"),
            TokenError::WrongIssuer => ("invalid_issuer", "the event's issuer is not accepted"),
            TokenError::WrongAudience => ("invalid_audience", "the event's audience is not accepted"),
            TokenError::WrongType => {
                ("invalid_request", "the token is not a security event (typ must be secevent+jwt)")
            }
            TokenError::Expired => ("invalid_request", "the event has expired"),
            TokenError::NotYetValid => ("invalid_request", "the event is not valid yet"),
            TokenError::MissingClaim => ("invalid_request", "the event lacks a required claim"),
            TokenError::InvalidSubject => ("invalid_request", "the event's sub is not a valid user id"),
            TokenError::ForbiddenHeader => {
                ("invalid_request", "the event's header carries parameters this API does not accept")
            }
            TokenError::Malformed | TokenError::LifetimeTooLong | TokenError::Revoked => {
                ("invalid_request", "the event is malformed")
            }
        };
        Self::Refused { err: code, description }
    }
}

impl From<StoreError> for EventError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            Self::StoreUnavailable(err)
        } else {
            Self::Internal(err)
        }
    }
}

impl IntoResponse for EventError {
    fn into_response(self) -> Response {
        let (status, err) = match &self {
            Self::Refused { err, .. } => (StatusCode::BAD_REQUEST, *err),
            Self::StoreUnavailable(source) => {
                tracing::warn!(error = %source, "task store unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
            }
            Self::Internal(source) => {
                tracing::error!(error = %source, "security event failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
            }
        };
        if let Self::Refused { err, .. } = &self {
            tracing::Span::current().record("refused", *err);
        }
        metrics::counter!("security_events_total", "outcome" => err).increment(1);
        let mut response = (status, Json(EventErrorBody { err, description: self.to_string() })).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
