//! One user cannot take the store from everyone else: caps on the tasks one
//! user keeps and on the searches one user runs at once.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    assert_problem, fresh_store, insert_raw_tasks, spawn_app_on, spawn_app_with, Options, RawTask, TestApp,
};

fn with_args(args: &[&str]) -> Options {
    Options { args: args.iter().map(|a| (*a).to_owned()).collect(), ..Options::default() }
}

#[tokio::test]
async fn a_create_past_the_tasks_one_user_may_keep_is_422_and_others_are_unaffected() {
    let app = spawn_app_with(with_args(&["--max-tasks-per-user=3"])).await;
    for i in 0..3 {
        app.create_ok("alice", &format!("task {i}")).await;
    }
    let problem = assert_problem(app.create("alice", json!({ "title": "one too many" })).await, 422).await;
    assert!(problem["detail"].as_str().unwrap().contains("as many as one person may keep"), "{problem}");
    assert_eq!(app.all_tasks("alice").await.len(), 3, "nothing stored");
    app.create_ok("bob", "bob has room").await;
    // Deleting one makes room again.
    let first = app.all_tasks("alice").await[0].id;
    assert_eq!(app.delete("alice", first).await.status(), 204);
    app.create_ok("alice", "room again").await;
}

#[tokio::test]
async fn the_cap_counts_every_task_however_it_was_written_or_removed() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    // Written straight into the store (a bulk load, an older release): counted too.
    insert_raw_tasks(&store.db, "alice", many_long_tasks(2)).await;
    let app = spawn_app_on(store, with_args(&["--max-tasks-per-user=4"])).await;
    let due = json!({ "title": "Standup", "due_at": "2026-03-23T08:00:00Z", "recurrence": "FREQ=DAILY" });
    let standup: serde_json::Value = app.create("alice", due).await.json().await.unwrap();
    let id = standup["id"].as_i64().unwrap();
    // Completing it makes its next occurrence (never refused for the cap): 4 kept.
    assert_eq!(app.complete("alice", id, Some(json!({ "completed": true }))).await.status(), 200);
    assert_eq!(app.all_tasks("alice").await.len(), 4);
    assert_eq!(app.create("alice", json!({ "title": "one too many" })).await.status(), 422);
    // Un-completing takes the untouched occurrence back: room for one.
    assert_eq!(app.complete("alice", id, Some(json!({ "completed": false }))).await.status(), 200);
    app.create_ok("alice", "room again").await;
    assert_eq!(app.create("alice", json!({ "title": "and again too many" })).await.status(), 422);
}

/// `count` tasks with long text, written straight into the store (the API would take minutes).
fn many_long_tasks(count: usize) -> Vec<RawTask> {
    let text = "lorem ipsum dolor sit amet ".repeat(36);
    (0..count)
        .map(|i| {
            let title = format!("task {i} {}", &text[..150]);
            RawTask {
                title_folded: title.clone(),
                title,
                description: Some(text.clone()),
                description_folded: Some(text.clone()),
            }
        })
        .collect()
}

async fn search(app: &TestApp, user: &str, q: &str) -> reqwest::Response {
    app.list(user, &format!("?q={q}&limit=5")).await
}

#[tokio::test]
async fn a_user_running_as_many_searches_as_allowed_gets_429_for_the_next_and_others_search_on() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    insert_raw_tasks(&store.db, "alice", many_long_tasks(4000)).await;
    let app = spawn_app_on(store, with_args(&["--max-searches-per-user=1"])).await;

    // Searches for two letters no task holds (too short for the search index)
    // read every one of alice's tasks; sent at once, they overlap, and only one
    // may run. (Longer text the index answers at once, too quickly to overlap
    // reliably on a quiet machine.)
    let token = app.token("alice");
    let mut searches = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = app.request(Method::GET, "/api/alice/tasks?q=zq&limit=5", Some(&token));
        searches.spawn(async move { request.send().await.unwrap() });
    }
    let answers = searches.join_all().await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 200 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(statuses.contains(&429), "the searches overlapped, so some were refused: {statuses:?}");
    for refused in answers.into_iter().filter(|r| r.status() == 429) {
        assert_eq!(refused.headers()["retry-after"], "1");
        let problem = assert_problem(refused, 429).await;
        assert!(problem["detail"].as_str().unwrap().contains("searches running"), "{problem}");
    }
    // Another user's search is never refused for alice's, and alice may search again once hers ended.
    assert_eq!(search(&app, "bob", "milk").await.status(), 200);
    assert_eq!(search(&app, "alice", "task%201%20").await.status(), 200);
}

/// The median of `n` requests for bob's short list, in microseconds.
async fn bobs_list_median(app: &TestApp, n: usize) -> u128 {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = std::time::Instant::now();
        let response = app.list("bob", "?limit=5").await;
        assert_eq!(response.status(), 200);
        response.bytes().await.unwrap();
        times.push(started.elapsed().as_micros());
    }
    times.sort_unstable();
    times[n / 2]
}

#[tokio::test]
async fn another_users_list_stays_fast_while_one_user_searches_without_pause() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    insert_raw_tasks(&store.db, "alice", many_long_tasks(5000)).await;
    let app = std::sync::Arc::new(spawn_app_on(store, Options::default()).await);
    for i in 0..5 {
        app.create_ok("bob", &format!("bob's task {i}")).await;
    }
    let quiet = bobs_list_median(&app, 40).await;

    // Alice searches without pause, as many at once as she may, for two letters
    // no task holds: too short for the index, so every one of her tasks is read.
    // (Longer text the index answers at once.)
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut searchers = tokio::task::JoinSet::new();
    for q in ["zq", "xj"] {
        let (app, stop) = (app.clone(), stop.clone());
        searchers.spawn(async move {
            let mut answered = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let response = search(&app, "alice", q).await;
                assert_eq!(response.status(), 200, "{q}");
                assert_eq!(response.text().await.unwrap(), "[]");
                answered += 1;
            }
            answered
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let loaded = bobs_list_median(&app, 40).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answered = searchers.join_all().await;
    assert!(answered.iter().all(|n| *n > 0), "both kinds of search ran: {answered:?}");

    // Measured against itself, not a clock. Queued behind her searches (before
    // they had threads of their own), bob's list waited for whole searches:
    // 16 times its quiet time on a two-core machine.
    eprintln!("bob's list: {quiet} µs quiet, {loaded} µs while alice searches; searches answered {answered:?}");
    assert!(loaded <= quiet * 6, "bob's list took {loaded} µs under alice's searches, {quiet} µs without");
}
