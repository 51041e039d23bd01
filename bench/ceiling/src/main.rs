//! The ceiling of the benchmark: what axum + tokio serve on this machine when a
//! handler does no work at all. Every GET answers the same 30-byte JSON body.
//! Listens on `CEILING_ADDR` (default 127.0.0.1:8090).

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const BODY: &str = r#"{"status":"ok","ceiling":true}"#;
const _: () = assert!(BODY.len() == 30);

async fn fixed() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], BODY)
}

#[tokio::main]
async fn main() {
    let addr = std::env::var("CEILING_ADDR").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let app = Router::new().route("/{*path}", get(fixed)).route("/", get(fixed));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind CEILING_ADDR");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! { _ = term.recv() => {}, _ = tokio::signal::ctrl_c() => {} }
        })
        .await
        .expect("serve");
}
