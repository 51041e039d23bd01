//! Token verification: HS256 with the shared secret, asymmetric algorithms with JWKS keys.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::jwks::JwksCache;
use crate::config::Config;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECS: u64 = 60;
/// Far above any real token (Better Auth's are well under 1 KiB).
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// How many verified tokens are remembered (under 1 KiB each).
const VERIFIED_TOKENS_CAPACITY: usize = 10_000;
/// Better Auth's user ids are 32 characters; this leaves room for other issuers.
const MAX_SUBJECT_BYTES: usize = 255;
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
}

pub struct TokenVerifier {
    /// Tokens that passed every check, by their full text.
    verified: quick_cache::sync::Cache<String, Claims>,
    hmac_key: Option<DecodingKey>,
    jwks: Option<JwksCache>,
    /// One ready validation per accepted algorithm.
    validations: Vec<(Algorithm, Validation)>,
}

impl TokenVerifier {
    pub fn from_config(config: &Config) -> Self {
        let hmac_key = config.secret().map(|secret| DecodingKey::from_secret(secret.as_bytes()));
        let jwks = config.jwks_url().map(|url| JwksCache::new(url, config.jwks_refetch_interval()));
        Self::new(hmac_key, jwks, config.issuer(), config.audience())
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
        Self { verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS_CAPACITY), hmac_key, jwks, validations }
    }

    /// Verifies a token, or recalls that it was verified: a browser sends the
    /// same token for its whole life (15 minutes), so each is checked in full
    /// once and then only for expiry. A key retired from the JWKS stops
    /// verifying new tokens at once, and tokens it already verified at their `exp`.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if let Some(claims) = self.verified.get(token) {
            if !is_expired(claims.exp, now_secs()) {
                return Ok(claims);
            }
            self.verified.remove(token);
        }
        let claims = self.verify_in_full(token).await?;
        self.verified.insert(token.to_owned(), claims.clone());
        Ok(claims)
    }

    async fn verify_in_full(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed);
        }
        let InspectedHeader { alg, kid } = inspect_header(token)?;

        let data = if alg == Algorithm::HS256 {
            let key = self.hmac_key.as_ref().ok_or(TokenError::AlgorithmNotAccepted)?;
            jsonwebtoken::decode::<Claims>(token, key, self.validation(alg)?)
        } else {
            let jwks = self.jwks.as_ref().ok_or(TokenError::AlgorithmNotAccepted)?;
            let kid = kid.as_deref().ok_or(TokenError::UnknownKey)?;
            let pinned = jwks.key(kid).await.ok_or(TokenError::UnknownKey)?;
            if !pinned.algorithms.contains(&alg) {
                return Err(TokenError::AlgorithmNotAccepted);
            }
            jsonwebtoken::decode::<Claims>(token, &pinned.key, self.validation(alg)?)
        };
        let claims = data.map_err(|err| classify(err.kind()))?.claims;

        if claims.sub.is_empty() {
            return Err(TokenError::MissingClaim);
        }
        // The subject becomes a path segment and a stored value: no control characters.
        if claims.sub.len() > MAX_SUBJECT_BYTES || claims.sub.chars().any(char::is_control) {
            return Err(TokenError::InvalidSubject);
        }
        // jsonwebtoken leaves `iat` alone; a token from the future is as wrong as an early `nbf`.
        if claims.iat.is_some_and(|iat| iat > now_secs() + LEEWAY_SECS) {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }

    fn validation(&self, alg: Algorithm) -> Result<&Validation, TokenError> {
        self.validations
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, validation)| validation)
            .ok_or(TokenError::AlgorithmNotAccepted)
    }
}

/// What the verifier needs from a token's header.
struct InspectedHeader {
    alg: Algorithm,
    kid: Option<String>,
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
    let kid = match header.get("kid") {
        None => None,
        Some(serde_json::Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(TokenError::Malformed),
    };
    Ok(InspectedHeader { alg, kid })
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

fn now_secs() -> u64 {
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
            encode(&Header::default(), &serde_json::json!({ "sub": "alice", "exp": exp }), &EncodingKey::from_secret(secret))
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
