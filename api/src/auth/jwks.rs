//! Public keys from Better Auth's JWKS endpoint, cached by `kid`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A public key and the only algorithms it may verify.
pub struct PinnedKey {
    pub algorithms: Vec<Algorithm>,
    pub key: DecodingKey,
}

type KeyMap = HashMap<String, Arc<PinnedKey>>;

/// Keys are fetched on first need and again when a token names an unknown `kid`,
/// at most once per `min_refetch_interval`; while the endpoint is down the keys
/// already held keep working.
pub struct JwksCache {
    url: String,
    client: reqwest::Client,
    keys: RwLock<Arc<KeyMap>>,
    /// When the last fetch was tried; the lock also makes concurrent misses share one fetch.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
    min_refetch_interval: Duration,
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}

impl JwksCache {
    pub fn new(url: String, min_refetch_interval: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with default TLS settings builds");
        Self {
            url,
            client,
            keys: RwLock::new(Arc::new(HashMap::new())),
            last_fetch: tokio::sync::Mutex::new(None),
            min_refetch_interval,
        }
    }

    fn cached(&self, kid: &str) -> Option<Arc<PinnedKey>> {
        self.keys.read().expect("JWKS lock poisoned").get(kid).cloned()
    }

    /// The key named `kid`, fetching the set when it is not known yet.
    pub async fn key(&self, kid: &str) -> Option<Arc<PinnedKey>> {
        if let Some(key) = self.cached(kid) {
            return Some(key);
        }
        let mut last_fetch = self.last_fetch.lock().await;
        // Another request may have fetched while this one waited for the lock.
        if let Some(key) = self.cached(kid) {
            return Some(key);
        }
        if last_fetch.is_some_and(|at| at.elapsed() < self.min_refetch_interval) {
            return None;
        }
        *last_fetch = Some(Instant::now());
        match self.fetch().await {
            // The fetched set replaces the cache whole: a key Better Auth has retired
            // stops verifying once a fetch no longer lists it.
            Ok(keys) => {
                tracing::info!(url = %self.url, keys = keys.len(), "fetched JWKS");
                *self.keys.write().expect("JWKS lock poisoned") = Arc::new(keys);
            }
            Err(error) => tracing::warn!(url = %self.url, %error, "JWKS fetch failed; keeping cached keys"),
        }
        self.cached(kid)
    }

    async fn fetch(&self) -> Result<KeyMap, reqwest::Error> {
        let document: JwkSetDocument = self.client.get(&self.url).send().await?.error_for_status()?.json().await?;
        Ok(document
            .keys
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let key = pin(&jwk)?;
                Some((kid, Arc::new(key)))
            })
            .collect())
    }
}

/// Pins a JWK to the algorithms its key type allows, narrowed to its `alg` when
/// it names one. Symmetric keys and encryption keys are never taken from a JWKS.
fn pin(jwk: &Jwk) -> Option<PinnedKey> {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    use Algorithm::*;
    let family: &[Algorithm] = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => &[RS256, RS384, RS512, PS256, PS384, PS512],
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => &[ES256],
            EllipticCurve::P384 => &[ES384],
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => &[EdDSA],
        _ => return None,
    };
    let algorithms = match jwk.common.key_algorithm {
        None => family.to_vec(),
        Some(named) => {
            let named = Algorithm::try_from(named).ok()?;
            if !family.contains(&named) {
                return None;
            }
            vec![named]
        }
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(PinnedKey { algorithms, key })
}
