//! Token verification: HS256 with the shared secret, asymmetric algorithms with JWKS keys.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;

use super::jwks::JwksCache;
use crate::config::{Config, DEFAULT_MAX_LIFETIME_SECS};
use crate::sessions::{Revocations, TokenOf};

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECS: u64 = 60;
/// Far above any real token (Better Auth's are well under 1 KiB).
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// How many verified tokens are remembered (under 1 KiB each).
const VERIFIED_TOKENS_CAPACITY: usize = 10_000;
/// Better Auth's user ids are 32 characters; this leaves room for other issuers.
pub const MAX_SUBJECT_BYTES: usize = 255;
/// Header parameters that would let a token choose its own key (RFC 8725 §3.10).
const KEY_CARRYING_HEADERS: [&str; 4] = ["jku", "jwk", "x5u", "x5c"];
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::EdDSA,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// The claims the API relies on.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    // Defaults let a missing `sub`/`exp` reach jsonwebtoken's required-claim check.
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub exp: u64,
    #[serde(default)]
    pub iat: Option<u64>,
    /// The Better Auth session the token was minted for.
    #[serde(default)]
    pub sid: Option<String>,
    /// Only security events have it: a token with `events` is no access token.
    #[serde(default)]
    events: Option<IgnoredAny>,
}

/// Why a token was refused. The messages are fixed sentences: no token content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's algorithm is not accepted")]
    AlgorithmNotAccepted,
    #[error("the token's header carries parameters this API does not accept")]
    ForbiddenHeader,
    #[error("the token's signing key is unknown")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's issuer is not accepted")]
    WrongIssuer,
    #[error("the token's audience is not accepted")]
    WrongAudience,
    #[error("the token lacks a required claim")]
    MissingClaim,
    #[error("the token's subject is not a valid user id")]
    InvalidSubject,
    #[error("the token is not of the type expected here")]
    WrongType,
    #[error("the token's lifetime is longer than this API accepts")]
    LifetimeTooLong,
    #[error("the token's session has ended")]
    Revoked,
}

impl TokenError {
    /// A short, stable name for logs and metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::AlgorithmNotAccepted => "algorithm_not_accepted",
            Self::ForbiddenHeader => "forbidden_header",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::MissingClaim => "missing_claim",
            Self::InvalidSubject => "invalid_subject",
            Self::WrongType => "wrong_type",
            Self::LifetimeTooLong => "lifetime_too_long",
            Self::Revoked => "revoked",
        }
    }
}

/// What kind of token a caller expects; the header's `typ` must say the same
/// (RFC 8725 §3.11), so neither kind can stand in for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `typ` absent, `JWT` or `at+jwt` (RFC 9068).
    Access,
    /// `typ: secevent+jwt` (RFC 8417).
    SecurityEvent,
}

impl TokenKind {
    fn accepts(self, typ: Option<&str>) -> bool {
        let typ = typ.map(|t| t.to_ascii_lowercase());
        let typ = typ.as_deref().map(|t| t.strip_prefix("application/").unwrap_or(t));
        match self {
            Self::Access => matches!(typ, None | Some("jwt" | "at+jwt")),
            Self::SecurityEvent => typ == Some("secevent+jwt"),
        }
    }
}

pub struct TokenVerifier {
    /// Tokens that passed every check, by their full text.
    verified: quick_cache::sync::Cache<String, Claims>,
    hmac_key: Option<DecodingKey>,
    jwks: Option<JwksCache>,
    /// One ready validation per accepted algorithm.
    validations: Vec<(Algorithm, Validation)>,
    max_lifetime_secs: u64,
    /// Sessions and users whose tokens are refused, checked on every request.
    revocations: Arc<Revocations>,
}

impl TokenVerifier {
    pub fn from_config(config: &Config) -> Self {
        let hmac_key = config.secret().map(|secret| DecodingKey::from_secret(secret.as_bytes()));
        let jwks = config.jwks_url().map(|url| JwksCache::new(url, config.jwks_refetch_interval()));
        let mut verifier = Self::new(hmac_key, jwks, config.issuer(), config.audience());
        verifier.max_lifetime_secs = config.jwt_max_lifetime_secs;
        verifier
    }

