//! SPEC's "Organizing tasks": priority, tags, due dates, time zones, recurrence,
//! reminders, the list filters and sorts over them, and the tags endpoint.
//!
//! Task bodies are handled as `serde_json::Value`, as a client sees them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::helpers::{assert_problem, spawn_app, walk, TestApp};

/// The keys the feature adds to every task.
const NEW_FIELDS: [&str; 8] =
    ["priority", "tags", "due_at", "all_day", "time_zone", "recurrence", "remind_at", "next_occurrence_id"];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// `{"title": title}` merged with the fields of `extra` (an object).
fn body(title: &str, extra: Value) -> Value {
    let mut map = match extra {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => panic!("extra fields must be an object, got {other}"),
    };
    map.insert("title".into(), json!(title));
    Value::Object(map)
}

async fn read_json(response: reqwest::Response, status: u16, context: &str) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{context}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{context}: body is not JSON ({e}): {text}"))
}

/// Creates a task that must succeed (201), returning its JSON.
async fn create_json(app: &TestApp, user: &str, body: Value) -> Value {
    let context = format!("creating {body}");
    read_json(app.create(user, body).await, 201, &context).await
}

/// Creates a task titled `title` with the given organizing fields.
async fn task_with(app: &TestApp, user: &str, title: &str, extra: Value) -> Value {
    create_json(app, user, body(title, extra)).await
}

async fn get_json(app: &TestApp, user: &str, id: i64) -> Value {
    read_json(app.get(user, id).await, 200, &format!("GET task {id}")).await
}

async fn update_json(app: &TestApp, method: Method, user: &str, id: i64, body: Value) -> Value {
    let context = format!("{method} task {id} with {body}");
    read_json(app.update(method, user, id, body).await, 200, &context).await
}

async fn patch_json(app: &TestApp, user: &str, id: i64, body: Value) -> Value {
    update_json(app, Method::PATCH, user, id, body).await
}

async fn complete_json(app: &TestApp, user: &str, id: i64, body: Option<Value>) -> Value {
    let context = format!("PATCH complete of task {id} with {body:?}");
    read_json(app.complete(user, id, body).await, 200, &context).await
}

/// One page of the list endpoint, as JSON.
async fn list_json(app: &TestApp, user: &str, query: &str) -> Vec<Value> {
    let context = format!("GET list {query}");
    match read_json(app.list(user, query).await, 200, &context).await {
        Value::Array(tasks) => tasks,
        other => panic!("{context}: not an array: {other}"),
    }
}

/// Every task of `user` (one page of at most 200).
async fn all_json(app: &TestApp, user: &str) -> Vec<Value> {
    list_json(app, user, "?limit=200&sort=created_at&order=asc").await
}

async fn count(app: &TestApp, user: &str) -> usize {
    all_json(app, user).await.len()
}

async fn tags_of(app: &TestApp, user: &str) -> Vec<Value> {
    let response = app.request(Method::GET, &format!("/api/{user}/tags"), Some(&app.token(user))).send().await.unwrap();
    match read_json(response, 200, &format!("GET /api/{user}/tags")).await {
        Value::Array(tags) => tags,
        other => panic!("tags of {user}: not an array: {other}"),
    }
}

fn id(task: &Value) -> i64 {
    task["id"].as_i64().unwrap_or_else(|| panic!("no id in {task}"))
}

fn next_id(task: &Value) -> Option<i64> {
    assert!(task.get("next_occurrence_id").is_some(), "next_occurrence_id missing in {task}");
    task["next_occurrence_id"].as_i64()
}

fn ids(tasks: &[Value]) -> Vec<i64> {
    tasks.iter().map(id).collect()
}

fn titles(tasks: &[Value]) -> Vec<String> {
    tasks.iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
}

fn sorted_titles(tasks: &[Value]) -> Vec<String> {
    let mut titles = titles(tasks);
    titles.sort();
    titles
}

fn instant(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str().map(|s| DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}")).with_timezone(&Utc))
}

fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array in {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_else(|| panic!("error without a field in {problem}")).to_owned())
        .collect()
}

/// Asserts a 422 problem whose errors name `field`.
async fn assert_refused(response: reqwest::Response, field: &str, context: &str) -> Value {
    let problem = assert_problem(response, 422).await;
    let fields = error_fields(&problem);
    assert!(fields.iter().any(|f| f == field), "{context}: expected an error naming {field:?}, got {problem}");
    problem
}

/// Asserts a 422 problem with at least one field error, whatever it names.
async fn assert_refused_somehow(response: reqwest::Response, context: &str) -> Value {
    let problem = assert_problem(response, 422).await;
    assert!(!error_fields(&problem).is_empty(), "{context}: errors must not be empty: {problem}");
    problem
}

/// Completes `task` (toggle) and returns the occurrence it created, read back by GET.
async fn complete_and_follow(app: &TestApp, user: &str, task: &Value) -> Value {
    let completed = complete_json(app, user, id(task), None).await;
    assert_eq!(completed["completed"], true);
    let next = next_id(&completed).unwrap_or_else(|| panic!("completing {task} named no next occurrence: {completed}"));
    assert_ne!(next, id(task));
    assert_eq!(get_json(app, user, id(task)).await, completed, "GET of the completed task matches its response");
    get_json(app, user, next).await
}

// ---------------------------------------------------------------------------
// Shape, defaults and round trips
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_new_task_carries_every_organizing_field_with_its_default() {
    let app = spawn_app().await;
    let task = task_with(&app, "alice", "plain", json!({})).await;
    let object = task.as_object().unwrap();
    for key in NEW_FIELDS {
        assert!(object.contains_key(key), "{key} missing in {task}");
    }
    assert_eq!(task["priority"], "none");
    assert_eq!(task["tags"], json!([]));
    assert_eq!(task["due_at"], Value::Null);
    assert_eq!(task["all_day"], false);
    assert_eq!(task["time_zone"], "UTC");
    assert_eq!(task["recurrence"], Value::Null);
    assert_eq!(task["remind_at"], Value::Null);
    assert_eq!(task["next_occurrence_id"], Value::Null);
    assert_eq!(get_json(&app, "alice", id(&task)).await, task, "GET shows the same task");
    assert_eq!(list_json(&app, "alice", "").await, vec![task], "the list shows the same task");
}

