//! Filters, search, sort and keyset pagination of the list endpoint.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::json;
use todo_api::tasks::model::Task;

use crate::helpers::{assert_problem, spawn_app, walk};

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

#[tokio::test]
async fn status_filter_splits_pending_from_completed() {
    let app = spawn_app().await;
    let done = app.create_ok("alice", "done").await;
    app.create_ok("alice", "open").await;
    app.complete("alice", done.id, None).await;
    assert_eq!(titles(&app.list_ok("alice", "?status=completed").await), ["done"]);
    assert_eq!(titles(&app.list_ok("alice", "?status=pending").await), ["open"]);
    assert_eq!(app.list_ok("alice", "?status=all").await.len(), 2);
}

#[tokio::test]
async fn search_is_case_insensitive_over_title_and_description_and_literal() {
    let app = spawn_app().await;
    app.create("alice", json!({ "title": "Buy MILK" })).await;
    app.create("alice", json!({ "title": "Call mum", "description": "about the milkman" })).await;
    app.create("alice", json!({ "title": "100% done" })).await;
    app.create("alice", json!({ "title": "snake_case" })).await;
    app.create("bob", json!({ "title": "milk for bob" })).await;

    let found = app.list_ok("alice", "?q=milk&sort=title&order=asc").await;
    assert_eq!(titles(&found), ["Buy MILK", "Call mum"]);
    assert_eq!(titles(&app.list_ok("alice", "?q=%25").await), ["100% done"], "% matches itself");
    assert_eq!(titles(&app.list_ok("alice", "?q=e_c").await), ["snake_case"], "_ matches itself");
    assert!(app.list_ok("alice", "?q=nothing-like-this").await.is_empty());
    assert_eq!(app.list_ok("alice", "?q=").await.len(), 4, "an empty q filters nothing");
}

#[tokio::test]
async fn sorts_by_title_created_and_updated_in_both_orders() {
    let app = spawn_app().await;
    let b = app.create_ok("alice", "banana").await;
    app.create_ok("alice", "Apple").await;
    app.create_ok("alice", "cherry").await;
    assert_eq!(titles(&app.list_ok("alice", "?sort=title&order=asc").await), ["Apple", "banana", "cherry"]);
    assert_eq!(titles(&app.list_ok("alice", "?sort=title&order=desc").await), ["cherry", "banana", "Apple"]);
    assert_eq!(titles(&app.list_ok("alice", "?sort=created_at&order=asc").await), ["banana", "Apple", "cherry"]);
    assert_eq!(titles(&app.list_ok("alice", "").await), ["cherry", "Apple", "banana"], "default: created_at desc");

    app.update(Method::PATCH, "alice", b.id, json!({ "completed": true })).await;
    assert_eq!(app.list_ok("alice", "?sort=updated_at").await[0].title, "banana");
}

#[tokio::test]
async fn bad_query_values_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=-1", "limit"),
        ("?limit=ten", "limit"),
        ("?status=done", "status"),
        ("?sort=importance", "sort"),
        ("?sort=", "sort"),
        ("?order=", "order"),
        ("?limit=", "limit"),
        ("?status=", "status"),
        ("?order=up", "order"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?q=%00", "q"),
    ] {
        let problem = assert_problem(app.list("alice", query).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
    assert_eq!(app.list_ok("alice", "?limit=1").await.len(), 0);
    assert_eq!(app.list_ok("alice", "?limit=200").await.len(), 0);
}

#[tokio::test]
async fn pagination_walks_every_row_exactly_once_while_rows_are_inserted() {
    let app = spawn_app().await;
    let mut original = HashSet::new();
    for i in 0..23 {
        original.insert(app.create_ok("alice", &format!("task {i:02}")).await.id);
    }
    for (query, sorted_desc) in
        [("?limit=5", true), ("?limit=4&sort=title&order=asc", false), ("?limit=6&sort=updated_at&order=asc", false)]
    {
        let mut inserted = 0;
        let pages: Vec<Vec<Task>> = walk(&app, "alice", query, async |_| {
            // New rows sort before the cursor in desc order, after it in asc order.
            app.create_ok("alice", &format!("zz inserted {inserted}")).await;
            inserted += 1;
        })
        .await;
        let seen: Vec<i64> = pages.iter().flatten().map(|t| t.id).collect();
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(seen.len(), unique.len(), "{query}: no row twice");
        assert!(original.is_subset(&unique), "{query}: every row that existed at the start is seen");
        assert!(pages.iter().all(|p| !p.is_empty()));
        if sorted_desc {
            assert!(seen.windows(2).all(|w| w[0] > w[1]), "{query}: newest first");
        }
        for task in app.all_tasks("alice").await {
            original.insert(task.id);
        }
    }
}

#[tokio::test]
async fn the_next_link_keeps_filters_and_search() {
    let app = spawn_app().await;
    for i in 0..5 {
        let task = app.create_ok("alice", &format!("milk {i}")).await;
        if i % 2 == 0 {
            app.complete("alice", task.id, None).await;
        }
    }
    app.create_ok("alice", "bread").await;
    let pages: Vec<Vec<Task>> = walk(&app, "alice", "?status=completed&q=MILK&limit=1", async |_| {}).await;
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().flatten().all(|t| t.completed && t.title.starts_with("milk")));
}

