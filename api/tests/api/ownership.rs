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

/// Every route and method, reached with bob's token through every spelling of
/// alice's path, and through bob's own path with alice's task id. OWASP API1:2023
/// (Broken Object Level Authorization).
#[tokio::test]
async fn ownership_matrix_refuses_every_route_and_spelling() {
    let app = spawn_app().await;
    let mut alice_tasks = Vec::new();
    for title in ["one", "two"] {
        alice_tasks.push(app.create_ok("alice", title).await);
    }
    let done = app.complete("alice", alice_tasks[1].id, None).await.json::<todo_api::tasks::model::Task>().await.unwrap();
    alice_tasks[1] = done;
    let before = app.all_tasks("alice").await;
    let bob = app.token("bob");
    let id = alice_tasks[0].id;

    let spellings_of_alice = [
        "alice", "%61lice", "%61%6c%69%63%65", "ALICE", "Alice", "alice%20", "%20alice", "alice%00",
        "%E2%80%8Balice", "%EF%BD%81lice", "alice%2F", "alice;bob", "alice%3Bbob", "bob%2F..%2Falice", "..%2Falice", "%FF", "alice%FF",
    ];
    let routes = |user: &str, id: i64| -> Vec<(Method, String, Option<serde_json::Value>)> {
        vec![
            (Method::GET, format!("/api/{user}/tasks"), None),
            (Method::GET, format!("/api/{user}/tasks?q=one"), None),
            (Method::POST, format!("/api/{user}/tasks"), Some(json!({ "title": "planted" }))),
            (Method::GET, format!("/api/{user}/tasks/{id}"), None),
            (Method::PUT, format!("/api/{user}/tasks/{id}"), Some(json!({ "title": "hijacked", "completed": true }))),
            (Method::PATCH, format!("/api/{user}/tasks/{id}"), Some(json!({ "description": "hijacked" }))),
            (Method::DELETE, format!("/api/{user}/tasks/{id}"), None),
            (Method::PATCH, format!("/api/{user}/tasks/{id}/complete"), None),
            (Method::PATCH, format!("/api/{user}/tasks/{id}/complete"), Some(json!({ "completed": false }))),
        ]
    };

    let mut attempts = 0;
    for spelling in spellings_of_alice {
        for (method, path, body) in routes(spelling, id) {
            let mut request = app.request(method.clone(), &path, Some(&bob));
            if let Some(body) = body {
                request = request.json(&body);
            }
            let status = request.send().await.unwrap().status().as_u16();
            assert!(matches!(status, 403 | 404), "{method} {path} with bob's token: {status}");
            attempts += 1;
        }
    }
    // Bob's own path, alice's task ids (also written with leading zeros and a sign).
    for task in &alice_tasks {
        for id_spelling in [task.id.to_string(), format!("0{}", task.id), format!("+{}", task.id)] {
            for (method, path, body) in routes("bob", 0) {
                let path = path.replace("/0", &format!("/{id_spelling}"));
                if !path.contains(&id_spelling) {
                    continue;
                }
                let mut request = app.request(method.clone(), &path, Some(&bob));
                if let Some(body) = body {
                    request = request.json(&body);
                }
                let status = request.send().await.unwrap().status().as_u16();
                assert_eq!(status, 404, "{method} {path}");
                attempts += 1;
            }
        }
    }
    assert!(attempts > 150);

    // Compared field by field: title, description, completed, timestamps, owner.
    let after = app.all_tasks("alice").await;
    assert_eq!(after, before);
    assert!(app.all_tasks("bob").await.is_empty(), "nothing was planted anywhere");
}