#[tokio::test]
async fn a_fully_organized_task_round_trips_in_normal_form() {
    let app = spawn_app().await;
    let response = app
        .create(
            "alice",
            json!({
                "title": "Hand in report", "description": "Q4", "priority": "high",
                "tags": ["work", " Errands ", "WORK"],
                "due_at": "2026-12-24T17:00:00+01:00", "all_day": false, "time_zone": "europe/berlin",
                "recurrence": "rrule:freq=weekly;byday=th,mo;interval=1",
                "remind_at": "2026-12-24T16:30:00+01:00",
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let task: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/alice/tasks/{}", id(&task)));
    assert_eq!(task["title"], "Hand in report");
    assert_eq!(task["description"], "Q4");
    assert_eq!(task["completed"], false);
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["Errands", "work"]), "trimmed, first spelling kept, sorted");
    assert_eq!(task["due_at"], "2026-12-24T16:00:00Z", "returned in UTC");
    assert_eq!(task["all_day"], false);
    assert_eq!(task["time_zone"], "Europe/Berlin", "canonical spelling");
    assert_eq!(task["recurrence"], "FREQ=WEEKLY;BYDAY=MO,TH", "canonical form");
    assert_eq!(task["remind_at"], "2026-12-24T15:30:00Z", "returned in UTC");
    assert_eq!(task["next_occurrence_id"], Value::Null);
    assert_eq!(get_json(&app, "alice", id(&task)).await, task, "GET equals the POST response");
    assert_eq!(list_json(&app, "alice", "").await, vec![task]);
}

#[tokio::test]
async fn an_all_day_task_round_trips() {
    let app = spawn_app().await;
    let task = task_with(
        &app,
        "alice",
        "Birthday",
        json!({ "due_at": "2027-05-01T00:00:00Z", "all_day": true, "time_zone": "UTC", "priority": "low" }),
    )
    .await;
    assert_eq!(task["all_day"], true);
    assert_eq!(task["due_at"], "2027-05-01T00:00:00Z", "midnight of the day in its own zone stays as it is");
    assert_eq!(task["priority"], "low");
    assert_eq!(get_json(&app, "alice", id(&task)).await, task);
}

#[tokio::test]
async fn recurrence_is_returned_in_canonical_form() {
    let app = spawn_app().await;
    for (sent, canonical) in [
        ("rrule:freq=weekly;byday=th,mo;interval=1", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("RRULE:FREQ=DAILY", "FREQ=DAILY"),
        ("FREQ=WEEKLY;BYDAY=SU,MO", "FREQ=WEEKLY;BYDAY=MO,SU"),
        ("FREQ=WEEKLY;BYDAY=FR,WE,MO,SA,TU,SU,TH", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"),
        ("freq=daily;interval=2", "FREQ=DAILY;INTERVAL=2"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;INTERVAL=3", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31"),
        ("COUNT=2;FREQ=DAILY", "FREQ=DAILY;COUNT=2"),
        ("FREQ=YEARLY;COUNT=5;INTERVAL=1", "FREQ=YEARLY;COUNT=5"),
        ("FREQ=DAILY;UNTIL=20271231T235959Z", "FREQ=DAILY;UNTIL=20271231T235959Z"),
    ] {
        let task =
            task_with(&app, "alice", sent, json!({ "due_at": "2027-03-01T08:00:00Z", "recurrence": sent })).await;
        assert_eq!(task["recurrence"], canonical, "{sent}");
        assert_eq!(get_json(&app, "alice", id(&task)).await["recurrence"], canonical, "{sent} stored canonical");
    }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// `n` tags that differ even ignoring case, in sorted order.
fn distinct_tags(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("tag{i:02}")).collect()
}

#[tokio::test]
async fn each_organizing_rule_accepts_good_values_and_refuses_bad_ones_naming_the_field() {
    let app = spawn_app().await;
    let due = "2027-03-01T08:00:00Z";
    let accepted = [
        json!({ "priority": "none" }),
        json!({ "priority": "low" }),
        json!({ "priority": "medium" }),
        json!({ "priority": "high" }),
        json!({ "tags": [] }),
        json!({ "tags": ["two words", "café", "x".repeat(32), "é".repeat(32)] }),
        json!({ "tags": [format!("  {}  ", "y".repeat(32))] }),
        json!({ "tags": distinct_tags(20) }),
        json!({ "due_at": "2027-03-01T08:00:00Z" }),
        json!({ "due_at": "2027-03-01T08:00:00+05:30" }),
        json!({ "due_at": "2027-03-01T08:00:00-08:00" }),
        json!({ "due_at": "0001-01-01T00:00:00Z" }),
        json!({ "due_at": "9999-12-31T23:59:59Z" }),
        json!({ "due_at": null }),
        json!({ "remind_at": "2027-03-01T07:45:00Z", "due_at": due }),
        json!({ "remind_at": null }),
        json!({ "all_day": true, "due_at": due }),
        json!({ "all_day": false }),
        json!({ "time_zone": "UTC" }),
        json!({ "time_zone": "Europe/Berlin" }),
        json!({ "time_zone": "America/New_York" }),
        json!({ "time_zone": "Asia/Kolkata" }),
        json!({ "time_zone": "europe/berlin" }),
        json!({ "recurrence": null }),
        json!({ "recurrence": "FREQ=DAILY", "due_at": due }),
        json!({ "recurrence": "FREQ=WEEKLY;BYDAY=MO,TH", "due_at": due }),
        json!({ "recurrence": "FREQ=MONTHLY;BYMONTHDAY=31", "due_at": due }),
        json!({ "recurrence": "FREQ=YEARLY;INTERVAL=2", "due_at": due }),
        json!({ "recurrence": "RRULE:FREQ=DAILY;COUNT=5", "due_at": due }),
        json!({ "recurrence": "FREQ=DAILY;UNTIL=20271231T235959Z", "due_at": due }),
    ];
    for (n, extra) in accepted.iter().enumerate() {
        let response = app.create("alice", body(&format!("ok {n}"), extra.clone())).await;
        let status = response.status().as_u16();
        assert_eq!(status, 201, "{extra} should be accepted: {}", response.text().await.unwrap());
    }

    let refused = [
        (json!({ "priority": "urgent" }), "priority"),
        (json!({ "priority": "" }), "priority"),
        (json!({ "priority": 3 }), "priority"),
        (json!({ "tags": "home" }), "tags"),
        (json!({ "tags": { "home": true } }), "tags"),
        (json!({ "tags": distinct_tags(21) }), "tags"),
        (json!({ "tags": [""] }), "tags[0]"),
        (json!({ "tags": ["ok", "   "] }), "tags[1]"),
        (json!({ "tags": ["ok", "fine", "x".repeat(33)] }), "tags[2]"),
        (json!({ "tags": ["é".repeat(33)] }), "tags[0]"),
        (json!({ "tags": ["a,b"] }), "tags[0]"),
        (json!({ "tags": ["ok", "bell\u{7}"] }), "tags[1]"),
        (json!({ "tags": ["tab\tinside"] }), "tags[0]"),
        (json!({ "tags": ["nul\u{0}"] }), "tags[0]"),
        (json!({ "due_at": "tomorrow" }), "due_at"),
        (json!({ "due_at": "2027-03-01" }), "due_at"),
        (json!({ "due_at": "2027-03-01T08:00:00" }), "due_at"),
        (json!({ "due_at": "2027-13-01T08:00:00Z" }), "due_at"),
        (json!({ "due_at": "0000-12-31T00:00:00Z" }), "due_at"),
        (json!({ "due_at": "10000-01-01T00:00:00Z" }), "due_at"),
        (json!({ "due_at": 1_800_000_000 }), "due_at"),
        (json!({ "remind_at": "soon" }), "remind_at"),
        (json!({ "remind_at": "2027-03-01 07:45" }), "remind_at"),
        (json!({ "remind_at": "0000-01-01T00:00:00Z" }), "remind_at"),
        (json!({ "all_day": "yes" }), "all_day"),
        (json!({ "all_day": 1 }), "all_day"),
        (json!({ "time_zone": "Mars/Olympus" }), "time_zone"),
        (json!({ "time_zone": "+02:00" }), "time_zone"),
        (json!({ "time_zone": "" }), "time_zone"),
        (json!({ "time_zone": 2 }), "time_zone"),
        (json!({ "recurrence": "FREQ=HOURLY", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "FREQ=WEEKLY;BYDAY=XX", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "FREQ=MONTHLY;BYMONTHDAY=0", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "FREQ=MONTHLY;BYMONTHDAY=32", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "FREQ=DAILY;COUNT=3;UNTIL=20271231T235959Z", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "FREQ=DAILY;BYHOUR=9", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "FREQ=DAILY;INTERVAL=0", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "INTERVAL=2", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "", "due_at": due }), "recurrence"),
        (json!({ "recurrence": "every day", "due_at": due }), "recurrence"),
        (json!({ "recurrence": 7, "due_at": due }), "recurrence"),
        (json!({ "next_occurrence_id": 1 }), "next_occurrence_id"),
        (json!({ "next_occurrence_id": null }), "next_occurrence_id"),
        (json!({ "colour": "red" }), "colour"),
    ];
    for (extra, field) in refused {
        let response = app.create("alice", body("refused", extra.clone())).await;
        assert_refused(response, field, &extra.to_string()).await;
    }
    assert_eq!(count(&app, "alice").await, accepted.len(), "no refused body stored anything");
}

#[tokio::test]
async fn a_recurrence_without_a_due_date_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    for extra in [
        json!({ "recurrence": "FREQ=DAILY" }),
        json!({ "recurrence": "FREQ=DAILY", "due_at": null }),
        json!({ "recurrence": "FREQ=WEEKLY;BYDAY=MO", "remind_at": "2027-03-01T07:45:00Z" }),
    ] {
        assert_refused_somehow(app.create("alice", body("no due", extra.clone())).await, &extra.to_string()).await;
    }
    assert_eq!(count(&app, "alice").await, 0);
}

#[tokio::test]
async fn several_broken_organizing_rules_are_reported_together() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.create(
            "alice",
            json!({
                "title": "x", "priority": "urgent", "tags": ["fine", ""], "due_at": "tomorrow",
                "time_zone": "Mars/Olympus", "remind_at": "later",
                "recurrence": "FREQ=HOURLY",
            }),
        )
        .await,
        422,
    )
    .await;
    let fields = error_fields(&problem);
    for field in ["priority", "tags[1]", "due_at", "time_zone", "remind_at", "recurrence"] {
        assert!(fields.iter().any(|f| f == field), "{field} missing from {problem}");
    }
    assert_eq!(count(&app, "alice").await, 0);
}

