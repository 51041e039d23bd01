//! The six task endpoints doing what SPEC's table says.

use reqwest::Method;
use serde_json::json;
use todo_api::tasks::model::Task;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn create_returns_201_the_task_and_its_location() {
    let app = spawn_app().await;
    let response = app.create("alice", json!({ "title": "  Buy milk  ", "description": "2 litres" })).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let task: Task = response.json().await.unwrap();
    assert_eq!(location, format!("/api/alice/tasks/{}", task.id));
    assert_eq!(task.title, "Buy milk", "title is trimmed");
    assert_eq!(task.description.as_deref(), Some("2 litres"));
    assert_eq!(task.user_id, "alice");
    assert!(!task.completed);
    assert_eq!(task.created_at, task.updated_at);

    let fetched: Task =
        app.request(Method::GET, &location, Some(&app.token("alice"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(fetched, task);
}

#[tokio::test]
async fn task_json_has_exactly_the_contract_fields_with_rfc3339_utc_times() {
    let app = spawn_app().await;
    let body: serde_json::Value =
        app.create("alice", json!({ "title": "x", "completed": true })).await.json().await.unwrap();
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    // SPEC's Task, then the fields of "Organizing tasks".
    let mut contract = ["id", "user_id", "title", "description", "completed", "created_at", "updated_at"].to_vec();
    contract.extend([
        "priority",
        "tags",
        "due_at",
        "all_day",
        "time_zone",
        "recurrence",
        "remind_at",
        "next_occurrence_id",
    ]);
    // And of "Lists".
    contract.extend(["list_id", "position"]);
    contract.sort_unstable();
    assert_eq!(keys, contract);
    assert_eq!(body["completed"], true);
    assert!(body["description"].is_null());
    // What a task sent with a title alone gets: SPEC's defaults (priority none, zone UTC),
    // not all-day, and nothing scheduled.
    assert_eq!(body["priority"], "none");
    assert_eq!(body["tags"], json!([]));
    assert_eq!(body["time_zone"], "UTC");
    assert_eq!(body["all_day"], false);
    for unset in ["due_at", "recurrence", "remind_at", "next_occurrence_id"] {
        assert!(body[unset].is_null(), "{unset}: {body}");
    }
    let created = body["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z'), "{created}");
    chrono::DateTime::parse_from_rfc3339(created).unwrap();
}

/// A deleted task's id must never come back: a link, a bookmark or a cached copy of
/// the old task would then open a new one, maybe another user's. SQLite reuses the
/// largest rowid once its row is gone unless the key is AUTOINCREMENT; PostgreSQL's
/// identity never goes back. Deleting the newest task, then every task, catches both.
#[tokio::test]
async fn an_id_is_never_handed_out_twice_even_after_the_newest_task_is_deleted() {
    let app = spawn_app().await;
    let mut handed_out = Vec::new();
    for (user, title) in [("alice", "a"), ("bob", "b"), ("alice", "c"), ("bob", "d")] {
        handed_out.push((user, app.create_ok(user, title).await.id));
    }

    // The newest task overall ("d", bob's) goes; ids of deleted tasks stay in `handed_out`.
    let (newest_user, newest_id) = *handed_out.iter().max_by_key(|(_, id)| *id).unwrap();
    assert_eq!(app.delete(newest_user, newest_id).await.status(), 204);
    let next = app.create_ok("alice", "after deleting the newest").await;
    assert!(handed_out.iter().all(|(_, id)| next.id > *id), "{} reuses or undercuts {handed_out:?}", next.id);
    handed_out.push(("alice", next.id));

    // An empty table is where a rowid without AUTOINCREMENT starts again from 1.
    for user in ["alice", "bob"] {
        for task in app.all_tasks(user).await {
            assert_eq!(app.delete(user, task.id).await.status(), 204);
        }
    }
    for user in ["bob", "alice"] {
        let next = app.create_ok(user, "after deleting everything").await;
        assert!(handed_out.iter().all(|(_, id)| next.id > *id), "{} reuses or undercuts {handed_out:?}", next.id);
        handed_out.push((user, next.id));
    }

    let mut ids: Vec<i64> = handed_out.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), handed_out.len(), "ids are unique across users: {handed_out:?}");
    // The deleted newest id opens nothing, for its owner or anyone else.
    for user in ["alice", "bob"] {
        assert_problem(app.get(user, newest_id).await, 404).await;
    }
}

#[tokio::test]
async fn list_returns_only_the_callers_tasks_newest_first() {
    let app = spawn_app().await;
    let first = app.create_ok("alice", "first").await;
    app.create_ok("bob", "not yours").await;
    let second = app.create_ok("alice", "second").await;
    let tasks = app.list_ok("alice", "").await;
    assert_eq!(tasks.iter().map(|t| t.id).collect::<Vec<_>>(), [second.id, first.id]);
    assert!(app.list("alice", "").await.headers().get("link").is_none());
}

/// Asserts that `after` is `before` changed: same creation time, a strictly later
/// `updated_at`. Each change is compared with the one just before it, never with the
/// creation, so one that failed to move the time cannot hide behind an earlier one
/// that did. Two changes are a whole HTTP round trip apart, far more than the
/// microsecond the store keeps, so no sleep is needed, and none is used: a server
/// that wrote an equal or earlier time under load would be caught, not waited out.
fn assert_moved_on(before: &Task, after: &Task, change: &str) {
    assert_eq!(after.created_at, before.created_at, "{change}: created_at never changes");
    assert!(
        after.updated_at > before.updated_at,
        "{change}: updated_at must move forward, went from {} to {}",
        before.updated_at,
        after.updated_at
    );
}

#[tokio::test]
async fn put_and_patch_change_only_the_fields_sent_and_move_updated_at() {
    let app = spawn_app().await;
    let task: Task =
        app.create("alice", json!({ "title": "Draft", "description": "keep me" })).await.json().await.unwrap();

    let response = app.update(Method::PUT, "alice", task.id, json!({ "title": " Final " })).await;
    assert_eq!(response.status(), 200);
    let put: Task = response.json().await.unwrap();
    assert_eq!(put.title, "Final");
    assert_eq!(put.description.as_deref(), Some("keep me"));
    assert!(!put.completed);
    assert_moved_on(&task, &put, "PUT title");

    let patched: Task =
        app.update(Method::PATCH, "alice", task.id, json!({ "completed": true })).await.json().await.unwrap();
    assert!(patched.completed);
    assert_eq!(patched.title, "Final");
    assert_eq!(patched.description.as_deref(), Some("keep me"));
    assert_moved_on(&put, &patched, "PATCH completed");

    let cleared: Task =
        app.update(Method::PATCH, "alice", task.id, json!({ "description": null })).await.json().await.unwrap();
    assert_eq!(cleared.description, None, "null clears the description");
    assert_moved_on(&patched, &cleared, "PATCH description null");

    let reopened: Task = app
        .update(Method::PUT, "alice", task.id, json!({ "title": "Final", "completed": false }))
        .await
        .json()
        .await
        .unwrap();
    assert!(!reopened.completed);
    assert_moved_on(&cleared, &reopened, "PUT completed false");
    assert_eq!(
        app.get("alice", task.id).await.json::<Task>().await.unwrap(),
        reopened,
        "the stored task is the one returned"
    );
}

#[tokio::test]
async fn update_needs_at_least_one_field() {
    let app = spawn_app().await;
    let task = app.create_ok("alice", "x").await;
    let body = assert_problem(app.update(Method::PATCH, "alice", task.id, json!({})).await, 422).await;
    assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()));
    let body = assert_problem(app.update(Method::PUT, "alice", task.id, json!({ "title": "   " })).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "title");
    let body = assert_problem(
        app.update(Method::PATCH, "alice", task.id, json!({ "title": null, "completed": true })).await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "title", "only the description can be cleared with null");
    assert_eq!(app.get("alice", task.id).await.json::<Task>().await.unwrap(), task, "nothing changed");
}

