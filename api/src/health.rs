//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    #[schema(example = "ok")]
    pub status: &'static str,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz))
}

/// The process is up
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Status)))]
async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// The task store answers
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, body = Status),
        (status = 503, description = "The task store is unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
async fn readyz(State(db): State<Db>) -> ApiResult<(StatusCode, Json<Status>)> {
    // Whatever the failure, a store that cannot answer `SELECT 1` is not ready.
    db.ping().await.map_err(ApiError::StoreUnavailable)?;
    Ok((StatusCode::OK, Json(Status { status: "ok" })))
}