// ---------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------

/// Asserts `after` equals `before` except for `changed` keys and `updated_at`.
fn assert_only_changed(before: &Value, after: &Value, changed: &[&str], context: &str) {
    for (key, value) in before.as_object().unwrap() {
        if key == "updated_at" || changed.contains(&key.as_str()) {
            continue;
        }
        assert_eq!(&after[key], value, "{context}: {key} must not change");
    }
}

#[tokio::test]
async fn put_and_patch_change_each_organizing_field_and_null_clears_the_nullable_ones() {
    let app = spawn_app().await;
    for method in [Method::PUT, Method::PATCH] {
        let mut task = task_with(&app, "alice", &format!("edit by {method}"), json!({ "description": "keep" })).await;
        let steps = [
            (json!({ "priority": "low" }), "priority", json!("low")),
            (json!({ "priority": "high" }), "priority", json!("high")),
            (json!({ "tags": ["b", "A"] }), "tags", json!(["A", "b"])),
            (json!({ "time_zone": "asia/tokyo" }), "time_zone", json!("Asia/Tokyo")),
            (json!({ "due_at": "2027-01-01T00:00:00+09:00" }), "due_at", json!("2026-12-31T15:00:00Z")),
            (json!({ "all_day": true }), "all_day", json!(true)),
            (json!({ "all_day": false }), "all_day", json!(false)),
            (json!({ "recurrence": "freq=daily;interval=2" }), "recurrence", json!("FREQ=DAILY;INTERVAL=2")),
            (json!({ "remind_at": "2026-12-31T14:00:00Z" }), "remind_at", json!("2026-12-31T14:00:00Z")),
            (json!({ "remind_at": null }), "remind_at", Value::Null),
            (json!({ "recurrence": null }), "recurrence", Value::Null),
            (json!({ "due_at": null }), "due_at", Value::Null),
            (json!({ "tags": [] }), "tags", json!([])),
            (json!({ "time_zone": "UTC" }), "time_zone", json!("UTC")),
            (json!({ "priority": "none" }), "priority", json!("none")),
        ];
        for (change, key, expected) in steps {
            let context = format!("{method} {change}");
            let updated = update_json(&app, method.clone(), "alice", id(&task), change).await;
            assert_eq!(updated[key], expected, "{context}");
            assert_only_changed(&task, &updated, &[key], &context);
            assert_eq!(get_json(&app, "alice", id(&task)).await, updated, "{context}: stored as returned");
            task = updated;
        }
        assert_eq!(task["description"], "keep");
    }
}

#[tokio::test]
async fn several_organizing_fields_change_in_one_update() {
    let app = spawn_app().await;
    let task = task_with(&app, "alice", "plain", json!({})).await;
    let updated = patch_json(
        &app,
        "alice",
        id(&task),
        json!({
            "priority": "medium", "tags": ["x"], "due_at": "2027-06-01T12:00:00Z",
            "time_zone": "Europe/Berlin", "recurrence": "FREQ=MONTHLY", "remind_at": "2027-06-01T11:00:00Z",
        }),
    )
    .await;
    assert_eq!(updated["priority"], "medium");
    assert_eq!(updated["tags"], json!(["x"]));
    assert_eq!(updated["due_at"], "2027-06-01T12:00:00Z");
    assert_eq!(updated["time_zone"], "Europe/Berlin");
    assert_eq!(updated["recurrence"], "FREQ=MONTHLY");
    assert_eq!(updated["remind_at"], "2027-06-01T11:00:00Z");
    assert_eq!(get_json(&app, "alice", id(&task)).await, updated);
}

#[tokio::test]
async fn null_for_a_non_nullable_organizing_field_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let task = task_with(
        &app,
        "alice",
        "set",
        json!({ "priority": "high", "tags": ["home"], "all_day": false, "time_zone": "Europe/Berlin" }),
    )
    .await;
    for method in [Method::PUT, Method::PATCH] {
        for field in ["priority", "tags", "all_day", "time_zone"] {
            let mut change = Map::new();
            change.insert(field.into(), Value::Null);
            let response = app.update(method.clone(), "alice", id(&task), Value::Object(change)).await;
            assert_refused(response, field, &format!("{method} {field}: null")).await;
        }
    }
    assert_eq!(get_json(&app, "alice", id(&task)).await, task, "nothing changed");
}

#[tokio::test]
async fn bad_organizing_values_on_update_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let task = task_with(&app, "alice", "target", json!({ "due_at": "2027-03-01T08:00:00Z", "tags": ["home"] })).await;
    for (change, field) in [
        (json!({ "priority": "urgent" }), "priority"),
        (json!({ "tags": ["a,b"] }), "tags[0]"),
        (json!({ "tags": distinct_tags(21) }), "tags"),
        (json!({ "time_zone": "Mars/Olympus" }), "time_zone"),
        (json!({ "due_at": "tomorrow" }), "due_at"),
        (json!({ "remind_at": "10000-01-01T00:00:00Z" }), "remind_at"),
        (json!({ "recurrence": "FREQ=HOURLY" }), "recurrence"),
        (json!({ "next_occurrence_id": 5 }), "next_occurrence_id"),
        (json!({ "title": "renamed", "priority": "urgent" }), "priority"),
    ] {
        for method in [Method::PUT, Method::PATCH] {
            let response = app.update(method.clone(), "alice", id(&task), change.clone()).await;
            assert_refused(response, field, &format!("{method} {change}")).await;
        }
    }
    assert_eq!(get_json(&app, "alice", id(&task)).await, task, "nothing changed");
}

#[tokio::test]
async fn a_recurrence_needs_a_due_date_on_update_too() {
    let app = spawn_app().await;
    let undated = task_with(&app, "alice", "undated", json!({})).await;
    let response = app.update(Method::PATCH, "alice", id(&undated), json!({ "recurrence": "FREQ=DAILY" })).await;
    assert_refused_somehow(response, "recurrence on a task without due_at").await;
    assert_eq!(get_json(&app, "alice", id(&undated)).await, undated, "unchanged");

    let both = patch_json(
        &app,
        "alice",
        id(&undated),
        json!({ "recurrence": "FREQ=DAILY", "due_at": "2027-03-01T08:00:00Z" }),
    )
    .await;
    assert_eq!(both["recurrence"], "FREQ=DAILY", "recurrence and due date set together");

    for method in [Method::PATCH, Method::PUT] {
        let response = app.update(method.clone(), "alice", id(&both), json!({ "due_at": null })).await;
        assert_refused_somehow(response, &format!("{method} clearing due_at of a recurring task")).await;
        assert_eq!(get_json(&app, "alice", id(&both)).await, both, "unchanged");
    }

    let cleared = patch_json(&app, "alice", id(&both), json!({ "due_at": null, "recurrence": null })).await;
    assert_eq!(cleared["due_at"], Value::Null);
    assert_eq!(cleared["recurrence"], Value::Null);
}

// ---------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------

#[tokio::test]
async fn tags_are_trimmed_deduplicated_ignoring_case_and_sorted_ignoring_case() {
    let app = spawn_app().await;
    for (sent, stored) in [
        (json!(["Home", "home", " HOME "]), json!(["Home"])),
        (json!(["zeta", "Alpha", "beta"]), json!(["Alpha", "beta", "zeta"])),
        (json!(["  padded  ", " x"]), json!(["padded", "x"])),
        (json!(["b", "B", "a", "A", "c"]), json!(["a", "b", "c"])),
        (json!(["Éclair", "éclair", "ÉCLAIR"]), json!(["Éclair"])),
        (json!(["two  spaces"]), json!(["two  spaces"])),
    ] {
        let task = task_with(&app, "alice", "tagged", json!({ "tags": sent.clone() })).await;
        assert_eq!(task["tags"], stored, "{sent}");
        assert_eq!(get_json(&app, "alice", id(&task)).await["tags"], stored, "{sent} stored");
        let updated = patch_json(&app, "alice", id(&task), json!({ "tags": sent.clone() })).await;
        assert_eq!(updated["tags"], stored, "{sent} on update");
    }
}

