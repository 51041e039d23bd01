//! Every status code of SPEC's error table, each as a problem document.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    assert_problem, spawn_app, spawn_app_with, spawn_app_with_unreachable_store, spawn_app_with_unreachable_store_and_timeout,
    Options,
};

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    for body in ["{\"title\": ", "{title: 'x'}", "", "{\"title\":\"x\"} trailing"] {
        let response = app.send_raw(Method::POST, "/api/alice/tasks", "alice", body).await;
        assert_problem(response, 400).await;
    }
    assert!(app.all_tasks("alice").await.is_empty());
}

#[tokio::test]
async fn well_formed_json_of_the_wrong_shape_is_422() {
    let app = spawn_app().await;
    // Arrays too: serde would otherwise fill a struct from one, field by position.
    for body in ["[]", "[\"title\"]", "[\"x\", \"y\", true]", "\"title\"", "null", "5", "{\"title\": [\"x\"]}", "{\"title\": \"x\", \"completed\": 1e400}"] {
        let response = app.send_raw(Method::POST, "/api/alice/tasks", "alice", body).await;
        assert_problem(response, 422).await;
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let token = app.token("alice");
    let task = app.create_ok("alice", "x").await;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut request = app.request(Method::POST, "/api/alice/tasks", Some(&token)).body(r#"{"title":"x"}"#);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        assert_problem(request.send().await.unwrap(), 415).await;
        let request = app
            .request(Method::PATCH, &format!("/api/alice/tasks/{}/complete", task.id), Some(&token))
            .header("content-type", content_type.unwrap_or("text/plain"))
            .body(r#"{"completed":true}"#);
        assert_problem(request.send().await.unwrap(), 415).await;
    }
    let utf16 = app
        .request(Method::POST, "/api/alice/tasks", Some(&token))
        .header("content-type", "application/json; charset=utf-16")
        .body(r#"{"title":"y"}"#);
    assert_problem(utf16.send().await.unwrap(), 415).await;
    let charset = app
        .request(Method::POST, "/api/alice/tasks", Some(&token))
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"title":"y"}"#);
    assert_eq!(charset.send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_and_stores_nothing() {
    let app = spawn_app().await;
    let padding = "x".repeat(64 * 1024);
    let response = app.create("alice", json!({ "title": "big", "description": padding })).await;
    assert_problem(response, 413).await;
    assert!(app.all_tasks("alice").await.is_empty());
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let token = app.token("alice");
    for (method, path, must_allow) in [
        (Method::DELETE, "/api/alice/tasks", "POST"),
        (Method::POST, "/api/alice/tasks/1", "PUT"),
        (Method::GET, "/api/alice/tasks/1/complete", "PATCH"),
        (Method::POST, "/healthz", "GET"),
    ] {
        let response = app.request(method, path, Some(&token)).send().await.unwrap();
        let allow = response.headers().get("allow").expect("Allow header").to_str().unwrap().to_owned();
        assert!(allow.contains(must_allow), "{path}: {allow}");
        assert_problem(response, 405).await;
    }
}

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    assert_problem(app.client.get(app.url("/nope")).send().await.unwrap(), 404).await;
    assert_problem(app.client.get(app.url("/api/alice")).send().await.unwrap(), 404).await;
}

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let app = spawn_app_with(Options { rate_limit_per_minute: 3, ..Options::default() }).await;
    for _ in 0..3 {
        assert_eq!(app.list("alice", "").await.status(), 200);
    }
    let response = app.list("alice", "").await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_problem(response, 429).await;
    assert_eq!(app.list("bob", "").await.status(), 200, "the limit is per user");
}

#[tokio::test]
async fn an_unreachable_store_is_503_and_readyz_says_so() {
    let app = spawn_app_with_unreachable_store().await;
    let problem = assert_problem(app.create("alice", json!({ "title": "x" })).await, 503).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("retry"), "{detail}");
    assert!(!detail.to_lowercase().contains("select") && !detail.contains("127.0.0.1"), "no internals: {detail}");
    assert_problem(app.list("alice", "").await, 503).await;
    assert_problem(app.client.get(app.url("/readyz")).send().await.unwrap(), 503).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "the process itself is alive");
}

#[tokio::test]
async fn health_and_readiness_are_ok() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<serde_json::Value>().await.unwrap(), json!({ "status": "ok" }));
    }
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    let app = spawn_app().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/alice/tasks"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("http://localhost:3000").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "http://localhost:3000");
    let methods = allowed.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = allowed.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");

    let denied = preflight("http://evil.example").await.unwrap();
    assert!(denied.headers().get("access-control-allow-origin").is_none());

    let response = app
        .request(Method::POST, "/api/alice/tasks", Some(&app.token("alice")))
        .header("origin", "http://localhost:3000")
        .json(&json!({ "title": "x" }))
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    assert!(exposed.contains("location") && exposed.contains("link"), "{exposed}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let response = app.list("alice", "").await;
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn arrays_are_refused_by_every_body_route() {
    let app = spawn_app().await;
    let task = app.create_ok("alice", "x").await;
    for (method, path, body) in [
        (Method::PUT, format!("/api/alice/tasks/{}", task.id), "[\"renamed\"]"),
        (Method::PATCH, format!("/api/alice/tasks/{}", task.id), "[\"renamed\"]"),
        (Method::PATCH, format!("/api/alice/tasks/{}/complete", task.id), "[true]"),
    ] {
        let response = app.send_raw(method, &path, "alice", body).await;
        assert_problem(response, 422).await;
    }
    assert_eq!(app.all_tasks("alice").await, vec![task]);
}

#[tokio::test]
async fn a_repeated_query_parameter_is_422_naming_it() {
    let app = spawn_app().await;
    let problem = assert_problem(app.list("alice", "?status=all&status=pending").await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "status");
}

#[tokio::test]
async fn a_user_id_that_is_not_utf8_is_403() {
    let app = spawn_app().await;
    let token = app.token("alice");
    for (method, path) in [(Method::GET, "/api/%FF/tasks"), (Method::POST, "/api/%FF/tasks"), (Method::GET, "/api/%FF/tasks/1")] {
        let response = app.request(method, path, Some(&token)).json(&json!({ "title": "x" })).send().await.unwrap();
        assert_problem(response, 403).await;
    }
    assert!(app.all_tasks("alice").await.is_empty());
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_503_with_retry_after() {
    // The store's own acquire timeout is 3 s; the request limit here is shorter.
    let app = spawn_app_with_unreachable_store_and_timeout(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let response = app.list("alice", "").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "answered at the limit, not the pool's timeout");
    assert_eq!(response.headers()["retry-after"], "1");
    let problem = assert_problem(response, 503).await;
    assert!(problem["detail"].as_str().unwrap().contains("too long"), "{problem}");
}
