//! `/__admin/faults`: add, list and remove fault-injection rules.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::validation;
use crate::domain::parse_id;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::JsonObject;
use crate::faults::RuleSpec;
use crate::openapi::ADMIN_TAG;
use crate::openapi::admin::FaultRuleRequest;
use crate::openapi::{AdminUnauthorized, BodyRefused};
use crate::state::AppState;

/// `POST /__admin/faults`: adds a rule after the existing ones.
#[utoipa::path(
    post,
    path = "/__admin/faults",
    operation_id = "adminAddFault",
    tag = ADMIN_TAG,
    request_body(content = FaultRuleRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The rule, with its id and seed", body = Value),
        (status = 400, description = "Invalid rule", body = ErrorBody),
        AdminUnauthorized,
        BodyRefused,
    ),
    security((), ("adminToken" = []))
)]
pub async fn add(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let spec = RuleSpec::parse(&body).map_err(validation)?;
    let listed = state.data().add_fault(spec).await?;
    Ok((StatusCode::CREATED, Json(listed)))
}

/// `GET /__admin/faults`: the rules in the order they are tried, with their hit counts.
#[utoipa::path(
    get,
    path = "/__admin/faults",
    operation_id = "adminListFaults",
    tag = ADMIN_TAG,
    responses(
        (status = 200, description = "{\"faults\": [...]}", body = Value),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"faults": state.data().faults().await?})))
}

/// `DELETE /__admin/faults`: removes every rule.
#[utoipa::path(
    delete,
    path = "/__admin/faults",
    operation_id = "adminClearFaults",
    tag = ADMIN_TAG,
    responses(
        (status = 204, description = "Removed"),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn clear(State(state): State<AppState>) -> ApiResult<StatusCode> {
    state.data().clear_faults().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /__admin/faults/{faultId}`: removes one rule.
#[utoipa::path(
    delete,
    path = "/__admin/faults/{faultId}",
    operation_id = "adminRemoveFault",
    tag = ADMIN_TAG,
    params(("faultId" = uuid::Uuid, Path, description = "The rule's id")),
    responses(
        (status = 204, description = "Removed"),
        AdminUnauthorized,
        (status = 404, description = "No such rule", body = ErrorBody),
    ),
    security((), ("adminToken" = []))
)]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id).ok_or(ApiError::NotFound)?;
    if state.data().remove_fault(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
