//! Search (`q`) through the substring index: the same answers whichever way the
//! store finds them, and the index follows every write.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use todo_api::db::Db;
use todo_api::tasks::model::Task;

use crate::helpers::{
    fresh_store, insert_raw_tasks, spawn_app_on, spawn_app_on_db, spawn_app_with, walk, Options, RawTask, TestApp,
};

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

/// Sorted, to compare sets of titles.
async fn found_sorted(app: &TestApp, user: &str, q: &str) -> Vec<String> {
    let mut titles = found(app, user, q, "").await;
    titles.sort();
    titles
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_committed_together_are_all_searchable_as_soon_as_they_are_answered() {
    // SQLite feeds the search index once per batch of writes (0011_search_queue.sql):
    // with the writer held, the requests below queue up and commit as one batch,
    // creates, renames and deletes mixed, two renames of one task among them.
    let store = fresh_store().await;
    let db = store.db.clone();
    let app = spawn_app_on(store, Options::default()).await;
    let mut plants = Vec::new();
    for i in 0..12 {
        plants.push(app.create_ok("alice", &format!("Plant {i:02}")).await);
    }
    app.create_ok("bob", "Plant of bob").await;

    let held = hold_the_writer(&db);
    let mut requests = tokio::task::JoinSet::new();
    let client = std::sync::Arc::new(app);
    for i in 0..16 {
        let app = client.clone();
        requests
            .spawn(async move { app.create("alice", json!({ "title": format!("Seedling {i:02}") })).await.status() });
    }
    for task in &plants[..4] {
        let (app, id, title) = (client.clone(), task.id, task.title.replace("Plant", "Cutting"));
        requests.spawn(async move { app.update(Method::PATCH, "alice", id, json!({ "title": title })).await.status() });
    }
    for task in &plants[4..8] {
        let (app, id) = (client.clone(), task.id);
        requests.spawn(async move { app.delete("alice", id).await.status() });
    }
    // Renamed twice in the batch: the index must forget the first new title too.
    let twice = plants[8].id;
    for title in ["Sprout once", "Sprout twice"] {
        let app = client.clone();
        requests
            .spawn(async move { app.update(Method::PATCH, "alice", twice, json!({ "title": title })).await.status() });
    }
    held.await.unwrap();
    for status in requests.join_all().await {
        assert!(status.is_success(), "{status}");
    }
    let app = &*client;

    let seedlings: Vec<String> = (0..16).map(|i| format!("Seedling {i:02}")).collect();
    assert_eq!(found_sorted(app, "alice", "seedling").await, seedlings);
    let cuttings: Vec<String> = (0..4).map(|i| format!("Cutting {i:02}")).collect();
    assert_eq!(found_sorted(app, "alice", "cutting").await, cuttings);
    let plants_left: Vec<String> = (9..12).map(|i| format!("Plant {i:02}")).collect();
    assert_eq!(found_sorted(app, "alice", "plant").await, plants_left, "renamed and deleted ones are gone");
    let sprout = app.get("alice", twice).await.json::<Task>().await.unwrap().title;
    assert_eq!(found_sorted(app, "alice", "sprout").await, [sprout.as_str()]);
    let other = if sprout == "Sprout once" { "twice" } else { "once" };
    assert!(found(app, "alice", other, "").await.is_empty(), "the title in between is forgotten");
    assert_eq!(found(app, "bob", "plant", "").await, ["Plant of bob"]);
}

/// Occupies the store's writer for a moment (SQLite), so the writes sent meanwhile
/// queue up behind it and commit together.
fn hold_the_writer(db: &Db) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    let held = tokio::spawn(async move {
        if let Db::Sqlite(store) = db {
            let hold = || {
                std::thread::sleep(Duration::from_millis(500));
                rusqlite::Result::Ok(())
            };
            store.write(move |_| hold()).await.unwrap();
        }
    });
    std::thread::sleep(Duration::from_millis(50));
    held
}

#[tokio::test]
async fn changes_a_hand_edit_left_in_the_search_queue_are_searchable_after_a_restart_on_sqlite() {
    // The sqlite3 shell fires the same triggers as the API, which queue the change
    // for the index; only the API feeds the queue into it, and it does at start.
    let store = fresh_store().await;
    let url = store.url.clone();
    let Db::Sqlite(sqlite) = &store.db else { panic!("a SQLite test (the PostgreSQL run skips it by its name)") };
    let path = sqlite.path().to_owned();
    let app = spawn_app_on(store, Options::default()).await;
    let kept = app.create_ok("alice", "Fern by the window").await;
    let renamed = app.create_ok("alice", "Fern in the hall").await;
    let deleted = app.create_ok("alice", "Fern on the desk").await;

    let shell = rusqlite::Connection::open(&path).unwrap();
    shell
        .execute_batch(&format!(
            "INSERT INTO tasks (user_id, title, title_folded, completed, created_at, updated_at) \
             VALUES ('alice', 'Fern in the attic', 'fern in the attic', FALSE, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'); \
             UPDATE tasks SET title = 'Palm in the hall', title_folded = 'palm in the hall' WHERE id = {}; \
             DELETE FROM tasks WHERE id = {};",
            renamed.id, deleted.id
        ))
        .unwrap();
    let queued: i64 = shell.query_row("SELECT count(*) FROM search_queue", [], |row| row.get(0)).unwrap();
    assert_eq!(queued, 4, "insert, then the rename's delete and insert, then the delete");
    drop(shell);

    let restarted = spawn_app_on_db(
        Db::connect(&url, 4).unwrap(),
        &url,
        Options { secret: Some(app.secret.clone()), ..Options::default() },
    )
    .await;
    let mut ferns = vec![kept.title, "Fern in the attic".to_owned()];
    ferns.sort();
    assert_eq!(found_sorted(&restarted, "alice", "fern").await, ferns);
    assert_eq!(found(&restarted, "alice", "palm", "").await, ["Palm in the hall"]);
    assert!(found(&restarted, "alice", "desk", "").await.is_empty());
    assert!(found(&restarted, "alice", "fern%20in%20the%20hall", "").await.is_empty());
}
