//! Liveness and readiness probes, outside `/v1` and outside auth.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::HEALTH_TAG;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// `GET /healthz`: the process is alive.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = HEALTH_TAG,
    responses((status = 200, description = "Alive: {\"status\":\"UP\"}"))
)]
async fn healthz() -> Json<Value> {
    Json(json!({"status": "UP"}))
}

/// `GET /readyz`: 200 once the server accepts API calls (the state file, if any, is loaded),
/// 503 before.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = HEALTH_TAG,
    responses(
        (status = 200, description = "Ready: {\"status\":\"READY\"}"),
        (status = 503, description = "Starting: {\"status\":\"STARTING\"}, or the database store cannot be reached: {\"status\":\"DATABASE_UNAVAILABLE\"}"),
    )
)]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if !state.is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "STARTING"})),
        );
    }
    if let Some(database) = state.database()
        && !database.is_reachable().await
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "DATABASE_UNAVAILABLE"})),
        );
    }
    (StatusCode::OK, Json(json!({"status": "READY"})))
}