#[tokio::test]
async fn a_cursor_for_another_sort_is_refused() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.create_ok("alice", &format!("t{i}")).await;
    }
    let response = app.list("alice", "?limit=1").await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let cursor = link.split("cursor=").nth(1).unwrap().split('>').next().unwrap();
    let problem = assert_problem(app.list("alice", &format!("?limit=1&sort=title&cursor={cursor}")).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "cursor");
}

#[tokio::test]
async fn search_and_title_sort_fold_case_beyond_ascii_on_every_store() {
    let app = spawn_app().await;
    for title in ["éclair", "Éclair", "ÉCLAIR", "zebra", "Äpfel", "apple", "Straße"] {
        app.create_ok("alice", title).await;
    }
    let mut found =
        titles(&app.list_ok("alice", "?q=%C3%89CLAIR").await).into_iter().map(str::to_owned).collect::<Vec<_>>();
    found.sort();
    assert_eq!(found, ["ÉCLAIR", "Éclair", "éclair"]);
    assert_eq!(titles(&app.list_ok("alice", "?q=STRASSE").await), ["Straße"], "full case folding: ß is ss");
    assert_eq!(titles(&app.list_ok("alice", "?q=stra%C3%9Fe").await), ["Straße"]);
    let sorted = app.list_ok("alice", "?sort=title&order=asc").await;
    let folded: Vec<String> = sorted.iter().map(|t| todo_domain::fold(&t.title)).collect();
    let mut expected = folded.clone();
    expected.sort();
    assert_eq!(folded, expected, "sorted by the folded title");
}

#[tokio::test]
async fn search_finds_composed_and_decomposed_spellings_alike() {
    let app = spawn_app().await;
    let composed = "Caf\u{e9} au lait";
    let decomposed = "Cafe\u{301} noir";
    app.create_ok("alice", composed).await;
    app.create_ok("alice", decomposed).await;
    app.create_ok("alice", "cafeteria").await;
    for query in ["caf%C3%A9", "CAFE%CC%81", "CAF%C3%89"] {
        let mut found: Vec<String> =
            titles(&app.list_ok("alice", &format!("?q={query}")).await).into_iter().map(str::to_owned).collect();
        found.sort();
        let mut expected = [composed, decomposed];
        expected.sort();
        assert_eq!(found, expected, "{query}");
    }
    let ligature = app.create_ok("alice", "\u{fb01}nish the report").await;
    assert_eq!(app.list_ok("alice", "?q=FINISH").await.iter().map(|t| t.id).collect::<Vec<_>>(), [ligature.id]);
}

#[tokio::test]
async fn a_cursor_outside_four_digit_years_is_refused() {
    use base64::Engine;
    let app = spawn_app().await;
    app.create_ok("alice", "x").await;
    let wire = serde_json::json!({ "s": "created_at", "o": "desc", "v": "9999-12-31T23:59:59-23:59", "i": 1 });
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(wire.to_string());
    let problem = assert_problem(app.list("alice", &format!("?cursor={cursor}")).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "cursor");
}
