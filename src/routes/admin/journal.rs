//! `GET /__admin/requests` (the journal, filtered) and `DELETE /__admin/requests`.

use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{QueryParams, validation};
use crate::domain::{Problems, parse_id};
use crate::error::{ApiResult, ErrorBody};
use crate::journal::{Filter, StatusFilter};
use crate::openapi::ADMIN_TAG;
use crate::openapi::AdminUnauthorized;
use crate::state::AppState;

const PARAMETERS: [&str; 5] = ["method", "pathPrefix", "status", "environmentId", "limit"];

/// `GET /__admin/requests`: journaled PingOne calls, oldest first, secrets redacted.
#[utoipa::path(
    get,
    path = "/__admin/requests",
    operation_id = "adminListRequests",
    tag = ADMIN_TAG,
    params(
        ("method" = Option<String>, Query, description = "Only this HTTP method"),
        ("pathPrefix" = Option<String>, Query, description = "Only paths starting with this"),
        ("status" = Option<String>, Query, description = "Only this status (429) or class (4xx)"),
        ("environmentId" = Option<uuid::Uuid>, Query, description = "Only calls about this environment"),
        ("limit" = Option<usize>, Query, description = "Only the most recent N"),
    ),
    responses(
        (status = 200, description = "{\"count\": N, \"requests\": [...]}", body = Value),
        (status = 400, description = "Bad filter", body = ErrorBody),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn list(State(state): State<AppState>, query: QueryParams) -> ApiResult<Json<Value>> {
    let filter = parse_filter(&query).map_err(validation)?;
    let requests = state.data().journal(&filter).await?;
    Ok(Json(json!({"count": requests.len(), "requests": requests})))
}

/// `DELETE /__admin/requests`: empties the journal.
#[utoipa::path(
    delete,
    path = "/__admin/requests",
    operation_id = "adminClearRequests",
    tag = ADMIN_TAG,
    responses(
        (status = 204, description = "Emptied"),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn clear(State(state): State<AppState>) -> ApiResult<StatusCode> {
    state.data().clear_journal().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn parse_filter(query: &QueryParams) -> Result<Filter, Vec<crate::domain::FieldError>> {
    let mut problems = Problems::new();
    query.check(&PARAMETERS, &mut problems);
    let mut filter = Filter::default();
    if let Some(method) = query.get("method") {
        match Method::from_bytes(method.to_ascii_uppercase().as_bytes()) {
            Ok(method) if !method.as_str().is_empty() => filter.method = Some(method),
            _ => problems.invalid("method", "Must be an HTTP method such as POST."),
        }
    }
    if let Some(prefix) = query.get("pathPrefix") {
        if prefix.starts_with('/') {
            filter.path_prefix = Some(prefix.to_owned());
        } else {
            problems.invalid("pathPrefix", "Must start with /.");
        }
    }
    if let Some(status) = query.get("status") {
        filter.status = StatusFilter::parse(status);
        if filter.status.is_none() {
            problems.invalid(
                "status",
                "Must be a status such as 429 or a class such as 4xx.",
            );
        }
    }
    if let Some(id) = query.get("environmentId") {
        filter.environment_id = parse_id(id);
        if filter.environment_id.is_none() {
            problems.invalid("environmentId", "Must be a UUID.");
        }
    }
    if let Some(limit) = query.get("limit") {
        filter.limit = limit.parse::<usize>().ok().filter(|limit| *limit > 0);
        if filter.limit.is_none() {
            problems.invalid("limit", "Must be a positive integer.");
        }
    }
    problems.finish(Some(filter))
}
