//! `GET /__admin/state` (export) and `PUT /__admin/state` (replace), in the state document
//! format of [`crate::seed`] (the seed-file format).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{QueryParams, validation};
use crate::domain::Problems;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::JsonObject;
use crate::openapi::ADMIN_TAG;
use crate::openapi::admin::StateDocument;
use crate::openapi::{AdminUnauthorized, BodyRefused};
use crate::seed::{self, Secrets};
use crate::state::{AdminAccess, AppState};
use crate::store::{Removed, Snapshot};

/// `GET /__admin/state`: the whole state. Secrets are `"***"` unless `includeSecrets=true`,
/// the one place where the emulator hands secrets back, on purpose, to its admin.
#[utoipa::path(
    get,
    path = "/__admin/state",
    operation_id = "adminExportState",
    tag = ADMIN_TAG,
    params(("includeSecrets" = Option<bool>, Query, description = "Return the real secrets (default false)")),
    responses(
        (status = 200, description = "The state document", body = Value),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        AdminUnauthorized,
        (status = 403, description = "includeSecrets=true on an emulator that listens beyond loopback without an admin token", body = ErrorBody),
    ),
    security((), ("adminToken" = []))
)]
pub async fn export(State(state): State<AppState>, query: QueryParams) -> ApiResult<Response> {
    let mut problems = Problems::new();
    query.check(&["includeSecrets"], &mut problems);
    let secrets = match query.get("includeSecrets") {
        None | Some("false") => Some(Secrets::Redacted),
        Some("true") => Some(Secrets::Included),
        Some(_) => {
            problems.invalid("includeSecrets", "Must be true or false.");
            None
        }
    };
    let secrets = problems.finish(secrets).map_err(validation)?;
    let settings = state.settings();
    if secrets == Secrets::Included && settings.admin == AdminAccess::Open && settings.exposed {
        return Err(ApiError::SecretsNeedAdminToken);
    }
    let document = seed::to_document(&state.data().snapshot().await?, secrets);
    let mut response = Json(document).into_response();
    if secrets == Secrets::Included {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// `PUT /__admin/state`: replaces everything at once with a valid document; an invalid one
/// (redacted secrets included) changes nothing and gets every problem with its JSON path.
#[utoipa::path(
    put,
    path = "/__admin/state",
    operation_id = "adminReplaceState",
    tag = ADMIN_TAG,
    request_body(content = StateDocument, content_type = "application/json", description = "A state document with real secrets"),
    responses(
        (status = 200, description = "What was loaded", body = Value),
        (status = 400, description = "Invalid document", body = ErrorBody),
        AdminUnauthorized,
        BodyRefused,
    ),
    security((), ("adminToken" = []))
)]
pub async fn replace(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let snapshot =
        seed::from_document(&Value::Object(body), state.clock().now()).map_err(validation)?;
    let loaded = counts(&snapshot);
    state.data().restore(snapshot).await?;
    Ok(Json(json!({"loaded": loaded})))
}

fn counts(snapshot: &Snapshot) -> Value {
    let counted = Removed::counting(snapshot);
    json!({
        "environments": counted.environments,
        "applications": counted.applications,
        "pushCredentials": counted.push_credentials,
    })
}