    pub fn new(
        hmac_key: Option<DecodingKey>,
        jwks: Option<JwksCache>,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Self {
        let validations = std::iter::once(Algorithm::HS256)
            .chain(ASYMMETRIC)
            .map(|alg| {
                let mut validation = Validation::new(alg);
                validation.leeway = LEEWAY_SECS;
                validation.validate_nbf = true;
                let mut required = vec!["exp", "sub"];
                if let Some(issuer) = &issuer {
                    validation.set_issuer(&[issuer]);
                    required.push("iss");
                }
                match &audience {
                    Some(audience) => {
                        validation.set_audience(&[audience]);
                        required.push("aud");
                    }
                    None => validation.validate_aud = false,
                }
                validation.set_required_spec_claims(&required);
                (alg, validation)
            })
            .collect();
        Self {
            verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS_CAPACITY),
            hmac_key,
            jwks,
            validations,
            max_lifetime_secs: DEFAULT_MAX_LIFETIME_SECS,
            revocations: Arc::default(),
        }
    }

    pub fn revocations(&self) -> &Arc<Revocations> {
        &self.revocations
    }

    pub fn max_lifetime_secs(&self) -> u64 {
        self.max_lifetime_secs
    }

    /// Verifies an access token, or recalls that it was verified: a browser
    /// sends the same token for its whole life (15 minutes), so each is checked
    /// in full once and then only for expiry and revocation. A key retired from
    /// the JWKS stops verifying new tokens at once, and tokens it already
    /// verified at their `exp`.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = match self.verified.get(token) {
            Some(claims) if !is_expired(claims.exp, now_secs()) => claims,
            remembered => {
                if remembered.is_some() {
                    self.verified.remove(token);
                }
                let claims = self.verify_in_full(token).await?;
                self.verified.insert(token.to_owned(), claims.clone());
                claims
            }
        };
        // After the cache, every time: a session may end while its token is remembered.
        let token_of = TokenOf { user_id: &claims.sub, issued_at: claims.iat, session_id: claims.sid.as_deref() };
        if self.revocations.refuses(token_of) {
            return Err(TokenError::Revoked);
        }
        Ok(claims)
    }

    async fn verify_in_full(&self, token: &str) -> Result<Claims, TokenError> {
        let claims: Claims = self.decode(token, TokenKind::Access).await?;
        if claims.events.is_some() {
            return Err(TokenError::WrongType);
        }
        check_subject(&claims.sub)?;
        let iat = claims.iat.ok_or(TokenError::MissingClaim)?;
        check_issued_at(iat)?;
        if claims.exp.saturating_sub(iat) > self.max_lifetime_secs {
            return Err(TokenError::LifetimeTooLong);
        }
        Ok(claims)
    }

    /// Checks a token's header, signature (with the key pinned to its algorithm)
    /// and standard claims (`exp`, `nbf`, `iss`, `aud`), and that its `typ` is
    /// `kind`'s; returns its claims for the caller's own checks.
    pub async fn decode<T: DeserializeOwned>(&self, token: &str, kind: TokenKind) -> Result<T, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed);
        }
        let InspectedHeader { alg, kid, typ } = inspect_header(token)?;
        if !kind.accepts(typ.as_deref()) {
            return Err(TokenError::WrongType);
        }
        let data = if alg == Algorithm::HS256 {
            let key = self.hmac_key.as_ref().ok_or(TokenError::AlgorithmNotAccepted)?;
            jsonwebtoken::decode::<T>(token, key, self.validation(alg)?)
        } else {
            let jwks = self.jwks.as_ref().ok_or(TokenError::AlgorithmNotAccepted)?;
            let kid = kid.as_deref().ok_or(TokenError::UnknownKey)?;
            let pinned = jwks.key(kid).await.ok_or(TokenError::UnknownKey)?;
            if !pinned.algorithms.contains(&alg) {
                return Err(TokenError::AlgorithmNotAccepted);
            }
            jsonwebtoken::decode::<T>(token, &pinned.key, self.validation(alg)?)
        };
        Ok(data.map_err(|err| classify(err.kind()))?.claims)
    }

    fn validation(&self, alg: Algorithm) -> Result<&Validation, TokenError> {
        self.validations
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, validation)| validation)
            .ok_or(TokenError::AlgorithmNotAccepted)
    }
}