#[tokio::test]
async fn complete_without_a_body_toggles_and_with_one_sets() {
    let app = spawn_app().await;
    let task = app.create_ok("alice", "x").await;
    let toggled: Task = app.complete("alice", task.id, None).await.json().await.unwrap();
    assert!(toggled.completed);
    assert_moved_on(&task, &toggled, "toggle to done");
    let toggled_back: Task = app.complete("alice", task.id, None).await.json().await.unwrap();
    assert!(!toggled_back.completed);
    assert_moved_on(&toggled, &toggled_back, "toggle back");

    let mut previous = toggled_back;
    for round in 0..2 {
        let set = app.complete("alice", task.id, Some(json!({ "completed": true }))).await;
        assert_eq!(set.status(), 200);
        let set: Task = set.json().await.unwrap();
        assert!(set.completed, "setting is idempotent");
        if round == 0 {
            assert_moved_on(&previous, &set, "set done");
        } else {
            // Setting what is already set changes nothing; the contract leaves open
            // whether that moves `updated_at`, but it never moves it back.
            assert_eq!(set.created_at, previous.created_at);
            assert!(set.updated_at >= previous.updated_at, "{} then {}", previous.updated_at, set.updated_at);
        }
        previous = set;
    }
    let unset: Task = app.complete("alice", task.id, Some(json!({ "completed": false }))).await.json().await.unwrap();
    assert!(!unset.completed);
    assert_moved_on(&previous, &unset, "set not done");

    let null_body = app
        .request(Method::PATCH, &format!("/api/alice/tasks/{}/complete", task.id), Some(&app.token("alice")))
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    let null_toggled: Task = null_body.json().await.unwrap();
    assert!(null_toggled.completed, "a null body toggles, like no body");
    assert_moved_on(&unset, &null_toggled, "toggle with a null body");
    assert_problem(app.complete("alice", task.id, Some(json!({ "completed": "yes" }))).await, 422).await;
    assert_problem(app.complete("alice", task.id, Some(json!({ "done": true }))).await, 422).await;
    assert_eq!(
        app.get("alice", task.id).await.json::<Task>().await.unwrap(),
        null_toggled,
        "refused bodies moved nothing"
    );
}

