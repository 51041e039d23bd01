//! Two users: every operation on the other's tasks is refused and changes nothing.

use reqwest::Method;
use serde_json::{json, Value};
use todo_api::tasks::model::Task;

use crate::helpers::{assert_problem, spawn_app, TestApp};

/// What alice has, as bob must never see it: her tasks and her tag list, and the
/// words in them that would show in a body that leaked them.
struct AliceSecrets {
    tasks: Vec<Task>,
    tags: Value,
    lists: Value,
    words: Vec<&'static str>,
}

/// Gives alice tagged tasks (one completed), so every field and the tag list have
/// something to leak or to lose.
async fn give_alice_tagged_tasks(app: &TestApp) -> AliceSecrets {
    // Words no error message would contain, so finding one in a body means a leak.
    let list = app.create_list("alice", json!({ "name": "Alice's Wombat list", "color": "teal" })).await;
    assert_eq!(list.status(), 201);
    let list: Value = list.json().await.unwrap();
    let tasks = [
        ("Alice's Zanzibar plan", "Zanzibar-Trip", "behind the aquarium"),
        ("Alice's Quokka fund", "Quokka-Fund", "under the periwinkle"),
    ];
    for (title, tag, description) in tasks {
        let body = json!({ "title": title, "description": description, "tags": [tag], "list_id": list["id"] });
        let response = app.create("alice", body).await;
        assert_eq!(response.status(), 201, "creating {title:?}");
    }
    let second = app.all_tasks("alice").await[1].id;
    assert_eq!(app.complete("alice", second, None).await.status(), 200);
    AliceSecrets {
        tasks: app.all_tasks("alice").await,
        tags: app.tags_ok("alice").await,
        lists: serde_json::to_value(app.lists_ok("alice").await).unwrap(),
        words: vec!["zanzibar", "quokka", "aquarium", "periwinkle", "wombat"],
    }
}

impl AliceSecrets {
    /// Asserts that a body sent to bob shows none of alice's words.
    fn assert_not_in(&self, body: &str, what: &str) {
        let body_folded = body.to_lowercase();
        for word in &self.words {
            assert!(!body_folded.contains(word), "{what} leaks {word:?}: {body}");
        }
    }

    /// Asserts that alice's tasks, field by field, and her tag list are as they were.
    async fn assert_unchanged(&self, app: &TestApp) {
        assert_eq!(app.all_tasks("alice").await, self.tasks);
        assert_eq!(app.tags_ok("alice").await, self.tags, "alice's tag list");
        assert_eq!(serde_json::to_value(app.lists_ok("alice").await).unwrap(), self.lists, "alice's lists");
    }
}

