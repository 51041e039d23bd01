//! Search (`q`) through the substring index: the same answers whichever way the
//! store finds them, and the index follows every write.

use reqwest::Method;
use serde_json::json;

use todo_api::tasks::model::Task;

use crate::helpers::{fresh_store, insert_raw_tasks, spawn_app_on, spawn_app_with, walk, Options, RawTask, TestApp};

fn raw(title: &str, description: Option<&str>) -> RawTask {
    RawTask {
        title: title.to_owned(),
        title_folded: title.to_lowercase(),
        description: description.map(str::to_owned),
        description_folded: description.map(str::to_lowercase),
    }
}

/// Every task of `user` that `q` finds, over all pages, with `query` beside it.
async fn found(app: &TestApp, user: &str, q: &str, query: &str) -> Vec<String> {
    let pages: Vec<Vec<Task>> = walk(app, user, &format!("?q={q}{query}"), async |_| {}).await;
    pages.into_iter().flatten().map(|t| t.title).collect()
}

#[tokio::test]
async fn a_search_finds_the_same_tasks_whether_few_or_many_hold_the_text_or_it_is_shorter_than_three_characters() {
    // SQLite reads the few through its trigram index and the many (over 500) or
    // the short by stepping through the user's tasks; PostgreSQL's planner chooses.
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    let mut alice = Vec::new();
    for i in 0..2300 {
        let description = (i % 500 == 7).then_some("needle in the description");
        alice.push(raw(&format!("Common chore {i:04}"), description));
    }
    alice.push(raw("Needle and thread", None));
    alice.push(raw("a \"quoted\" needle", Some("say \"hi\"")));
    insert_raw_tasks(&store.db, "alice", alice).await;
    // Bob's tasks hold the same words: none of them may show up for alice.
    insert_raw_tasks(&store.db, "bob", vec![raw("Needle for bob", None), raw("Common chore of bob", None)]).await;
    let app = spawn_app_on(store, Options::default()).await;

    let needles = found(&app, "alice", "NEEDLE", "&limit=2&sort=title&order=asc").await;
    assert_eq!(
        needles,
        [
            "a \"quoted\" needle",
            "Common chore 0007",
            "Common chore 0507",
            "Common chore 1007",
            "Common chore 1507",
            "Common chore 2007",
            "Needle and thread"
        ]
    );
    let quoted = found(&app, "alice", "%22hi%22", "").await;
    assert_eq!(quoted, ["a \"quoted\" needle"], "a double quote is text, not FTS5 syntax");

    let common = found(&app, "alice", "chore", "&limit=200&sort=title&order=asc").await;
    let expected: Vec<String> = (0..2300).map(|i| format!("Common chore {i:04}")).collect();
    assert_eq!(common, expected, "2,300 matches, every page once, in order");

    // Two characters: no trigram to look up.
    let short = found(&app, "alice", "ee", "&limit=100&sort=title&order=asc").await;
    assert_eq!(short, needles);
    let narrowed = found(&app, "alice", "chore%2012", "&limit=7&order=asc").await;
    let expected: Vec<String> = (1200..1300).map(|i| format!("Common chore {i:04}")).collect();
    assert_eq!(narrowed, expected);
    assert!(found(&app, "alice", "nowhere%20to%20be%20found", "").await.is_empty());
    assert!(found(&app, "carol", "needle", "").await.is_empty(), "a user without tasks");
}

#[tokio::test]
async fn the_search_index_follows_creates_edits_completions_and_deletes() {
    let app = spawn_app_with(Options::default()).await;
    let titles = async |q: &str| -> Vec<String> { found(&app, "alice", q, "").await };
    let milk = app.create_ok("alice", "Buy milk").await;
    app.create_ok("bob", "Bob's milk").await;
    assert_eq!(titles("milk").await, ["Buy milk"]);

    let renamed = app.update(Method::PATCH, "alice", milk.id, json!({ "title": "Buy bread" })).await;
    assert_eq!(renamed.status(), 200);
    assert!(titles("milk").await.is_empty(), "the old title is no longer found");
    assert_eq!(titles("bread").await, ["Buy bread"]);

    let described = app.update(Method::PATCH, "alice", milk.id, json!({ "description": "oat milk, 2 l" })).await;
    assert_eq!(described.status(), 200);
    assert_eq!(titles("OAT%20MILK").await, ["Buy bread"]);
    let cleared = app.update(Method::PUT, "alice", milk.id, json!({ "description": null })).await;
    assert_eq!(cleared.status(), 200);
    assert!(titles("oat").await.is_empty());

    // An occurrence created by completing a repeating task is found too.
    let weekly = app
        .create(
            "alice",
            json!({ "title": "Water the ficus", "due_at": "2026-12-07T09:00:00Z", "recurrence": "FREQ=WEEKLY" }),
        )
        .await;
    assert_eq!(weekly.status(), 201);
    let weekly: Task = weekly.json().await.unwrap();
    assert_eq!(app.complete("alice", weekly.id, None).await.status(), 200);
    assert_eq!(titles("ficus").await, ["Water the ficus", "Water the ficus"]);

    assert_eq!(app.delete("alice", milk.id).await.status(), 204);
    assert!(titles("bread").await.is_empty(), "a deleted task is not found");
    assert_eq!(found(&app, "bob", "milk", "").await, ["Bob's milk"]);
}
