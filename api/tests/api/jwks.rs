//! Asymmetric tokens verified through a JWKS endpoint the test controls.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use reqwest::Method;
use serde_json::json;

use crate::helpers::forge::{raw_token, sign_as, sign_hs};
use crate::helpers::{assert_problem, claims, spawn_app_with, JwksServer, Options, SigningKey, TestApp};

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.request(Method::GET, "/api/alice/tasks", Some(token)).send().await.unwrap().status().as_u16()
}

async fn jwks_app(server: &JwksServer, refetch_secs: u64) -> TestApp {
    spawn_app_with(Options {
        secret: None,
        jwks_url: Some(server.url.clone()),
        jwks_refetch_interval_secs: refetch_secs,
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn eddsa_es256_rs256_and_ps256_tokens_verify_through_jwks() {
    let keys = [
        SigningKey::ed25519("ed-1"),
        SigningKey::es256("ec-1"),
        SigningKey::rsa(Algorithm::RS256, "rs-1"),
        SigningKey::rsa(Algorithm::PS256, "ps-1"),
    ];
    let server = JwksServer::start(&keys.iter().collect::<Vec<_>>()).await;
    let app = jwks_app(&server, 30).await;
    for key in &keys {
        let response = app
            .request(Method::POST, "/api/alice/tasks", Some(&key.sign(&claims("alice"))))
            .json(&json!({ "title": format!("{:?}", key.alg) }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", key.alg);
    }
    assert_eq!(server.hits(), 1, "keys are cached by kid: one fetch serves them all");
    let listed =
        app.request(Method::GET, "/api/alice/tasks", Some(&keys[0].sign(&claims("alice")))).send().await.unwrap();
    assert_eq!(listed.json::<Vec<serde_json::Value>>().await.unwrap().len(), 4);
}

#[tokio::test]
async fn hs256_is_refused_when_no_secret_is_configured() {
    let key = SigningKey::ed25519("ed-1");
    let server = JwksServer::start(&[&key]).await;
    let app = jwks_app(&server, 30).await;
    let token = crate::helpers::hs256("any-secret-of-at-least-32-bytes!!", &claims("alice"));
    assert_eq!(status_with(&app, &token).await, 401);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_on_its_first_use() {
    let old = SigningKey::ed25519("old");
    let new = SigningKey::ed25519("new");
    let server = JwksServer::start(&[&old]).await;
    let app = jwks_app(&server, 0).await;
    assert_eq!(status_with(&app, &old.sign(&claims("alice"))).await, 200);
    server.set_keys(&[&old, &new]);
    assert_eq!(status_with(&app, &new.sign(&claims("alice"))).await, 200);
    assert_eq!(server.hits(), 2);
    server.set_keys(&[&new]);
    // A fresh fetch happens only on an unknown kid; the retired key is still cached.
    assert_eq!(status_with(&app, &new.sign(&claims("alice"))).await, 200);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let known = SigningKey::ed25519("known");
    let server = JwksServer::start(&[&known]).await;
    let app = jwks_app(&server, 30).await;
    assert_eq!(status_with(&app, &known.sign(&claims("alice"))).await, 200);
    for i in 0..5 {
        let stranger = SigningKey::ed25519(&format!("stranger-{i}"));
        let response =
            app.request(Method::GET, "/api/alice/tasks", Some(&stranger.sign(&claims("alice")))).send().await.unwrap();
        assert_problem(response, 401).await;
    }
    assert_eq!(server.hits(), 1, "an unknown kid within 30 s of the last fetch does not refetch");
}

#[tokio::test]
async fn an_unknown_kid_is_refetched_once_the_interval_has_passed() {
    let known = SigningKey::ed25519("known");
    let late = SigningKey::ed25519("late");
    let server = JwksServer::start(&[&known]).await;
    let app = jwks_app(&server, 1).await;
    assert_eq!(status_with(&app, &known.sign(&claims("alice"))).await, 200);
    server.set_keys(&[&known, &late]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(status_with(&app, &late.sign(&claims("alice"))).await, 200);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn cached_keys_keep_working_while_the_jwks_endpoint_is_down() {
    let key = SigningKey::es256("ec-1");
    let server = JwksServer::start(&[&key]).await;
    let app = jwks_app(&server, 0).await;
    assert_eq!(status_with(&app, &key.sign(&claims("alice"))).await, 200);
    server.set_up(false);
    let unknown = SigningKey::es256("ec-2");
    assert_eq!(status_with(&app, &unknown.sign(&claims("alice"))).await, 401, "the failed refetch keeps the cache");
    assert_eq!(status_with(&app, &key.sign(&claims("alice"))).await, 200);
    server.set_up(true);
}

#[tokio::test]
async fn a_jwks_endpoint_that_never_answered_gives_401_not_500() {
    let key = SigningKey::ed25519("ed-1");
    let server = JwksServer::start(&[&key]).await;
    server.set_up(false);
    let app = jwks_app(&server, 0).await;
    let response =
        app.request(Method::GET, "/api/alice/tasks", Some(&key.sign(&claims("alice")))).send().await.unwrap();
    assert_problem(response, 401).await;
    server.set_up(true);
    assert_eq!(status_with(&app, &key.sign(&claims("alice"))).await, 200, "recovers by itself");
}

#[tokio::test]
async fn each_key_verifies_only_its_own_algorithm() {
    let ed = SigningKey::ed25519("ed-1");
    let rs = SigningKey::rsa(Algorithm::RS256, "rs-1");
    let server = JwksServer::start(&[&ed, &rs]).await;
    let secret = crate::helpers::random_secret();
    let app = spawn_app_with(Options {
        secret: Some(secret.clone()),
        jwks_url: Some(server.url.clone()),
        ..Options::default()
    })
    .await;

    // An RS256 key asked to verify PS256 (same key type, another algorithm than its JWK names).
    let mut ps_with_rs_kid = SigningKey::rsa(Algorithm::PS256, "rs-1");
    ps_with_rs_kid.kid = "rs-1".into();
    assert_eq!(status_with(&app, &ps_with_rs_kid.sign(&claims("alice"))).await, 401);

    // An ES256 token naming the Ed25519 key's kid.
    let mut es_with_ed_kid = SigningKey::es256("x");
    es_with_ed_kid.kid = "ed-1".into();
    assert_eq!(status_with(&app, &es_with_ed_kid.sign(&claims("alice"))).await, 401);

    // HS256 "signed" with the public key material (key confusion, RFC 8725 §2.1).
    let public_x = ed.jwk["x"].as_str().unwrap().as_bytes().to_vec();
    for key in [public_x, serde_json::to_vec(&rs.jwk).unwrap(), rs.jwk["n"].as_str().unwrap().as_bytes().to_vec()] {
        let token = sign_hs(&json!({ "alg": "HS256", "kid": "ed-1" }), &claims("alice"), &key);
        assert_eq!(status_with(&app, &token).await, 401);
    }

    // A token without a kid, and alg none naming a real kid.
    let mut no_kid = jsonwebtoken::Header::new(Algorithm::EdDSA);
    no_kid.kid = None;
    let token = jsonwebtoken::encode(&no_kid, &claims("alice"), &ed.encoding).unwrap();
    assert_eq!(status_with(&app, &token).await, 401);
    assert_eq!(
        status_with(&app, &raw_token(&json!({ "alg": "none", "kid": "ed-1" }), &claims("alice"), b"")).await,
        401
    );

    // jku/jwk/x5u pointing at the attacker's own key, signed by that key.
    let attacker = SigningKey::ed25519("ed-1");
    for (name, value) in [
        ("jku", json!("http://127.0.0.1:9/jwks")),
        ("x5u", json!("http://127.0.0.1:9/cert.pem")),
        ("jwk", attacker.jwk.clone()),
    ] {
        let header = json!({ "alg": "EdDSA", "kid": "ed-1", name: value });
        let token = sign_as(&header, &claims("alice"), &attacker.encoding, Algorithm::EdDSA);
        assert_eq!(status_with(&app, &token).await, 401, "{name}");
    }
    // The attacker's key under the real kid, no header tricks: the signature fails.
    assert_eq!(status_with(&app, &attacker.sign(&claims("alice"))).await, 401);
    assert_eq!(status_with(&app, &ed.sign(&claims("alice"))).await, 200, "the real key still works");
    assert!(app.all_tasks("alice").await.is_empty());
}
