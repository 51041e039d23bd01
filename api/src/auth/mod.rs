//! Who is calling: the `AuthUser` extractor, which every `/api` handler takes.

pub mod jwks;
pub mod verifier;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::error::{ApiError, Unauthenticated};
use crate::rate_limit::UserRateLimiter;
pub use verifier::{Claims, TokenError, TokenVerifier};

/// The verified caller. Taking one in a handler means: a valid Bearer token
/// (else 401), within the caller's rate limit (else 429), and, on routes with a
/// `{user_id}`, that id is the caller's own (else 403).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
}

/// What the extractor needs from the application state.
#[derive(Clone)]
pub struct AuthState {
    pub verifier: Arc<TokenVerifier>,
    pub rate_limiter: Option<Arc<UserRateLimiter>>,
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = AuthState::from_ref(state);
        let token = bearer_token(&parts.headers)?;
        let claims = auth.verifier.verify(token).await.map_err(Unauthenticated::Token)?;
        if let Some(limiter) = &auth.rate_limiter {
            limiter
                .check(&claims.sub)
                .await
                .map_err(|over| ApiError::RateLimited { retry_after_secs: over.retry_after_secs })?;
        }
        // A path that does not even decode (invalid UTF-8) cannot name the caller.
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| ApiError::Forbidden)?;
        let path_user = params.iter().find(|(name, _)| *name == "user_id").map(|(_, value)| value);
        if path_user.is_some_and(|path_user| path_user != claims.sub) {
            return Err(ApiError::Forbidden);
        }
        Ok(AuthUser { id: claims.sub })
    }
}

/// The token of the one `Authorization: Bearer` header. Tokens anywhere else
/// (query string, cookies) are never looked at.
fn bearer_token(headers: &HeaderMap) -> Result<&str, Unauthenticated> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else { return Err(Unauthenticated::MissingToken) };
    if values.next().is_some() {
        return Err(Unauthenticated::SeveralAuthorizationHeaders);
    }
    let malformed = Unauthenticated::MalformedAuthorization;
    let value = value.to_str().map_err(|_| malformed)?;
    let (scheme, token) = value.split_once(' ').ok_or(malformed)?;
    let token = token.trim_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(malformed);
    }
    Ok(token)
}