#[tokio::test]
async fn twenty_tags_are_allowed_duplicates_collapse_and_a_twenty_first_is_refused() {
    let app = spawn_app().await;
    let twenty: Vec<String> = distinct_tags(20);
    let task = task_with(&app, "alice", "twenty", json!({ "tags": twenty })).await;
    assert_eq!(task["tags"].as_array().unwrap().len(), 20);

    // At most 20 sent, as the schema's maxItems says; duplicates ignoring case collapse.
    let mut with_duplicates: Vec<String> = twenty[..10].to_vec();
    with_duplicates.extend(twenty[..9].iter().map(|t| t.to_uppercase()));
    with_duplicates.push(format!(" {} ", twenty[0]));
    assert_eq!(with_duplicates.len(), 20);
    let task = task_with(&app, "alice", "twenty again", json!({ "tags": with_duplicates })).await;
    assert_eq!(task["tags"], json!(twenty[..10]), "duplicates ignoring case collapse, the first spelling kept");
    let mut twenty_one_sent = twenty.clone();
    twenty_one_sent.push(twenty[0].to_uppercase());
    assert_refused(
        app.create("alice", json!({ "title": "21 sent", "tags": twenty_one_sent })).await,
        "tags",
        "21 tags sent, one a duplicate",
    )
    .await;

    let problem = assert_refused(
        app.create("alice", json!({ "title": "too many", "tags": distinct_tags(21) })).await,
        "tags",
        "21 distinct tags",
    )
    .await;
    assert!(!problem["detail"].as_str().unwrap().is_empty());
    let refused = app.update(Method::PATCH, "alice", id(&task), json!({ "tags": distinct_tags(21) })).await;
    assert_refused(refused, "tags", "21 distinct tags on update").await;
    assert_eq!(count(&app, "alice").await, 2);
}

#[tokio::test]
async fn each_bad_tag_is_named_by_its_position() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.create(
            "alice",
            json!({ "title": "x", "tags": ["fine", "", "a,b", "ok", "x".repeat(33), "ctl\u{1b}[31m"] }),
        )
        .await,
        422,
    )
    .await;
    let fields = error_fields(&problem);
    for field in ["tags[1]", "tags[2]", "tags[4]", "tags[5]"] {
        assert!(fields.iter().any(|f| f == field), "{field} missing from {problem}");
    }
    for field in ["tags[0]", "tags[3]"] {
        assert!(!fields.iter().any(|f| f == field), "{field} is a good tag: {problem}");
    }
    assert_eq!(count(&app, "alice").await, 0);
}

// ---------------------------------------------------------------------------
// Recurrence
// ---------------------------------------------------------------------------

#[tokio::test]
async fn completing_a_recurring_task_creates_the_next_occurrence_with_the_same_fields() {
    let app = spawn_app().await;
    let task = task_with(
        &app,
        "alice",
        "Water plants",
        json!({
            "description": "balcony", "priority": "medium", "tags": ["home", "Garden"],
            "due_at": "2027-03-01T08:00:00Z", "all_day": false, "time_zone": "UTC",
            "recurrence": "FREQ=DAILY;COUNT=3", "remind_at": "2027-03-01T07:30:00Z",
        }),
    )
    .await;
    let next = complete_and_follow(&app, "alice", &task).await;
    assert_eq!(next["user_id"], "alice");
    assert_eq!(next["title"], "Water plants");
    assert_eq!(next["description"], "balcony");
    assert_eq!(next["priority"], "medium");
    assert_eq!(next["tags"], json!(["Garden", "home"]));
    assert_eq!(next["all_day"], false);
    assert_eq!(next["time_zone"], "UTC");
    assert_eq!(next["due_at"], "2027-03-02T08:00:00Z");
    assert_eq!(next["remind_at"], "2027-03-02T07:30:00Z");
    assert_eq!(next["recurrence"], "FREQ=DAILY;COUNT=2", "COUNT one less");
    assert_eq!(next["completed"], false);
    assert_eq!(next["next_occurrence_id"], Value::Null);
    assert_eq!(count(&app, "alice").await, 2);

    let original = get_json(&app, "alice", id(&task)).await;
    assert_eq!(next_id(&original), Some(id(&next)));
    assert_eq!(original["completed"], true);
    assert_eq!(original["recurrence"], "FREQ=DAILY;COUNT=3", "the completed task keeps its own rule");
    assert_eq!(original["due_at"], "2027-03-01T08:00:00Z", "the completed task keeps its own due date");
}

#[tokio::test]
async fn an_all_day_recurring_task_repeats_as_all_day() {
    let app = spawn_app().await;
    let task = task_with(
        &app,
        "alice",
        "Bins out",
        json!({ "due_at": "2027-03-01T00:00:00Z", "all_day": true, "recurrence": "FREQ=WEEKLY" }),
    )
    .await;
    let next = complete_and_follow(&app, "alice", &task).await;
    assert_eq!(next["all_day"], true);
    assert_eq!(next["due_at"], "2027-03-08T00:00:00Z");
}

