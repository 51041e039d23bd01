//! Rows written under older rules are brought to today's at start, once.

use todo_api::db::Db;
use todo_api::tasks::model::Task;
use todo_api::tasks::store::{upgrade_stored_tasks, UpgradeReport};

use crate::helpers::{fresh_store, insert_raw_tasks, spawn_app_on, walk, Options, RawTask, Store};

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

    let report = upgrade_stored_tasks(&store.db).await.unwrap();
    assert_eq!(report, UpgradeReport { repaired: 2, refolded: 1, restamped: 0, dated: 0 });
    assert_eq!(
        upgrade_stored_tasks(&store.db).await.unwrap(),
        UpgradeReport::default(),
        "once done, it is not run again"
    );

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
    // Migration 0010 kept every older task, in the Inbox, newest first, each
    // with a place of its own (the new one goes before them all).
    let inbox = app.list_ok("alice", "?list=inbox&sort=position&limit=200").await;
    assert_eq!(inbox.len(), 51);
    assert_eq!(inbox[0].title, "New needle");
    assert_eq!(inbox[1].title, "Old task 49");
    assert_eq!(inbox[50].title, "Old task 0");
    assert!(inbox.iter().all(|t| t.list_id.is_none()));
    let lists = app.lists_ok("alice").await;
    assert_eq!((lists.inbox_open_count, lists.lists.len()), (51, 0));
}

#[tokio::test]
async fn sqlite_times_written_by_hand_are_rewritten_so_pages_by_time_hold_every_task_once_on_sqlite() {
    let store = fresh_store().await;
    let Db::Sqlite(sqlite) = &store.db else { panic!("a SQLite test (the PostgreSQL run skips it by its name)") };
    store.db.migrate().await.unwrap();
    insert_raw_tasks(&store.db, "alice", (1..=6).map(|i| old_row(&format!("Task {i}"), None)).collect()).await;
    // One second apart, in every form a hand edit or an older tool could leave;
    // compared as text with a cursor (which is written as the API writes times),
    // each but the third is out of place or equal to no cursor.
    let times = [
        (1, "2026-01-01T10:00:01Z"),
        (2, "2026-01-01 10:00:02"),
        (3, "2026-01-01T10:00:03+00:00"),
        (4, "2026-01-01T11:00:04+01:00"),
        (5, "2026-01-01T10:00:05.5Z"),
        (6, "2026-01-01T10:00:06.25+00:00"),
    ];
    sqlite
        .write(move |c| {
            for (id, time) in times {
                c.execute(
                    "UPDATE tasks SET created_at = ?2, updated_at = ?2 WHERE id = ?1",
                    rusqlite::params![id, time],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();

    let report = upgrade_stored_tasks(&store.db).await.unwrap();
    assert_eq!(report.restamped, 5);
    assert_eq!(upgrade_stored_tasks(&store.db).await.unwrap(), UpgradeReport::default());

    let app = spawn_app_on(store, Options::default()).await;
    for sort in ["created_at", "updated_at"] {
        for order in ["asc", "desc"] {
            let pages: Vec<Vec<Task>> =
                walk(&app, "alice", &format!("?sort={sort}&order={order}&limit=1"), async |_| {}).await;
            let mut ids: Vec<i64> = pages.into_iter().flatten().map(|t| t.id).collect();
            if order == "desc" {
                ids.reverse();
            }
            assert_eq!(ids, [1, 2, 3, 4, 5, 6], "sort={sort}&order={order}");
        }
    }
    let first = &app.all_tasks("alice").await[0];
    assert_eq!(first.created_at.to_rfc3339(), "2026-01-01T10:00:01+00:00", "the instant is kept");
}

/// Runs a statement that is the same text on both stores.
async fn execute(db: &Db, sql: &'static str) {
    match db {
        Db::Sqlite(store) => store.write(move |c| c.execute(sql, []).map(drop)).await.unwrap(),
        Db::Postgres(pool) => drop(sqlx::query(sql).execute(pool).await.unwrap()),
    }
}

#[tokio::test]
async fn all_day_tasks_written_before_the_views_get_their_date_and_show_in_them() {
    let store = fresh_store().await;
    let db = store.db.clone();
    let now = "2026-09-06T04:30:00Z".parse().unwrap();
    let app = spawn_app_on(store, Options { clock: todo_api::state::Clock::Fixed(now), ..Options::default() }).await;
    // Due on 6 September in Auckland (the 5th in UTC): today in Santiago, where it is the 6th.
    let body = serde_json::json!({"title": "Holiday", "due_at": "2026-09-05T12:00:00Z", "all_day": true, "time_zone": "Pacific/Auckland"});
    assert_eq!(app.create("alice", body).await.status(), 201);
    // As a release before the views writes it: no date beside `due_at`.
    execute(&db, "UPDATE tasks SET due_date = NULL").await;
    assert!(app.list_ok("alice", "?view=today&tz=America/Santiago").await.is_empty(), "the view needs the date");

    let report = upgrade_stored_tasks(&db).await.unwrap();
    assert_eq!(report, UpgradeReport { dated: 1, ..UpgradeReport::default() });
    let today = app.list_ok("alice", "?view=today&tz=America/Santiago").await;
    assert_eq!(today.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Holiday"]);
    assert!(app.list_ok("alice", "?view=today&tz=America/Chicago").await.is_empty(), "Chicago is still on the 5th");
    assert_eq!(app.list_ok("alice", "?view=upcoming&tz=America/Chicago").await.len(), 1);
}
