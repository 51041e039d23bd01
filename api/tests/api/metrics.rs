//! `/metrics` on its own address: the series move with the requests, by route
//! template, never by raw path, user id or token.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app_with, Options, TestApp};

fn with_metrics(rate_limit_per_minute: u32) -> Options {
    Options { args: vec!["--metrics-addr=127.0.0.1:0".into()], rate_limit_per_minute, ..Options::default() }
}

async fn scrape(app: &TestApp) -> String {
    let url = app.metrics_url.as_deref().expect("metrics are on");
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    response.text().await.unwrap()
}

/// The value of the series `name{labels}` (labels as rendered, in order), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_refusals_by_reason_and_name_no_one() {
    // The recorder is one per process, shared with the other tests running now:
    // the assertions look at how much the series moved, at least.
    let app = spawn_app_with(with_metrics(2)).await;
    let user = "metrics-user-7f3a";
    let before = scrape(&app).await;

    let task = app.create_ok(user, "counted").await;
    for _ in 0..3 {
        // Over the limit of 2 a minute after the create: 429s.
        app.get(user, task.id).await;
    }
    let token = app.token(user);
    let unauthenticated = app.request(Method::GET, &format!("/api/{user}/tasks"), None).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let forged =
        app.request(Method::GET, &format!("/api/{user}/tasks"), Some(&format!("{token}x"))).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(app.request(Method::GET, "/no/such/path", None).send().await.unwrap().status(), 404);
    let body = json!({ "title": "x" });
    assert_eq!(app.request(Method::POST, "/healthz", None).json(&body).send().await.unwrap().status(), 405);

    let after = scrape(&app).await;
    let moved = |series: &str| value(&after, series) - value(&before, series);
    let route = r#"route="/api/{user_id}/tasks""#;
    assert!(moved(&format!(r#"http_requests_total{{method="POST",{route},status="201"}}"#)) >= 1.0, "{after}");
    assert!(
        moved(r#"http_requests_total{method="GET",route="/api/{user_id}/tasks/{id}",status="429"}"#) >= 1.0,
        "{after}"
    );
    assert!(moved(&format!(r#"http_requests_total{{method="GET",{route},status="401"}}"#)) >= 2.0, "{after}");
    assert!(moved(r#"http_requests_total{method="GET",route="unmatched",status="404"}"#) >= 1.0, "{after}");
    assert!(moved(r#"auth_refusals_total{reason="missing_token"}"#) >= 1.0, "{after}");
    assert!(moved(r#"auth_refusals_total{reason="bad_signature"}"#) >= 1.0, "{after}");
    assert!(moved(r#"rate_limited_total{limit="requests_per_minute"}"#) >= 1.0, "{after}");
    assert!(moved(&format!(r#"http_request_duration_seconds_count{{method="POST",{route}}}"#)) >= 1.0, "{after}");
    assert!(after.contains(r#"http_request_duration_seconds_bucket{method="POST","#), "histograms, not summaries");

    assert!(!after.contains(user), "a user id in a label");
    assert!(!after.contains("/no/such/path"), "a raw path in a label");
    assert!(!after.contains("eyJ"), "a token in a label");
}

#[tokio::test]
async fn without_metrics_addr_nothing_listens_for_metrics() {
    let app = spawn_app_with(Options::default()).await;
    assert!(app.metrics_url.is_none());
    assert_eq!(
        app.request(Method::GET, "/metrics", None).send().await.unwrap().status(),
        404,
        "never on the API's port"
    );
}
