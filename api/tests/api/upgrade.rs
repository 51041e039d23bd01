//! Rows written under older rules are brought to today's at start, once.

use todo_api::db::Db;
use todo_api::tasks::store::{upgrade_text, UpgradeReport};

use crate::helpers::{fresh_store, insert_raw_tasks, spawn_app_on, Options, RawTask, Store};

/// A task as an older release could have written it: any text, folded by lower-casing only.
fn old_row(title: &str, description: Option<&str>) -> RawTask {
    RawTask {
        title: title.to_owned(),
        title_folded: title.to_lowercase(),
        description: description.map(str::to_owned),
        description_folded: description.map(str::to_lowercase),
    }
}

#[tokio::test]
async fn older_rows_are_repaired_refolded_and_searchable_and_the_upgrade_runs_once() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    let old_rows = vec![
        old_row("\u{1b}[31mPay rent\u{1b}[0m", Some("line\r\nbreak")),
        old_row("\u{200B}", None),
        old_row("Straße kehren", None),
        old_row("Milk", None),
    ];
    insert_raw_tasks(&store.db, "alice", old_rows).await;

    let report = upgrade_text(&store.db).await.unwrap();
    assert_eq!(report, UpgradeReport { repaired: 2, refolded: 1 });
    assert_eq!(upgrade_text(&store.db).await.unwrap(), UpgradeReport::default(), "once done, it is not run again");

    let app = spawn_app_on(store, Options::default()).await;
    let tasks = app.all_tasks("alice").await;
    let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["[31mPay rent[0m", "Untitled", "Straße kehren", "Milk"]);
    assert_eq!(tasks[0].description.as_deref(), Some("line\nbreak"));
    assert!(tasks.iter().all(|t| t.updated_at == t.created_at), "the person changed nothing");
    let found = app.list_ok("alice", "?q=STRASSE").await;
    assert_eq!(found.len(), 1, "refolded text is found by today's search");
    assert_eq!(found[0].title, "Straße kehren");
}

/// The schema as it was before migration `version`.
async fn migrate_before(store: &Store, version: i64) {
    let (mut migrator, sqlite) = match &store.db {
        Db::Sqlite(sqlite) => (sqlx::migrate!("migrations/sqlite"), Some(sqlite.path().to_owned())),
        Db::Postgres(_) => (sqlx::migrate!("migrations/postgres"), None),
    };
    migrator.migrations =
        migrator.migrations.iter().filter(|m| m.version < version).cloned().collect::<Vec<_>>().into();
    match (&store.db, sqlite) {
        (Db::Postgres(pool), _) => migrator.run(pool).await.unwrap(),
        (_, Some(path)) => {
            let pool =
                sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(path)).await.unwrap();
            migrator.run(&pool).await.unwrap();
            pool.close().await;
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn tasks_written_before_the_search_index_existed_are_found_through_it() {
    let store = fresh_store().await;
    migrate_before(&store, 4).await;
    let rows = (0..50).map(|i| old_row(&format!("Old task {i}"), (i == 7).then_some("the needle is here"))).collect();
    insert_raw_tasks(&store.db, "alice", rows).await;
    insert_raw_tasks(&store.db, "bob", vec![old_row("Bob's needle", None)]).await;
    store.db.migrate().await.unwrap();

    let app = spawn_app_on(store, Options::default()).await;
    let found = app.list_ok("alice", "?q=needle").await;
    assert_eq!(found.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Old task 7"]);
    assert_eq!(app.list_ok("alice", "?q=task%2042").await.len(), 1);
    assert_eq!(app.list_ok("bob", "?q=needle").await.len(), 1);
    // Tasks created now join the same index.
    app.create_ok("alice", "New needle").await;
    assert_eq!(app.list_ok("alice", "?q=needle").await.len(), 2);
}
