//! Two users: every operation on the other's tasks is refused and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn another_users_path_is_403_for_every_route_and_changes_nothing() {
    let app = spawn_app().await;
    let task = app.create_ok("alice", "Alice's").await;
    let before = app.all_tasks("alice").await;
    let bob = app.token("bob");
    let id = task.id;
    let attempts = [
        (Method::GET, "/api/alice/tasks".to_owned(), None),
        (Method::POST, "/api/alice/tasks".to_owned(), Some(json!({ "title": "planted" }))),
        (Method::GET, format!("/api/alice/tasks/{id}"), None),
        (Method::PUT, format!("/api/alice/tasks/{id}"), Some(json!({ "title": "hijacked" }))),
        (Method::PATCH, format!("/api/alice/tasks/{id}"), Some(json!({ "completed": true }))),
        (Method::DELETE, format!("/api/alice/tasks/{id}"), None),
        (Method::PATCH, format!("/api/alice/tasks/{id}/complete"), None),
    ];
    for (method, path, body) in attempts {
        let mut request = app.request(method.clone(), &path, Some(&bob));
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert_problem(request.send().await.unwrap(), 403).await;
    }
    assert_eq!(app.all_tasks("alice").await, before);
}

#[tokio::test]
async fn another_users_task_id_under_your_own_path_is_404_and_changes_nothing() {
    let app = spawn_app().await;
    let task = app.create_ok("alice", "Alice's").await;
    let before = app.all_tasks("alice").await;
    assert_problem(app.get("bob", task.id).await, 404).await;
    assert_problem(app.update(Method::PUT, "bob", task.id, json!({ "title": "mine now" })).await, 404).await;
    assert_problem(app.update(Method::PATCH, "bob", task.id, json!({ "completed": true })).await, 404).await;
    assert_problem(app.complete("bob", task.id, None).await, 404).await;
    assert_problem(app.delete("bob", task.id).await, 404).await;
    assert!(app.all_tasks("bob").await.is_empty());
    assert_eq!(app.all_tasks("alice").await, before);
}

#[tokio::test]
async fn the_body_cannot_choose_the_owner() {
    let app = spawn_app().await;
    assert_problem(app.create("bob", json!({ "title": "x", "user_id": "alice" })).await, 422).await;
    assert!(app.all_tasks("alice").await.is_empty());
}