#[tokio::test]
async fn another_users_path_is_403_for_every_route_and_changes_nothing() {
    let app = spawn_app().await;
    let alice = give_alice_tagged_tasks(&app).await;
    let bob = app.token("bob");
    let id = alice.tasks[0].id;
    let attempts = [
        (Method::GET, "/api/alice/tasks".to_owned(), None),
        (Method::POST, "/api/alice/tasks".to_owned(), Some(json!({ "title": "planted", "tags": ["planted"] }))),
        (Method::GET, format!("/api/alice/tasks/{id}"), None),
        (Method::PUT, format!("/api/alice/tasks/{id}"), Some(json!({ "title": "hijacked" }))),
        (Method::PATCH, format!("/api/alice/tasks/{id}"), Some(json!({ "completed": true }))),
        (Method::PATCH, format!("/api/alice/tasks/{id}"), Some(json!({ "tags": ["hijacked"] }))),
        (Method::DELETE, format!("/api/alice/tasks/{id}"), None),
        (Method::PATCH, format!("/api/alice/tasks/{id}/complete"), None),
        (Method::GET, "/api/alice/tags".to_owned(), None),
        (Method::GET, "/api/alice/lists".to_owned(), None),
        (Method::POST, "/api/alice/lists".to_owned(), Some(json!({ "name": "planted" }))),
        (Method::POST, format!("/api/alice/tasks/{id}/move"), Some(json!({ "after": null }))),
    ];
    for (method, path, body) in attempts {
        let mut request = app.request(method.clone(), &path, Some(&bob));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let problem = assert_problem(request.send().await.unwrap(), 403).await;
        alice.assert_not_in(&problem.to_string(), &format!("{method} {path}"));
    }
    alice.assert_unchanged(&app).await;
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
    let alice = give_alice_tagged_tasks(&app).await;
    let bob = app.token("bob");
    let id = alice.tasks[0].id;

    let spellings_of_alice = [
        "alice",
        "%61lice",
        "%61%6c%69%63%65",
        "ALICE",
        "Alice",
        "alice%20",
        "%20alice",
        "alice%00",
        "%E2%80%8Balice",
        "%EF%BD%81lice",
        "alice%2F",
        "alice;bob",
        "alice%3Bbob",
        "bob%2F..%2Falice",
        "..%2Falice",
        "%FF",
        "alice%FF",
    ];
    let routes = |user: &str, id: i64| -> Vec<(Method, String, Option<Value>)> {
        vec![
            (Method::GET, format!("/api/{user}/tasks"), None),
            (Method::GET, format!("/api/{user}/tasks?q=zanzibar"), None),
            (Method::GET, format!("/api/{user}/tasks?tag=Zanzibar-Trip"), None),
            (Method::POST, format!("/api/{user}/tasks"), Some(json!({ "title": "planted", "tags": ["planted"] }))),
            (Method::GET, format!("/api/{user}/tasks/{id}"), None),
            (Method::PUT, format!("/api/{user}/tasks/{id}"), Some(json!({ "title": "hijacked", "completed": true }))),
            (Method::PATCH, format!("/api/{user}/tasks/{id}"), Some(json!({ "description": "hijacked" }))),
            (Method::PATCH, format!("/api/{user}/tasks/{id}"), Some(json!({ "tags": ["hijacked"] }))),
            (Method::DELETE, format!("/api/{user}/tasks/{id}"), None),
            (Method::PATCH, format!("/api/{user}/tasks/{id}/complete"), None),
            (Method::PATCH, format!("/api/{user}/tasks/{id}/complete"), Some(json!({ "completed": false }))),
            (Method::GET, format!("/api/{user}/tags"), None),
            (Method::POST, format!("/api/{user}/tasks/{id}/move"), Some(json!({ "after": null }))),
            (Method::POST, format!("/api/{user}/tasks/{id}/move"), Some(json!({ "list_id": null, "after": null }))),
            (Method::GET, format!("/api/{user}/lists"), None),
            (Method::POST, format!("/api/{user}/lists"), Some(json!({ "name": "planted" }))),
            (Method::GET, format!("/api/{user}/lists/{id}"), None),
            (Method::PATCH, format!("/api/{user}/lists/{id}"), Some(json!({ "name": "hijacked" }))),
            (Method::DELETE, format!("/api/{user}/lists/{id}"), None),
            (Method::DELETE, format!("/api/{user}/lists/{id}?tasks=delete"), None),
            (Method::POST, format!("/api/{user}/lists/{id}/move"), Some(json!({ "after": null }))),
        ]
    };
    let send = |method: Method, path: String, body: Option<Value>| {
        let mut request = app.request(method, &path, Some(&bob));
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    let mut attempts = 0;
    for spelling in spellings_of_alice {
        for (method, path, body) in routes(spelling, id) {
            let (status, body) = send(method.clone(), path.clone(), body).await;
            // Every spelling reaches a route whose {user_id} is not bob: 403 (SPEC), not
            // 404, which would also be what a missing route (say, /tags) answers.
            assert_eq!(status, 403, "{method} {path} with bob's token");
            alice.assert_not_in(&body, &format!("{method} {path}"));
            attempts += 1;
        }
    }
    // Bob's own path, alice's task and list ids (also written with leading zeros and a sign).
    let list_ids = alice.lists["lists"].as_array().unwrap().iter().map(|l| l["id"].as_i64().unwrap());
    for id in alice.tasks.iter().map(|t| t.id).chain(list_ids) {
        for id_spelling in [id.to_string(), format!("0{id}"), format!("+{id}")] {
            for (method, path, body) in routes("bob", 0) {
                let path = path.replace("/0", &format!("/{id_spelling}"));
                if !path.contains(&id_spelling) {
                    continue;
                }
                let (status, body) = send(method.clone(), path.clone(), body).await;
                assert_eq!(status, 404, "{method} {path}");
                alice.assert_not_in(&body, &format!("{method} {path}"));
                attempts += 1;
            }
        }
    }
    assert!(attempts > 200, "{attempts}");

    // Compared field by field: title, description, completed, tags, timestamps, owner.
    alice.assert_unchanged(&app).await;
    assert!(app.all_tasks("bob").await.is_empty(), "nothing was planted anywhere");
    assert!(app.lists_ok("bob").await.lists.is_empty(), "no list was planted");
    assert_eq!(app.tags_ok("bob").await, json!([]), "no tag of alice's (or planted) shows in bob's list");
}