#[tokio::test]
async fn delete_returns_204_then_the_task_is_gone() {
    let app = spawn_app().await;
    let task = app.create_ok("alice", "x").await;
    let response = app.delete("alice", task.id).await;
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    assert_problem(app.get("alice", task.id).await, 404).await;
    assert_problem(app.delete("alice", task.id).await, 404).await;
    assert!(app.all_tasks("alice").await.is_empty());
}

#[tokio::test]
async fn missing_and_malformed_ids_are_404() {
    let app = spawn_app().await;
    let token = app.token("alice");
    assert_problem(app.get("alice", 999_999).await, 404).await;
    let task = app.create_ok("alice", "x").await;
    for path in [format!("/api/alice/tasks/+{}", task.id), format!("/api/alice/tasks/0{}", task.id)] {
        assert_problem(app.request(Method::GET, &path, Some(&token)).send().await.unwrap(), 404).await;
    }
    for path in [
        "/api/alice/tasks/abc",
        "/api/alice/tasks/1.5",
        "/api/alice/tasks/99999999999999999999999",
        "/api/alice/tasks/%00",
    ] {
        let response = app.request(Method::GET, path, Some(&token)).send().await.unwrap();
        assert_problem(response, 404).await;
    }
    assert_problem(app.update(Method::PATCH, "alice", 424242, json!({ "title": "x" })).await, 404).await;
    assert_problem(app.complete("alice", 424242, None).await, 404).await;
}

#[tokio::test]
async fn title_and_description_limits_count_characters() {
    let app = spawn_app().await;
    let ok = app.create("alice", json!({ "title": "é".repeat(200), "description": "ü".repeat(1000) })).await;
    assert_eq!(ok.status(), 201);

    let cases = [
        (json!({}), "title"),
        (json!({ "title": "" }), "title"),
        (json!({ "title": " \n\t " }), "title"),
        (json!({ "title": "x".repeat(201) }), "title"),
        (json!({ "title": "a\u{0}b" }), "title"),
        (json!({ "title": 5 }), "title"),
        (json!({ "title": null }), "title"),
        (json!({ "title": "ok", "description": "x".repeat(1001) }), "description"),
        (json!({ "title": "ok", "description": "\u{0}" }), "description"),
        (json!({ "title": "ok", "completed": "true" }), "completed"),
        (json!({ "title": "ok", "owner": "bob" }), "owner"),
        (json!({ "title": "ok", "user_id": "bob" }), "user_id"),
    ];
    for (body, field) in cases {
        let problem = assert_problem(app.create("alice", body.clone()).await, 422).await;
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{body} should name {field}, got {problem}");
    }
    assert_eq!(app.all_tasks("alice").await.len(), 1, "no refused body stored anything");
}

#[tokio::test]
async fn several_rule_breaks_are_reported_together() {
    let app = spawn_app().await;
    let problem =
        assert_problem(app.create("alice", json!({ "title": "", "description": "x".repeat(1001) })).await, 422).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "description"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_each_land_exactly_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let flipped = app.create_ok("alice", "flipped 31 times").await;
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..31 {
        let (creator, flipper) = (app.clone(), app.clone());
        requests.spawn(async move { creator.create("alice", json!({ "title": format!("task {n}") })).await.status() });
        requests.spawn(async move { flipper.complete("alice", flipped.id, None).await.status() });
    }
    let statuses = requests.join_all().await;
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 201).count(), 31, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 200).count(), 31, "{statuses:?}");

    let tasks = app.all_tasks("alice").await;
    let mut titles: Vec<_> = tasks.iter().map(|t| t.title.clone()).collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 32, "every create stored once");
    let flipped = tasks.iter().find(|t| t.id == flipped.id).unwrap();
    assert!(flipped.completed, "31 atomic flips from false end at true");
}

#[tokio::test]
async fn hostile_titles_and_descriptions_are_refused_naming_the_rule() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "title": "\u{1b}[31mred" }), "title", "control characters"),
        (json!({ "title": "ring\u{7}" }), "title", "control characters"),
        (json!({ "title": "two\nlines" }), "title", "control characters"),
        (json!({ "title": "invoice.\u{202E}fdp.exe" }), "title", "bidirectional overrides"),
        (json!({ "title": "\u{200B}\u{FEFF}" }), "title", "visible"),
        (json!({ "title": "ok", "description": "a\r\nb" }), "description", "control characters"),
        (json!({ "title": "ok", "description": "\u{2067}x" }), "description", "bidirectional overrides"),
    ];
    for (body, field, rule) in cases {
        let problem = assert_problem(app.create("alice", body.clone()).await, 422).await;
        let error = &problem["errors"][0];
        assert_eq!(error["field"], field, "{body}");
        assert!(error["message"].as_str().unwrap().contains(rule), "{body}: {error}");
    }
    assert!(app.all_tasks("alice").await.is_empty(), "nothing stored");
    let fine = app.create("alice", json!({ "title": "Zürich → עברית 🥛", "description": "tabs\tand\nnewlines" })).await;
    assert_eq!(fine.status(), 201);
}
