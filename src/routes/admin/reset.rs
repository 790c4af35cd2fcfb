//! `POST /__admin/reset[?environmentId=…]`

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::{QueryParams, validation};
use crate::clock::ClockSetting;
use crate::domain::{Problems, parse_id};
use crate::error::{ApiResult, ErrorBody};
use crate::openapi::ADMIN_TAG;
use crate::openapi::AdminUnauthorized;
use crate::state::AppState;
use crate::store::Removed;

/// `POST /__admin/reset`: without a parameter, forgets everything (environments, applications,
/// credentials, grants, deleted ids, journal, fault rules, clock setting) and, when the server was
/// started with `--seed-file`, loads the seed again; with `environmentId`, removes that
/// environment and everything in it only.
#[utoipa::path(
    post,
    path = "/__admin/reset",
    operation_id = "adminReset",
    tag = ADMIN_TAG,
    params(("environmentId" = Option<uuid::Uuid>, Query, description = "Reset only this environment")),
    responses(
        (status = 200, description = "What was removed (and what the seed file restored)", body = Value),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn reset(State(state): State<AppState>, query: QueryParams) -> ApiResult<Json<Value>> {
    let mut problems = Problems::new();
    query.check(&["environmentId"], &mut problems);
    let environment = query.get("environmentId").map(|text| {
        let id = parse_id(text);
        if id.is_none() {
            problems.invalid("environmentId", "Must be a UUID.");
        }
        id
    });
    let environment = problems.finish(Some(environment)).map_err(validation)?;
    let data = state.data();
    if let Some(id) = environment.flatten() {
        let removed = data.remove_environment(id).await?;
        return Ok(Json(json!({"removed": counts(removed)})));
    }
    data.clear_journal().await?;
    data.clear_faults().await?;
    data.set_clock(ClockSetting::Real).await?;
    let Some(seed) = state.seed() else {
        return Ok(Json(json!({"removed": counts(data.clear().await?)})));
    };
    // One swap, so that no caller sees the empty state in between.
    let snapshot = seed.snapshot(state.clock().now());
    let restored = counts(Removed::counting(&snapshot));
    let removed = data.restore(snapshot).await?;
    Ok(Json(
        json!({"removed": counts(removed), "restoredFromSeed": restored}),
    ))
}

fn counts(removed: Removed) -> Value {
    json!({
        "environments": removed.environments,
        "applications": removed.applications,
        "pushCredentials": removed.push_credentials,
    })
}