#[tokio::test]
async fn the_next_due_date_follows_each_kind_of_rule() {
    let app = spawn_app().await;
    for (due, rule, expected) in [
        ("2027-03-01T08:00:00Z", "FREQ=DAILY", "2027-03-02T08:00:00Z"),
        ("2027-03-01T08:00:00Z", "FREQ=DAILY;INTERVAL=3", "2027-03-04T08:00:00Z"),
        ("2027-03-01T08:00:00Z", "FREQ=WEEKLY", "2027-03-08T08:00:00Z"),
        // 2027-03-01 is a Monday, 2027-03-04 a Thursday.
        ("2027-03-01T08:00:00Z", "FREQ=WEEKLY;BYDAY=MO,TH", "2027-03-04T08:00:00Z"),
        ("2027-03-04T08:00:00Z", "FREQ=WEEKLY;BYDAY=MO,TH", "2027-03-08T08:00:00Z"),
        ("2027-03-01T08:00:00Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "2027-03-15T08:00:00Z"),
        ("2027-03-01T08:00:00Z", "FREQ=MONTHLY", "2027-04-01T08:00:00Z"),
        ("2027-03-15T08:00:00Z", "FREQ=MONTHLY;BYMONTHDAY=15", "2027-04-15T08:00:00Z"),
        ("2027-01-31T08:00:00Z", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31", "2027-03-31T08:00:00Z"),
        ("2027-03-01T08:00:00Z", "FREQ=YEARLY", "2028-03-01T08:00:00Z"),
    ] {
        let task = task_with(&app, "alice", rule, json!({ "due_at": due, "recurrence": rule })).await;
        let next = complete_and_follow(&app, "alice", &task).await;
        assert_eq!(next["due_at"], expected, "{rule} from {due}");
        assert_eq!(next["recurrence"], rule, "{rule}: no COUNT, the rule is kept as is");
    }
}

#[tokio::test]
async fn count_goes_down_by_one_and_count_one_ends_the_series() {
    let app = spawn_app().await;
    let first = task_with(
        &app,
        "alice",
        "three times",
        json!({ "due_at": "2027-03-01T08:00:00Z", "recurrence": "FREQ=WEEKLY;COUNT=3" }),
    )
    .await;
    let second = complete_and_follow(&app, "alice", &first).await;
    assert_eq!(second["recurrence"], "FREQ=WEEKLY;COUNT=2");
    assert_eq!(second["due_at"], "2027-03-08T08:00:00Z");
    let third = complete_and_follow(&app, "alice", &second).await;
    assert_eq!(third["recurrence"], "FREQ=WEEKLY;COUNT=1");
    assert_eq!(third["due_at"], "2027-03-15T08:00:00Z");

    let last = complete_json(&app, "alice", id(&third), None).await;
    assert_eq!(last["completed"], true);
    assert_eq!(next_id(&last), None, "COUNT=1 was the last occurrence");
    assert_eq!(count(&app, "alice").await, 3);
}

#[tokio::test]
async fn until_before_the_next_date_ends_the_series() {
    let app = spawn_app().await;
    let ending = task_with(
        &app,
        "alice",
        "ends today",
        json!({ "due_at": "2027-03-01T08:00:00Z", "recurrence": "FREQ=DAILY;UNTIL=20270301T235959Z" }),
    )
    .await;
    let completed = complete_json(&app, "alice", id(&ending), None).await;
    assert_eq!(completed["completed"], true);
    assert_eq!(next_id(&completed), None, "the next date is after UNTIL");
    assert_eq!(count(&app, "alice").await, 1);

    let going = task_with(
        &app,
        "alice",
        "goes on",
        json!({ "due_at": "2027-03-01T08:00:00Z", "recurrence": "FREQ=DAILY;UNTIL=20270305T000000Z" }),
    )
    .await;
    let next = complete_and_follow(&app, "alice", &going).await;
    assert_eq!(next["due_at"], "2027-03-02T08:00:00Z");
    assert_eq!(next["recurrence"], "FREQ=DAILY;UNTIL=20270305T000000Z", "UNTIL is kept");
}

async fn recurring(app: &TestApp, title: &str) -> Value {
    task_with(app, "alice", title, json!({ "due_at": "2027-03-01T08:00:00Z", "recurrence": "FREQ=DAILY" })).await
}

#[tokio::test]
async fn un_completing_deletes_an_untouched_occurrence() {
    let app = spawn_app().await;
    for how in ["toggle", "set false", "PUT completed false", "PATCH completed false"] {
        let task = recurring(&app, how).await;
        let next = complete_and_follow(&app, "alice", &task).await;
        let task_id = id(&task);
        let response = match how {
            "toggle" => app.complete("alice", task_id, None).await,
            "set false" => app.complete("alice", task_id, Some(json!({ "completed": false }))).await,
            "PUT completed false" => app.update(Method::PUT, "alice", task_id, json!({ "completed": false })).await,
            _ => app.update(Method::PATCH, "alice", task_id, json!({ "completed": false })).await,
        };
        let undone = read_json(response, 200, how).await;
        assert_eq!(undone["completed"], false, "{how}");
        assert_eq!(next_id(&undone), None, "{how}: the link is gone");
        assert_problem(app.get("alice", id(&next)).await, 404).await;
        assert_eq!(get_json(&app, "alice", id(&task)).await, undone, "{how}");
    }
    assert_eq!(count(&app, "alice").await, 4, "no occurrence left behind");
}

#[tokio::test]
async fn un_completing_keeps_an_occurrence_that_was_changed_and_completing_again_adds_none() {
    let app = spawn_app().await;
    let task = recurring(&app, "daily").await;
    let next = complete_and_follow(&app, "alice", &task).await;
    let changed = patch_json(&app, "alice", id(&next), json!({ "title": "daily, moved" })).await;

    let undone = complete_json(&app, "alice", id(&task), Some(json!({ "completed": false }))).await;
    assert_eq!(undone["completed"], false);
    assert_eq!(next_id(&undone), Some(id(&next)), "the link stays to the kept occurrence");
    assert_eq!(get_json(&app, "alice", id(&next)).await, changed, "the changed occurrence stays as it was");

    let again = complete_json(&app, "alice", id(&task), None).await;
    assert_eq!(again["completed"], true);
    assert_eq!(next_id(&again), Some(id(&next)), "still the same occurrence");
    assert_eq!(count(&app, "alice").await, 2, "no second occurrence");
}

#[tokio::test]
async fn a_task_that_stopped_repeating_still_takes_back_its_occurrence() {
    // A change of `completed` alone is written in one statement on a task that
    // neither repeats nor links to an occurrence: this one no longer repeats, but
    // still links to the occurrence its completing made.
    let app = spawn_app().await;
    let task = recurring(&app, "daily").await;
    let next = complete_and_follow(&app, "alice", &task).await;
    let plain = patch_json(&app, "alice", id(&task), json!({ "recurrence": null })).await;
    assert_eq!((plain["recurrence"].clone(), next_id(&plain)), (Value::Null, Some(id(&next))));

    let undone = complete_json(&app, "alice", id(&task), None).await;
    assert_eq!(undone["completed"], false);
    assert_eq!(next_id(&undone), None, "the link is gone");
    assert_problem(app.get("alice", id(&next)).await, 404).await;
    let again = complete_json(&app, "alice", id(&task), None).await;
    assert_eq!((again["completed"].clone(), next_id(&again)), (json!(true), None), "no rule, no occurrence");
    assert_eq!(count(&app, "alice").await, 1);
}

#[tokio::test]
async fn completing_an_already_completed_task_adds_no_occurrence() {
    let app = spawn_app().await;
    let task = recurring(&app, "daily").await;
    let first = complete_json(&app, "alice", id(&task), Some(json!({ "completed": true }))).await;
    let next = next_id(&first).expect("an occurrence");
    for method in [None, Some(Method::PUT), Some(Method::PATCH)] {
        let again = match &method {
            None => complete_json(&app, "alice", id(&task), Some(json!({ "completed": true }))).await,
            Some(method) => update_json(&app, method.clone(), "alice", id(&task), json!({ "completed": true })).await,
        };
        assert_eq!(again["completed"], true);
        assert_eq!(next_id(&again), Some(next), "{method:?}");
    }
    assert_eq!(count(&app, "alice").await, 2);
}

#[tokio::test]
async fn deleting_the_occurrence_clears_the_link() {
    let app = spawn_app().await;
    let task = recurring(&app, "daily").await;
    let next = complete_and_follow(&app, "alice", &task).await;
    assert_eq!(app.delete("alice", id(&next)).await.status(), 204);
    let original = get_json(&app, "alice", id(&task)).await;
    assert_eq!(next_id(&original), None);
    assert_eq!(original["completed"], true);
    assert_eq!(list_json(&app, "alice", "").await, vec![original]);
}

#[tokio::test]
async fn put_and_patch_with_completed_true_create_the_occurrence_like_complete() {
    let app = spawn_app().await;
    for method in [Method::PUT, Method::PATCH] {
        let task = task_with(
            &app,
            "alice",
            &format!("by {method}"),
            json!({ "due_at": "2027-03-01T08:00:00Z", "recurrence": "FREQ=DAILY;COUNT=2", "priority": "high" }),
        )
        .await;
        let completed = update_json(&app, method.clone(), "alice", id(&task), json!({ "completed": true })).await;
        assert_eq!(completed["completed"], true);
        let next = get_json(&app, "alice", next_id(&completed).expect("an occurrence")).await;
        assert_eq!(next["title"], format!("by {method}"));
        assert_eq!(next["due_at"], "2027-03-02T08:00:00Z");
        assert_eq!(next["recurrence"], "FREQ=DAILY;COUNT=1");
        assert_eq!(next["priority"], "high");
        assert_eq!(next["completed"], false);
    }
    assert_eq!(count(&app, "alice").await, 4);
}

#[tokio::test]
async fn a_task_created_completed_creates_no_occurrence() {
    let app = spawn_app().await;
    let task = task_with(
        &app,
        "alice",
        "already done",
        json!({ "completed": true, "due_at": "2027-03-01T08:00:00Z", "recurrence": "FREQ=DAILY" }),
    )
    .await;
    assert_eq!(task["completed"], true);
    assert_eq!(next_id(&task), None);
    assert_eq!(count(&app, "alice").await, 1);
}

// ---------------------------------------------------------------------------
// Daylight saving time
// ---------------------------------------------------------------------------

#[tokio::test]
async fn weekly_on_monday_across_the_berlin_spring_change_keeps_nine_oclock_local_and_the_reminder_offset() {
    let app = spawn_app().await;
    // Monday 2026-03-23 09:00 CET; clocks go forward on Sunday 2026-03-29.
    let task = task_with(
        &app,
        "alice",
        "Weekly review",
        json!({
            "due_at": "2026-03-23T08:00:00Z", "time_zone": "Europe/Berlin",
            "recurrence": "FREQ=WEEKLY;BYDAY=MO", "remind_at": "2026-03-23T07:45:00Z",
        }),
    )
    .await;
    let next = complete_and_follow(&app, "alice", &task).await;
    assert_eq!(next["due_at"], "2026-03-30T07:00:00Z", "09:00 CEST");
    assert_eq!(next["remind_at"], "2026-03-30T06:45:00Z", "still 15 minutes before");
    assert_eq!(next["time_zone"], "Europe/Berlin");
    assert_eq!(next["recurrence"], "FREQ=WEEKLY;BYDAY=MO");
}

#[tokio::test]
async fn daily_across_the_new_york_fall_change_keeps_eight_oclock_local() {
    let app = spawn_app().await;
    // Saturday 2026-10-31 08:00 EDT; clocks go back on Sunday 2026-11-01.
    let task = task_with(
        &app,
        "alice",
        "Walk the dog",
        json!({
            "due_at": "2026-10-31T12:00:00Z", "time_zone": "America/New_York",
            "recurrence": "FREQ=DAILY", "remind_at": "2026-10-31T11:00:00Z",
        }),
    )
    .await;
    let next = complete_and_follow(&app, "alice", &task).await;
    assert_eq!(next["due_at"], "2026-11-01T13:00:00Z", "08:00 EST");
    assert_eq!(next["remind_at"], "2026-11-01T12:00:00Z", "still an hour before");
    let after = complete_and_follow(&app, "alice", &next).await;
    assert_eq!(after["due_at"], "2026-11-02T13:00:00Z");
}

#[tokio::test]
async fn monthly_on_the_31st_falls_on_the_last_day_of_shorter_months_at_the_same_local_time() {
    let app = spawn_app().await;
    // 2027-01-31 09:00 CET; 2027-03-31 is after the spring change (09:00 CEST).
    let task = task_with(
        &app,
        "alice",
        "Pay rent",
        json!({
            "due_at": "2027-01-31T08:00:00Z", "time_zone": "Europe/Berlin",
            "recurrence": "FREQ=MONTHLY;BYMONTHDAY=31",
        }),
    )
    .await;
    let february = complete_and_follow(&app, "alice", &task).await;
    assert_eq!(february["due_at"], "2027-02-28T08:00:00Z", "the last day of February, 09:00 CET");
    let march = complete_and_follow(&app, "alice", &february).await;
    assert_eq!(march["due_at"], "2027-03-31T07:00:00Z", "back on the 31st, 09:00 CEST");
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_concurrent_completes_create_exactly_one_occurrence() {
    let app = Arc::new(spawn_app().await);
    let task = recurring(&app, "raced").await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let app = app.clone();
        let task_id = id(&task);
        requests.spawn(async move {
            let response = app.complete("alice", task_id, Some(json!({ "completed": true }))).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        });
    }
    let answers = requests.join_all().await;
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
    let named: HashSet<Option<i64>> = answers.iter().map(|(_, body)| body["next_occurrence_id"].as_i64()).collect();
    assert_eq!(named.len(), 1, "every response names the same occurrence: {answers:?}");
    let next = named.into_iter().next().unwrap().expect("an occurrence is named");
    let tasks = all_json(&app, "alice").await;
    assert_eq!(tasks.len(), 2, "exactly one occurrence: {tasks:?}");
    assert!(ids(&tasks).contains(&next));
}

// ---------------------------------------------------------------------------
// List filters and sorts
// ---------------------------------------------------------------------------

/// Five tasks of alice (and one of bob) to filter:
/// milk run (high, home+errands, due 01-10), Buy milk (high, Home, due 01-05, completed),
/// call mum (medium, family, no due), taxes (low, home+finance, due 01-20), nothing (none, no tags, no due).
async fn seed_filter_fixture(app: &TestApp) {
    for extra in [
        json!({ "title": "milk run", "priority": "high", "tags": ["home", "errands"], "due_at": "2027-01-10T00:00:00Z" }),
        json!({ "title": "Buy milk", "priority": "high", "tags": ["Home"], "due_at": "2027-01-05T00:00:00Z", "completed": true }),
        json!({ "title": "call mum", "priority": "medium", "tags": ["family"] }),
        json!({ "title": "taxes", "priority": "low", "tags": ["home", "finance"], "due_at": "2027-01-20T00:00:00Z" }),
        json!({ "title": "nothing" }),
    ] {
        create_json(app, "alice", extra).await;
    }
    create_json(
        app,
        "bob",
        json!({ "title": "bob milk", "priority": "high", "tags": ["home"], "due_at": "2027-01-10T00:00:00Z" }),
    )
    .await;
}

async fn assert_finds(app: &TestApp, query: &str, expected: &[&str]) {
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(sorted_titles(&list_json(app, "alice", query).await), expected, "{query}");
}

#[tokio::test]
async fn priority_filter_matches_any_of_the_given_priorities() {
    let app = spawn_app().await;
    seed_filter_fixture(&app).await;
    assert_finds(&app, "?priority=high", &["milk run", "Buy milk"]).await;
    assert_finds(&app, "?priority=high&priority=medium", &["milk run", "Buy milk", "call mum"]).await;
    assert_finds(&app, "?priority=low&priority=none", &["taxes", "nothing"]).await;
    assert_finds(&app, "?priority=none", &["nothing"]).await;
    assert_finds(&app, "?priority=high&priority=high", &["milk run", "Buy milk"]).await;
    assert_finds(
        &app,
        "?priority=none&priority=low&priority=medium&priority=high",
        &["milk run", "Buy milk", "call mum", "taxes", "nothing"],
    )
    .await;
}

#[tokio::test]
async fn tag_filter_matches_all_given_tags_ignoring_case() {
    let app = spawn_app().await;
    seed_filter_fixture(&app).await;
    assert_finds(&app, "?tag=home", &["milk run", "Buy milk", "taxes"]).await;
    assert_finds(&app, "?tag=HOME", &["milk run", "Buy milk", "taxes"]).await;
    assert_finds(&app, "?tag=home&tag=errands", &["milk run"]).await;
    assert_finds(&app, "?tag=Errands&tag=hOmE", &["milk run"]).await;
    assert_finds(&app, "?tag=home&tag=family", &[]).await;
    assert_finds(&app, "?tag=nope", &[]).await;
    assert_finds(&app, "?tag=hom", &[]).await;
    assert_finds(&app, "?tag=family", &["call mum"]).await;
}

#[tokio::test]
async fn due_window_is_half_open_and_has_due_splits_dated_from_undated() {
    let app = spawn_app().await;
    seed_filter_fixture(&app).await;
    assert_finds(&app, "?has_due=true", &["milk run", "Buy milk", "taxes"]).await;
    assert_finds(&app, "?has_due=false", &["call mum", "nothing"]).await;
    assert_finds(&app, "?due_after=2027-01-10T00:00:00Z", &["milk run", "taxes"]).await;
    assert_finds(&app, "?due_before=2027-01-10T00:00:00Z", &["Buy milk"]).await;
    assert_finds(&app, "?due_after=2027-01-05T00:00:00Z&due_before=2027-01-20T00:00:00Z", &["Buy milk", "milk run"])
        .await;
    assert_finds(&app, "?due_after=2027-01-10T00:00:00Z&due_before=2027-01-10T00:00:00Z", &[]).await;
    assert_finds(&app, "?due_after=2027-01-10T00:00:01Z", &["taxes"]).await;
    assert_finds(&app, "?due_before=2027-01-10T00:00:01Z", &["Buy milk", "milk run"]).await;
    // Any offset: 01:00+01:00 is 00:00Z.
    assert_finds(&app, "?due_after=2027-01-10T01:00:00%2B01:00", &["milk run", "taxes"]).await;
    assert_finds(&app, "?due_before=2027-01-09T19:00:00-05:00", &["Buy milk"]).await;
    assert_finds(&app, "?due_before=2100-01-01T00:00:00Z&has_due=false", &[]).await;
}

#[tokio::test]
async fn organizing_filters_combine_with_status_and_search() {
    let app = spawn_app().await;
    seed_filter_fixture(&app).await;
    assert_finds(&app, "?status=pending&tag=home&priority=high&q=milk", &["milk run"]).await;
    assert_finds(&app, "?status=completed&tag=home", &["Buy milk"]).await;
    assert_finds(&app, "?status=pending&has_due=true", &["milk run", "taxes"]).await;
    assert_finds(&app, "?q=MILK&has_due=true&due_before=2027-01-06T00:00:00Z", &["Buy milk"]).await;
    assert_finds(&app, "?tag=home&priority=low&priority=high&due_after=2027-01-06T00:00:00Z", &["milk run", "taxes"])
        .await;
    assert_finds(&app, "?q=mum&priority=high", &[]).await;
    assert_finds(&app, "?status=completed&has_due=false", &[]).await;
}

#[tokio::test]
async fn bad_organizing_query_values_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    let long_tag = "t".repeat(33);
    let mut wrong = Vec::new();
    for (query, field) in [
        ("?priority=urgent".to_owned(), "priority"),
        ("?priority=high&priority=urgent".to_owned(), "priority"),
        ("?has_due=maybe".to_owned(), "has_due"),
        ("?has_due=".to_owned(), "has_due"),
        ("?due_before=tomorrow".to_owned(), "due_before"),
        ("?due_after=2027-01-01".to_owned(), "due_after"),
        ("?due_after=10000-01-01T00:00:00Z".to_owned(), "due_after"),
        (format!("?tag={long_tag}"), "tag"),
        (format!("?{}", tag_filters(21)), "tag"),
        ("?sort=colour".to_owned(), "sort"),
    ] {
        let response = app.list("alice", &query).await;
        let status = response.status().as_u16();
        let problem: Value = response.json().await.unwrap_or(Value::Null);
        let names_field = problem["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
        if status != 422 || !names_field {
            wrong.push(format!("{query} should be 422 naming {field:?}, got {status} {problem}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(list_json(&app, "alice", &format!("?tag={}", "t".repeat(32))).await.is_empty(), "32 characters are fine");
    assert!(list_json(&app, "alice", &format!("?{}", tag_filters(20))).await.is_empty(), "as many as a task can carry");
}

/// `tag=t0&tag=t1…`: `n` different tags to filter by.
fn tag_filters(n: usize) -> String {
    (0..n).map(|i| format!("tag=t{i}")).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn sort_by_due_at_puts_tasks_without_a_due_date_last_in_both_orders() {
    let app = spawn_app().await;
    let mut by_name = HashMap::new();
    for (name, due) in [
        ("t1", json!("2027-01-02T00:00:00Z")),
        ("t2", Value::Null),
        ("t3", json!("2027-01-01T00:00:00Z")),
        ("t4", json!("2027-01-02T00:00:00Z")),
        ("t5", Value::Null),
        ("t6", json!("2027-01-03T00:00:00+05:00")),
    ] {
        let task = task_with(&app, "alice", name, json!({ "due_at": due })).await;
        by_name.insert(name, id(&task));
    }
    // t6 is 2027-01-02T19:00:00Z, after t1 and t4.
    let expect = |names: &[&str]| names.iter().map(|n| by_name[n]).collect::<Vec<_>>();
    assert_eq!(
        ids(&list_json(&app, "alice", "?sort=due_at&order=asc").await),
        expect(&["t3", "t1", "t4", "t6", "t2", "t5"])
    );
    assert_eq!(
        ids(&list_json(&app, "alice", "?sort=due_at&order=desc").await),
        expect(&["t6", "t4", "t1", "t3", "t5", "t2"])
    );
    assert_eq!(
        ids(&list_json(&app, "alice", "?sort=due_at").await),
        expect(&["t6", "t4", "t1", "t3", "t5", "t2"]),
        "desc by default"
    );
    assert_eq!(
        ids(&list_json(&app, "alice", "?sort=due_at&order=asc&has_due=true").await),
        expect(&["t3", "t1", "t4", "t6"])
    );
}

#[tokio::test]
async fn sort_by_priority_orders_high_to_none_and_back_with_ties_by_id() {
    let app = spawn_app().await;
    let mut by_name = HashMap::new();
    for (name, priority) in
        [("p1", "high"), ("p2", "none"), ("p3", "low"), ("p4", "high"), ("p5", "medium"), ("p6", "none")]
    {
        let task = task_with(&app, "alice", name, json!({ "priority": priority })).await;
        by_name.insert(name, id(&task));
    }
    let expect = |names: &[&str]| names.iter().map(|n| by_name[n]).collect::<Vec<_>>();
    let descending = expect(&["p4", "p1", "p5", "p3", "p6", "p2"]);
    assert_eq!(ids(&list_json(&app, "alice", "?sort=priority").await), descending, "desc by default");
    assert_eq!(ids(&list_json(&app, "alice", "?sort=priority&order=desc").await), descending);
    assert_eq!(
        ids(&list_json(&app, "alice", "?sort=priority&order=asc").await),
        expect(&["p2", "p6", "p3", "p5", "p1", "p4"])
    );
    assert_eq!(
        ids(&list_json(&app, "alice", "?sort=priority&order=asc&priority=high&priority=none").await),
        expect(&["p2", "p6", "p1", "p4"])
    );
}

#[tokio::test]
async fn default_list_order_and_search_stay_as_they_were() {
    let app = spawn_app().await;
    let a =
        task_with(&app, "alice", "older milk", json!({ "priority": "high", "due_at": "2027-01-01T00:00:00Z" })).await;
    let b = task_with(&app, "alice", "newer", json!({ "priority": "low" })).await;
    assert_eq!(ids(&list_json(&app, "alice", "").await), [id(&b), id(&a)], "created_at desc");
    assert_eq!(ids(&list_json(&app, "alice", "?q=MILK").await), [id(&a)]);
}

// ---------------------------------------------------------------------------
// Keyset pagination over the new sorts
// ---------------------------------------------------------------------------

const PRIORITIES: [&str; 4] = ["none", "low", "medium", "high"];

fn priority_rank(task: &Value) -> usize {
    PRIORITIES.iter().position(|p| task["priority"] == *p).unwrap_or_else(|| panic!("priority of {task}"))
}

/// Whether `a` may come before `b` (or equal) in the given sort and order.
fn in_order(sort: &str, ascending: bool, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering;
    let by_id = if ascending { id(a).cmp(&id(b)) } else { id(b).cmp(&id(a)) };
    let ordering = match sort {
        "due_at" => match (instant(&a["due_at"]), instant(&b["due_at"])) {
            (Some(x), Some(y)) => (if ascending { x.cmp(&y) } else { y.cmp(&x) }).then(by_id),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_id,
        },
        "priority" => {
            let (x, y) = (priority_rank(a), priority_rank(b));
            (if ascending { x.cmp(&y) } else { y.cmp(&x) }).then(by_id)
        }
        other => panic!("unknown sort {other}"),
    };
    ordering != Ordering::Greater
}

/// The sort field's value for row `k` of a seed of 25: many nulls and equal keys.
fn seed_value(sort: &str, k: usize) -> Value {
    match sort {
        "due_at" => match k {
            0..=7 => Value::Null,
            8..=19 => json!(format!("2027-02-0{}T09:00:00Z", 1 + (k - 8) / 4)),
            _ => json!(format!("2027-02-{}T09:00:00Z", k)),
        },
        "priority" => json!(PRIORITIES[k % 4]),
        other => panic!("unknown sort {other}"),
    }
}

/// A value of the sort field that changes from page to page.
fn churn_value(sort: &str, page: usize) -> Value {
    match sort {
        "due_at" => match page % 3 {
            0 => Value::Null,
            1 => json!("2027-02-02T09:00:00Z"),
            _ => json!(format!("2027-0{}-15T09:00:00Z", 1 + page % 6)),
        },
        "priority" => json!(PRIORITIES[page % 4]),
        other => panic!("unknown sort {other}"),
    }
}

async fn pagination_survives_churn(sort: &str) {
    let app = spawn_app().await;
    let mut seeded = Vec::new();
    for i in 0..25 {
        let k = (i * 7) % 25;
        let mut extra = Map::new();
        extra.insert(sort.to_owned(), seed_value(sort, k));
        seeded.push(task_with(&app, "alice", &format!("seed {i:02}"), Value::Object(extra)).await);
    }
    // Three rows whose sort key moves during the walk: they may be missed or seen twice.
    let volatile: Vec<i64> = [3usize, 11, 19].iter().map(|&i| id(&seeded[i])).collect();
    let stable: Vec<Value> = seeded.iter().filter(|t| !volatile.contains(&id(t))).cloned().collect();
    let stable_ids: HashSet<i64> = ids(&stable).into_iter().collect();

    for (order, ascending) in [("asc", true), ("desc", false)] {
        let query = format!("?sort={sort}&order={order}&limit=3");
        let mut inserted = 0;
        let pages: Vec<Vec<Value>> = walk(&app, "alice", &query, async |page| {
            let mut extra = Map::new();
            extra.insert(sort.to_owned(), churn_value(sort, page));
            task_with(&app, "alice", &format!("inserted {order} {inserted}"), Value::Object(extra)).await;
            inserted += 1;
            // A change that keeps the sort key: the row must still be seen exactly once.
            let renamed = id(&stable[page % stable.len()]);
            patch_json(&app, "alice", renamed, json!({ "title": format!("renamed on page {page}") })).await;
            // A change of the sort key.
            let mut change = Map::new();
            change.insert(sort.to_owned(), churn_value(sort, page + 1));
            patch_json(&app, "alice", volatile[page % volatile.len()], Value::Object(change)).await;
        })
        .await;

        assert!(
            pages.iter().all(|p| !p.is_empty() && p.len() <= 3),
            "{query}: page sizes {:?}",
            pages.iter().map(Vec::len).collect::<Vec<_>>()
        );
        let seen: Vec<Value> = pages.into_iter().flatten().collect();
        let mut times_seen: HashMap<i64, usize> = HashMap::new();
        for task in &seen {
            *times_seen.entry(id(task)).or_default() += 1;
        }
        for (task_id, times) in &times_seen {
            if !volatile.contains(task_id) {
                assert_eq!(*times, 1, "{query}: task {task_id} seen {times} times");
            }
        }
        for task_id in &stable_ids {
            assert!(times_seen.contains_key(task_id), "{query}: task {task_id} was missed");
        }
        let stable_seen: Vec<&Value> = seen.iter().filter(|t| stable_ids.contains(&id(t))).collect();
        for pair in stable_seen.windows(2) {
            assert!(in_order(sort, ascending, pair[0], pair[1]), "{query}: {} before {}", pair[0], pair[1]);
        }
        assert!(inserted > 5, "{query}: the walk took several pages");
    }
}

#[tokio::test]
async fn pagination_by_due_at_walks_every_row_once_while_rows_are_inserted_and_updated() {
    pagination_survives_churn("due_at").await;
}

#[tokio::test]
async fn pagination_by_priority_walks_every_row_once_while_rows_are_inserted_and_updated() {
    pagination_survives_churn("priority").await;
}

#[tokio::test]
async fn a_quiet_walk_by_due_at_and_priority_equals_the_unpaged_list() {
    let app = spawn_app().await;
    for i in 0..17 {
        let due = if i % 3 == 0 { Value::Null } else { json!(format!("2027-04-0{}T10:00:00Z", 1 + i % 4)) };
        task_with(&app, "alice", &format!("q{i}"), json!({ "due_at": due, "priority": PRIORITIES[i % 4] })).await;
    }
    for query in
        ["?sort=due_at&order=asc", "?sort=due_at&order=desc", "?sort=priority&order=asc", "?sort=priority&order=desc"]
    {
        let whole = ids(&list_json(&app, "alice", &format!("{query}&limit=200")).await);
        let paged: Vec<i64> = walk::<Value>(&app, "alice", &format!("{query}&limit=2"), async |_| {})
            .await
            .iter()
            .flat_map(|p| ids(p))
            .collect();
        assert_eq!(paged, whole, "{query}");
    }
}

#[tokio::test]
async fn the_next_link_keeps_the_organizing_filters() {
    let app = spawn_app().await;
    let mut matching = HashSet::new();
    for i in 0..7 {
        let task = task_with(
            &app,
            "alice",
            &format!("match {i}"),
            json!({
                "tags": ["Home", format!("extra{i}")], "priority": if i % 2 == 0 { "high" } else { "medium" },
                "due_at": format!("2027-01-{:02}T12:00:00Z", 10 + i % 3),
            }),
        )
        .await;
        matching.insert(id(&task));
    }
    for extra in [
        json!({ "tags": ["work"], "priority": "high", "due_at": "2027-01-10T12:00:00Z" }),
        json!({ "tags": ["home"], "priority": "low", "due_at": "2027-01-10T12:00:00Z" }),
        json!({ "tags": ["home"], "priority": "high", "due_at": "2027-02-10T12:00:00Z" }),
        json!({ "tags": ["home"], "priority": "high", "due_at": "2026-12-10T12:00:00Z" }),
        json!({ "tags": ["home"], "priority": "high" }),
        json!({ "tags": ["home"], "priority": "low" }),
    ] {
        task_with(&app, "alice", "no match", extra).await;
    }
    for sort in ["due_at", "priority"] {
        let query = format!(
            "?tag=HOME&priority=high&priority=medium&has_due=true&due_after=2027-01-01T00:00:00Z&due_before=2027-02-01T00:00:00Z&sort={sort}&limit=2"
        );
        let pages: Vec<Vec<Value>> = walk(&app, "alice", &query, async |_| {}).await;
        assert_eq!(pages.len(), 4, "{query}");
        let seen: Vec<i64> = pages.iter().flat_map(|p| ids(p)).collect();
        assert_eq!(seen.len(), 7, "{query}: {seen:?}");
        assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), matching, "{query}");
    }
    let pages: Vec<Vec<Value>> = walk(&app, "alice", "?has_due=false&limit=1", async |_| {}).await;
    assert_eq!(pages.iter().flatten().count(), 2, "has_due is kept too");
}

// ---------------------------------------------------------------------------
// GET /api/{user_id}/tags
// ---------------------------------------------------------------------------

fn tag_summary(tags: &[Value]) -> Vec<(String, u64)> {
    tags.iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or_else(|| panic!("name of {t}")).to_lowercase(),
                t["count"].as_u64().unwrap_or_else(|| panic!("count of {t}")),
            )
        })
        .collect()
}

fn summary(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(name, n)| ((*name).to_owned(), *n)).collect()
}

#[tokio::test]
async fn tags_endpoint_counts_each_tag_merging_case_and_sorts_by_name() {
    let app = spawn_app().await;
    task_with(&app, "alice", "one", json!({ "tags": ["home", "Errands"] })).await;
    task_with(&app, "alice", "two", json!({ "tags": ["Home", "work"], "completed": true })).await;
    task_with(&app, "alice", "three", json!({ "tags": ["zebra", "HOME"] })).await;
    task_with(&app, "alice", "four", json!({ "tags": [] })).await;
    let tags = tags_of(&app, "alice").await;
    assert_eq!(tag_summary(&tags), summary(&[("errands", 1), ("home", 3), ("work", 1), ("zebra", 1)]), "{tags:?}");
    assert!(["home", "Home", "HOME"].contains(&tags[1]["name"].as_str().unwrap()), "one of the spellings: {tags:?}");
    assert_eq!(tags[0]["name"], "Errands");
    for tag in &tags {
        let mut keys: Vec<&str> = tag.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["count", "name"], "{tag}");
    }
}

