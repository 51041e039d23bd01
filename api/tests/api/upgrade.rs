//! Rows written under older rules are brought to today's at start, once.

use todo_api::tasks::store::{upgrade_text, UpgradeReport};

use crate::helpers::{fresh_store, insert_raw_tasks, spawn_app_on, Options, RawTask};

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
