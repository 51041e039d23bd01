//! The list contract as data (`wire/fixtures/list-queries.json`): every query of
//! the fixture returns exactly the tasks it expects, in order, on this store, in
//! one page and walked in pages of two. The web app's tests hold their fake API
//! to the same fixture, so the API and the fake cannot drift apart.

use serde::Deserialize;
use serde_json::{Map, Value};
use todo_api::state::Clock;

use crate::helpers::{spawn_app_with, walk, Options};

#[derive(Deserialize)]
struct Fixture {
    now: String,
    tasks: Vec<Map<String, Value>>,
    queries: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    query: Map<String, Value>,
    expect: Vec<String>,
}

fn fixture() -> Fixture {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../wire/fixtures/list-queries.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture is there")).expect("the fixture parses")
}

/// The query string of a case, repeatable parameters repeated.
fn query_string(query: &Map<String, Value>, limit: Option<u32>) -> String {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    for (name, value) in query {
        match value {
            Value::String(text) => {
                pairs.append_pair(name, text);
            }
            Value::Array(items) => {
                for item in items {
                    pairs.append_pair(name, item.as_str().expect("repeated values are strings"));
                }
            }
            other => panic!("query values are strings or lists of strings, not {other}"),
        }
    }
    if let Some(limit) = limit {
        pairs.append_pair("limit", &limit.to_string());
    }
    format!("?{}", pairs.finish())
}

#[tokio::test]
async fn every_query_of_the_list_contract_returns_the_expected_tasks_in_order() {
    let fixture = fixture();
    let now = fixture.now.parse().expect("`now` is an instant");
    let app = spawn_app_with(Options { clock: Clock::Fixed(now), ..Options::default() }).await;
    let user = "fixture-user";
    let mut keys = std::collections::HashMap::new();
    for task in &fixture.tasks {
        let mut body = task.clone();
        let key = body.remove("key").and_then(|k| k.as_str().map(str::to_owned)).expect("every task has a key");
        let response = app.create(user, Value::Object(body)).await;
        assert_eq!(response.status(), 201, "creating {key}");
        let created: Value = response.json().await.unwrap();
        keys.insert(created["id"].as_i64().unwrap(), key);
    }
    let names = |tasks: Vec<Value>| -> Vec<String> {
        tasks.iter().map(|task| keys[&task["id"].as_i64().unwrap()].clone()).collect()
    };

    let mut failures = Vec::new();
    for case in &fixture.queries {
        let one_page = query_string(&case.query, Some(200));
        let got = names(walk::<Value>(&app, user, &one_page, async |_| {}).await.concat());
        if got != case.expect {
            failures.push(format!("{one_page}\n  expected {:?}\n  got      {:?}", case.expect, got));
        }
        let in_pairs = query_string(&case.query, Some(2));
        let walked = names(walk::<Value>(&app, user, &in_pairs, async |_| {}).await.concat());
        if walked != case.expect {
            failures.push(format!("{in_pairs} (walked)\n  expected {:?}\n  got      {:?}", case.expect, walked));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries differ:\n{}",
        failures.len(),
        fixture.queries.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn an_unknown_view_or_zone_is_refused() {
    let app = spawn_app_with(Options::default()).await;
    for query in ["?view=tomorrow", "?view=", "?view=today&tz=Mars/Olympus", "?tz=+02:00"] {
        let response = app.list("someone", query).await;
        assert_eq!(response.status(), 422, "{query}");
    }
}
