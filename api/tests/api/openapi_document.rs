//! The OpenAPI document is committed as `api/openapi.json`, so that every change
//! of the contract shows in review (and the web app generates its types from it).

use std::path::Path;

use crate::helpers::spawn_app;

#[tokio::test]
async fn openapi_document_matches_the_committed_snapshot() {
    let app = spawn_app().await;
    let served: serde_json::Value =
        app.client.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    let rendered = serde_json::to_string_pretty(&served).unwrap() + "\n";
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&snapshot, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&snapshot).unwrap_or_default();
    assert!(committed == rendered, "api/openapi.json is out of date: run `make openapi` and review the diff");
}

#[tokio::test]
async fn the_document_covers_every_route_with_its_errors() {
    let doc = todo_api::app::openapi();
    let doc = serde_json::to_value(&doc).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/{user_id}/tasks", &["get", "post"][..]),
        ("/api/{user_id}/tasks/{id}", &["get", "put", "patch", "delete"][..]),
        ("/api/{user_id}/tasks/{id}/complete", &["patch"][..]),
        ("/healthz", &["get"][..]),
        ("/readyz", &["get"][..]),
    ] {
        for method in methods {
            let operation = &paths[path][method];
            assert!(operation.is_object(), "{method} {path} is documented");
            if path.starts_with("/api") {
                for status in ["401", "403", "404", "429", "503"] {
                    assert!(operation["responses"][status].is_object(), "{method} {path} documents {status}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_docs_page_is_served_without_the_internet() {
    let app = spawn_app().await;
    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(!html.contains("https://"), "the docs page loads nothing from outside");
    let script = app.client.get(app.url("/docs/swagger-ui-bundle.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);
}
