//! Every status code of SPEC's error table, each as a problem document.

use std::collections::HashSet;

use reqwest::header::HeaderValue;
use reqwest::{Method, Response};
use serde_json::json;

use crate::helpers::{
    assert_problem, spawn_app, spawn_app_with, spawn_app_with_unreachable_store,
    spawn_app_with_unreachable_store_and_timeout, Options,
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
    for body in [
        "[]",
        "[\"title\"]",
        "[\"x\", \"y\", true]",
        "\"title\"",
        "null",
        "5",
        "{\"title\": [\"x\"]}",
        "{\"title\": \"x\", \"completed\": 1e400}",
    ] {
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

/// The request id of an answer, which every answer must have.
fn request_id_of(response: &Response, what: &str) -> String {
    let id = response.headers().get("x-request-id").unwrap_or_else(|| panic!("{what}: no x-request-id"));
    let id = id.to_str().unwrap_or_else(|_| panic!("{what}: x-request-id is not text: {id:?}")).to_owned();
    assert!(!id.trim().is_empty(), "{what}: empty x-request-id");
    id
}

/// A person reporting a problem quotes the id; the logs are searched for it. So the
/// refusals need one most of all, whichever layer answers them: the router (404, 405),
/// the body limit (413), the extractors (400, 415, 422), auth (401, 403), the rate
/// limiter (429).
#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let token = app.token("alice");
    let doomed = app.create_ok("alice", "to be deleted").await;
    let send = |method: Method, path: &str, token: Option<&str>| app.request(method, path, token);
    let answers: Vec<(u16, Response)> = vec![
        (200, app.list("alice", "").await),
        (201, app.create("alice", json!({ "title": "new" })).await),
        (204, app.delete("alice", doomed.id).await),
        (400, app.send_raw(Method::POST, "/api/alice/tasks", "alice", "{\"title\": ").await),
        (401, send(Method::GET, "/api/alice/tasks", None).send().await.unwrap()),
        (403, send(Method::GET, "/api/alice/tasks", Some(&app.token("bob"))).send().await.unwrap()),
        (404, app.get("alice", doomed.id).await),
        (405, send(Method::DELETE, "/api/alice/tasks", Some(&token)).send().await.unwrap()),
        (413, app.create("alice", json!({ "title": "big", "description": "x".repeat(64 * 1024) })).await),
        (
            415,
            send(Method::POST, "/api/alice/tasks", Some(&token))
                .header("content-type", "text/plain")
                .body(r#"{"title":"x"}"#)
                .send()
                .await
                .unwrap(),
        ),
        (422, app.create("alice", json!({})).await),
    ];
    let limited = spawn_app_with(Options { rate_limit_per_minute: 1, ..Options::default() }).await;
    let within = limited.list("alice", "").await;
    assert_eq!(within.status(), 200, "the first request is within the limit");
    let answers = answers.into_iter().chain([(429, limited.list("alice", "").await)]);

    let mut ids = HashSet::new();
    ids.insert(request_id_of(&within, "the rate-limited app's 200"));
    for (status, response) in answers {
        assert_eq!(response.status().as_u16(), status, "{}", response.url());
        let id = request_id_of(&response, &status.to_string());
        assert!(ids.insert(id.clone()), "{status}: request id {id} was already given to another request");
    }

    // A short, plain id the client sent is kept, so a caller can follow its own
    // request through our logs; on success and on refusal alike.
    for (what, request) in [
        ("200", send(Method::GET, "/api/alice/tasks", Some(&token))),
        ("401", send(Method::GET, "/api/alice/tasks", None)),
        ("404", send(Method::GET, "/api/alice/tasks/424242", Some(&token))),
    ] {
        let sent = format!("web-{}", uuid::Uuid::new_v4().simple());
        let response = request.header("x-request-id", &sent).send().await.unwrap();
        assert_eq!(request_id_of(&response, what), sent, "{what}: the client's id is echoed");
    }
}

/// A client's id ends up in our logs; only a short, plain one is trusted there
/// (SPEC, Limits). Anything else is replaced by an id of the server's own, so a
/// log line cannot be padded, forged or made to look like another request's.
#[tokio::test]
async fn a_client_request_id_that_is_long_or_not_plain_is_replaced() {
    let app = spawn_app().await;
    let token = app.token("alice");
    let unfit: Vec<(&str, HeaderValue)> = vec![
        ("1 KiB long", HeaderValue::from_str(&"a".repeat(1024)).unwrap()),
        ("with spaces and quotes", HeaderValue::from_static(r#"abc" method=DELETE path="/api/bob"#)),
        ("with a tab", HeaderValue::from_static("abc\tdef")),
        ("with markup", HeaderValue::from_static("<script>alert(1)</script>")),
        ("not ASCII", HeaderValue::from_bytes("caf\u{e9}-\u{202e}gpj".as_bytes()).unwrap()),
    ];
    let mut ids = HashSet::new();
    let mut kept = Vec::new();
    for (what, sent) in unfit {
        let response = app
            .request(Method::GET, "/api/alice/tasks", Some(&token))
            .header("x-request-id", sent.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{what}: a bad request id is no reason to refuse the request");
        // As bytes: a kept non-ASCII id would not even be text.
        let id = response
            .headers()
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{what}: no x-request-id"))
            .as_bytes()
            .to_vec();
        assert!(!id.is_empty(), "{what}: empty x-request-id");
        if id == sent.as_bytes() {
            kept.push(what);
        }
        assert!(ids.insert(id.clone()), "{what}: {} given twice", String::from_utf8_lossy(&id));
    }
    assert!(kept.is_empty(), "client request ids kept as sent: {kept:?}");
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
    for (method, path) in
        [(Method::GET, "/api/%FF/tasks"), (Method::POST, "/api/%FF/tasks"), (Method::GET, "/api/%FF/tasks/1")]
    {
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
