//! Property tests: whatever the body, the answer is a stored-exactly success or a
//! 4xx problem document, never a 5xx.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::{json, Map, Value};
use todo_api::tasks::model::Task;

use crate::helpers::{spawn_app, TestApp};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,8}",
        "[ \t\n]{0,3}\\PC{195,205}[ \t\n]{0,3}",
        "\\PC{995,1005}",
        Just("\u{0}".to_owned()),
        Just("  ".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![Just("title".to_owned()), Just("description".to_owned()), Just("completed".to_owned()), "\\PC{0,6}"],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Checks one response: a success must store what was sent; an error must be a 4xx problem.
async fn check(app: &TestApp, response: reqwest::Response, sent: &Value) -> Result<(), TestCaseError> {
    let status = response.status().as_u16();
    prop_assert!(status < 500, "{status} for {sent}");
    if status >= 400 {
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        prop_assert_eq!(content_type, "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        prop_assert_eq!(problem["status"].as_u64(), Some(u64::from(status)));
        return Ok(());
    }
    let task: Task = response.json().await.unwrap();
    if let Some(title) = sent.get("title").and_then(Value::as_str) {
        prop_assert_eq!(&task.title, title.trim());
    }
    if let Some(description) = sent.get("description") {
        prop_assert_eq!(&json!(task.description), description);
    }
    if let Some(completed) = sent.get("completed") {
        prop_assert_eq!(&json!(task.completed), completed);
    }
    let stored: Task = app.get("alice", task.id).await.json().await.unwrap();
    prop_assert_eq!(stored, task);
    Ok(())
}

fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&strategy, test).unwrap();
}

#[test]
fn any_title_and_description_is_stored_exactly_or_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    run(96, (text(), proptest::option::of(text())), |(title, description)| {
        runtime.block_on(async {
            let body = match &description {
                Some(d) => json!({ "title": title, "description": d }),
                None => json!({ "title": title }),
            };
            let response = app.create("alice", body.clone()).await;
            let valid_title = !title.trim().is_empty() && title.trim().chars().count() <= 200 && !title.contains('\0');
            let valid_description = description.as_ref().is_none_or(|d| d.chars().count() <= 1000 && !d.contains('\0'));
            prop_assert_eq!(response.status().as_u16() == 201, valid_title && valid_description, "{}", body);
            check(&app, response, &body).await
        })
    });
}

#[test]
fn any_json_body_gets_a_success_or_a_4xx_problem() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let existing = runtime.block_on(app.create_ok("alice", "target"));
    run(128, json_value(), |body| {
        runtime.block_on(async {
            let created = app.create("alice", body.clone()).await;
            check(&app, created, &body).await?;
            for method in [Method::PUT, Method::PATCH] {
                let updated = app.update(method, "alice", existing.id, body.clone()).await;
                check(&app, updated, &body).await?;
            }
            let completed = app.complete("alice", existing.id, Some(body.clone())).await;
            check(&app, completed, &body).await
        })
    });
}
