//! Rows written under older rules are brought to today's at start, once.

use todo_api::db::Db;
use todo_api::tasks::store::{upgrade_text, UpgradeReport};

use crate::helpers::{fresh_store, spawn_app_on, Options};

/// Writes a task as an older release could have: any text, folded by lower-casing only.
async fn insert_old_row(db: &Db, title: &str, description: Option<&str>) {
    let (title, title_folded) = (title.to_owned(), title.to_lowercase());
    let (description, description_folded) = (description.map(str::to_owned), description.map(str::to_lowercase));
    match db {
        Db::Sqlite(store) => {
            store
                .write(move |c| {
                    c.execute(
                        "INSERT INTO tasks (user_id, title, title_folded, description, description_folded, completed, created_at, updated_at) \
                         VALUES ('alice', ?1, ?2, ?3, ?4, FALSE, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                        rusqlite::params![title, title_folded, description, description_folded],
                    )
                })
                .await
                .unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(
                "INSERT INTO tasks (user_id, title, title_folded, description, description_folded, completed, created_at, updated_at) \
                 VALUES ('alice', $1, $2, $3, $4, FALSE, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            )
            .bind(title)
            .bind(title_folded)
            .bind(description)
            .bind(description_folded)
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

#[tokio::test]
async fn older_rows_are_repaired_refolded_and_searchable_and_the_upgrade_runs_once() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    insert_old_row(&store.db, "\u{1b}[31mPay rent\u{1b}[0m", Some("line\r\nbreak")).await;
    insert_old_row(&store.db, "\u{200B}", None).await;
    insert_old_row(&store.db, "Straße kehren", None).await;
    insert_old_row(&store.db, "Milk", None).await;

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