/// A user id as a token's `sub`: it becomes a path segment and a stored value,
/// so no control characters.
pub fn check_subject(sub: &str) -> Result<(), TokenError> {
    if sub.is_empty() {
        return Err(TokenError::MissingClaim);
    }
    if !plain_id(sub) {
        return Err(TokenError::InvalidSubject);
    }
    Ok(())
}

/// An id from another system (`sub`, `jti`, `sid`): not empty, at most
/// [`MAX_SUBJECT_BYTES`], no control characters.
pub fn plain_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_SUBJECT_BYTES && !id.chars().any(char::is_control)
}

/// jsonwebtoken leaves `iat` alone; a token from the future is as wrong as an early `nbf`.
pub fn check_issued_at(iat: u64) -> Result<(), TokenError> {
    if iat > now_secs() + LEEWAY_SECS {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}

/// What the verifier needs from a token's header.
struct InspectedHeader {
    alg: Algorithm,
    kid: Option<String>,
    typ: Option<String>,
}

/// Checks the raw header before any key is chosen: a compact JWS with three
/// parts, an algorithm we accept, no `crit` (none of its extensions is
/// supported, RFC 7515 §4.1.11) and no parameter that carries or points to a key.
/// Duplicate member names are refused later by jsonwebtoken's own header parse.
fn inspect_header(token: &str) -> Result<InspectedHeader, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| TokenError::Malformed)?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    if header.contains_key("crit") || KEY_CARRYING_HEADERS.iter().any(|name| header.contains_key(*name)) {
        return Err(TokenError::ForbiddenHeader);
    }
    let alg = match header.get("alg").and_then(|alg| alg.as_str()) {
        Some("HS256") => Algorithm::HS256,
        Some(name) => name
            .parse::<Algorithm>()
            .ok()
            .filter(|alg| ASYMMETRIC.contains(alg))
            .ok_or(TokenError::AlgorithmNotAccepted)?,
        None => return Err(TokenError::Malformed),
    };
    let text = |name: &str| match header.get(name) {
        None => Ok(None),
        Some(serde_json::Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(TokenError::Malformed),
    };
    Ok(InspectedHeader { alg, kid: text("kid")?, typ: text("typ")? })
}

fn classify(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(_) => TokenError::MissingClaim,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => TokenError::AlgorithmNotAccepted,
        _ => TokenError::Malformed,
    }
}

/// The same test jsonwebtoken applies: expired once `exp` is more than the leeway ago.
fn is_expired(exp: u64, now: u64) -> bool {
    exp.saturating_add(LEEWAY_SECS) < now
}

pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_token_expires_with_the_same_leeway_as_a_checked_one() {
        assert!(!is_expired(1_000, 1_000 + LEEWAY_SECS));
        assert!(is_expired(1_000, 1_001 + LEEWAY_SECS));
        assert!(!is_expired(u64::MAX, 0));
    }

    #[tokio::test]
    async fn a_remembered_token_is_refused_once_expired_and_a_refused_one_is_not_remembered() {
        use jsonwebtoken::{encode, EncodingKey, Header};
        let secret = b"0123456789abcdef0123456789abcdef";
        let verifier = TokenVerifier::new(Some(DecodingKey::from_secret(secret)), None, None, None);
        let now = now_secs();
        let sign = |exp: u64| {
            encode(
                &Header::default(),
                &serde_json::json!({ "sub": "alice", "iat": now - 30, "exp": exp }),
                &EncodingKey::from_secret(secret),
            )
            .unwrap()
        };
        let token = sign(now + 900);
        assert_eq!(verifier.verify(&token).await.unwrap().sub, "alice");
        assert!(verifier.verified.get(token.as_str()).is_some(), "remembered");

        // Pretend the remembered token's time has run out: recall must not extend it.
        let mut stale = verifier.verified.get(token.as_str()).unwrap();
        stale.exp = now - LEEWAY_SECS - 1;
        verifier.verified.insert(token.clone(), stale);
        // The token itself is still valid, so the full check passes again and refreshes the entry.
        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(verifier.verified.get(token.as_str()).unwrap().exp, now + 900);

        let expired = sign(now - LEEWAY_SECS - 10);
        assert_eq!(verifier.verify(&expired).await.unwrap_err(), TokenError::Expired);
        assert!(verifier.verified.get(expired.as_str()).is_none(), "refused tokens are not remembered");
    }
}
