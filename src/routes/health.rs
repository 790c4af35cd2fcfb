//! Liveness and readiness probes, outside `/v1` and outside auth.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::server::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// `GET /healthz`: the process is alive.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "UP"}))
}

/// `GET /readyz`: 200 once the server accepts API calls, 503 before.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.is_ready() {
        (StatusCode::OK, Json(json!({"status": "READY"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "STARTING"})),
        )
    }
}
