//! Refused tokens (HS256 mode): each gets 401 with a Bearer challenge and changes nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, claims, hs256, now_secs, spawn_app, TestApp};

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// A compact JWS from raw parts: lets tests write headers no library would.
pub fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!("{}.{}.{}", b64(header), b64(claims), URL_SAFE_NO_PAD.encode(signature))
}

/// HMAC-signs `header.claims` exactly as given, whatever the header says.
pub fn sign_hs(header: &Value, claims: &Value, key: &[u8]) -> String {
    let signing_input = format!("{}.{}", b64(header), b64(claims));
    let key = jsonwebtoken::EncodingKey::from_secret(key);
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap();
    format!("{signing_input}.{signature}")
}

/// Sends `token` to create a task for alice; asserts 401 with an invalid_token challenge.
pub async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let response = app
        .request(Method::POST, "/api/alice/tasks", Some(token))
        .json(&json!({ "title": "should not exist" }))
        .send()
        .await
        .unwrap();
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    let problem = assert_problem(response, 401).await;
    let challenge = challenge.unwrap_or_else(|| panic!("{why}: no WWW-Authenticate"));
    assert!(challenge.starts_with("Bearer "), "{why}: {challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{why}: {challenge}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(!detail.contains(token) && !detail.contains("eyJ"), "{why}: the token leaks into {detail}");
}

#[tokio::test]
async fn a_token_as_better_auth_mints_it_is_accepted() {
    let app = spawn_app().await;
    assert_eq!(app.create("alice", json!({ "title": "ok" })).await.status(), 201);
}

#[tokio::test]
async fn no_token_is_401_with_a_bare_challenge() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/api/alice/tasks")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"todo\"");
    assert_problem(response, 401).await;
}

#[tokio::test]
async fn a_token_anywhere_but_the_authorization_header_is_ignored() {
    let app = spawn_app().await;
    let token = app.token("alice");
    for path in [format!("/api/alice/tasks?access_token={token}"), format!("/api/alice/tasks?token={token}")] {
        assert_problem(app.client.get(app.url(&path)).send().await.unwrap(), 401).await;
    }
    let cookie = app.client.get(app.url("/api/alice/tasks")).header("cookie", format!("token={token}")).send().await.unwrap();
    assert_problem(cookie, 401).await;
}

#[tokio::test]
async fn malformed_authorization_headers_are_401_invalid_request() {
    let app = spawn_app().await;
    let token = app.token("alice");
    for value in [format!("Basic {token}"), token.clone(), "Bearer".into(), "Bearer ".into(), format!("Bearer {token} extra")] {
        let response = app.client.get(app.url("/api/alice/tasks")).header("authorization", value.clone()).send().await.unwrap();
        let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(challenge.contains("invalid_request"), "{value}: {challenge}");
        assert_problem(response, 401).await;
    }
    let lower = app.client.get(app.url("/api/alice/tasks")).header("authorization", format!("bearer {token}")).send().await.unwrap();
    assert_eq!(lower.status(), 200, "the scheme is case-insensitive (RFC 9110 §11.1)");
}

#[tokio::test]
async fn clock_skew_within_60_seconds_is_tolerated() {
    let app = spawn_app().await;
    let now = now_secs();
    let mut just_expired = claims("alice");
    just_expired["exp"] = json!(now - 30);
    just_expired["iat"] = json!(now - 900);
    let mut almost_valid = claims("alice");
    almost_valid["nbf"] = json!(now + 30);
    almost_valid["iat"] = json!(now + 30);
    for token in [hs256(&app.secret, &just_expired), hs256(&app.secret, &almost_valid)] {
        let response = app.request(Method::GET, "/api/alice/tasks", Some(&token)).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
}