#[tokio::test]
async fn tags_endpoint_merges_case_beyond_ascii() {
    let app = spawn_app().await;
    task_with(&app, "alice", "a", json!({ "tags": ["Éclair"] })).await;
    task_with(&app, "alice", "b", json!({ "tags": ["éclair"] })).await;
    let tags = tags_of(&app, "alice").await;
    assert_eq!(tag_summary(&tags), summary(&[("éclair", 2)]), "{tags:?}");
}

#[tokio::test]
async fn tags_endpoint_shows_only_the_callers_tags() {
    let app = spawn_app().await;
    task_with(&app, "alice", "mine", json!({ "tags": ["home"] })).await;
    task_with(&app, "bob", "his", json!({ "tags": ["secret", "Home"] })).await;
    assert_eq!(tag_summary(&tags_of(&app, "alice").await), summary(&[("home", 1)]));
    assert_eq!(tag_summary(&tags_of(&app, "bob").await), summary(&[("home", 1), ("secret", 1)]));
    assert_eq!(tags_of(&app, "carol").await, Vec::<Value>::new(), "no tasks, no tags");

    let others = app.request(Method::GET, "/api/bob/tags", Some(&app.token("alice"))).send().await.unwrap();
    assert_problem(others, 403).await;
    let anonymous = app.request(Method::GET, "/api/alice/tags", None).send().await.unwrap();
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn tags_endpoint_counts_follow_updates_and_deletes() {
    let app = spawn_app().await;
    let one = task_with(&app, "alice", "one", json!({ "tags": ["home", "errands"] })).await;
    let two = task_with(&app, "alice", "two", json!({ "tags": ["home", "work"] })).await;
    let three = task_with(&app, "alice", "three", json!({ "tags": ["Home"] })).await;
    assert_eq!(tag_summary(&tags_of(&app, "alice").await), summary(&[("errands", 1), ("home", 3), ("work", 1)]));

    patch_json(&app, "alice", id(&one), json!({ "tags": ["home"] })).await;
    assert_eq!(tag_summary(&tags_of(&app, "alice").await), summary(&[("home", 3), ("work", 1)]));

    assert_eq!(app.delete("alice", id(&three)).await.status(), 204);
    assert_eq!(tag_summary(&tags_of(&app, "alice").await), summary(&[("home", 2), ("work", 1)]));

    update_json(&app, Method::PUT, "alice", id(&two), json!({ "tags": ["Garden"] })).await;
    assert_eq!(tag_summary(&tags_of(&app, "alice").await), summary(&[("garden", 1), ("home", 1)]));

    patch_json(&app, "alice", id(&one), json!({ "tags": [] })).await;
    assert_eq!(app.delete("alice", id(&two)).await.status(), 204);
    assert_eq!(tags_of(&app, "alice").await, Vec::<Value>::new());
}
