//! `/metrics` in Prometheus text on an address of its own (`METRICS_ADDR`, off
//! unless set), so the API's port never serves it. Everything is recorded through
//! the `metrics` facade, which does nothing until [`install`] has run. Labels are
//! route templates, methods, statuses and reasons: never a raw path, a user id or
//! a token, so the series stay few and say nothing about anyone.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::db::Db;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Request latency buckets, in seconds: from a cached read to the request timeout.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0];

/// Installs the process's recorder (once: later calls return the same handle).
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), &LATENCY_BUCKETS)
                .expect("the buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed in this process");
            // Histograms are kept in windows that need draining now and then.
            let upkeep = handle.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(5));
                loop {
                    tick.tick().await;
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

/// Serves `GET /metrics` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, db: Db) {
    let router = Router::new().route("/metrics", get(scrape)).with_state((install(), db));
    if let Err(err) = axum::serve(listener, router).await {
        tracing::error!(error = %err, "the metrics listener stopped");
    }
}

async fn scrape(State((handle, db)): State<(PrometheusHandle, Db)>) -> impl IntoResponse {
    if let Db::Postgres(pool) = &db {
        let idle = pool.num_idle() as f64;
        metrics::gauge!("db_pool_connections", "state" => "idle").set(idle);
        metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(pool.size()) - idle);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
}

/// Counts each request by method, route template and status, and times it by
/// method and route template. Outermost of the API's middleware, so it sees the
/// status the client gets (a timeout's 503 too).
pub async fn track(request: Request, next: Next) -> Response {
    if HANDLE.get().is_none() {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route.clone())
        .record(started.elapsed());
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status).increment(1);
    response
}

/// The methods the API knows by name; any other is one label, so a client
/// inventing methods cannot invent series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
