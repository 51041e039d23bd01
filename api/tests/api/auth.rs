//! Refused tokens (HS256 mode): each gets 401 with a Bearer challenge and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::forge::claims_with;
use crate::helpers::{assert_problem, hs256, now_secs, spawn_app};

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
    let cookie =
        app.client.get(app.url("/api/alice/tasks")).header("cookie", format!("token={token}")).send().await.unwrap();
    assert_problem(cookie, 401).await;
}

#[tokio::test]
async fn malformed_authorization_headers_are_401_invalid_request() {
    let app = spawn_app().await;
    let token = app.token("alice");
    for value in
        [format!("Basic {token}"), token.clone(), "Bearer".into(), "Bearer ".into(), format!("Bearer {token} extra")]
    {
        let response =
            app.client.get(app.url("/api/alice/tasks")).header("authorization", value.clone()).send().await.unwrap();
        let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(challenge.contains("invalid_request"), "{value}: {challenge}");
        assert_problem(response, 401).await;
    }
    let lower = app
        .client
        .get(app.url("/api/alice/tasks"))
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200, "the scheme is case-insensitive (RFC 9110 §11.1)");
}

#[tokio::test]
async fn clock_skew_within_60_seconds_is_tolerated() {
    let app = spawn_app().await;
    let now = now_secs();
    let just_expired = claims_with("alice", json!({ "exp": now - 30, "iat": now - 900 }));
    let almost_valid = claims_with("alice", json!({ "nbf": now + 30, "iat": now + 30 }));
    for token in [hs256(&app.secret, &just_expired), hs256(&app.secret, &almost_valid)] {
        let response = app.request(Method::GET, "/api/alice/tasks", Some(&token)).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
}
