//! `/__admin/clock`: freeze or shift the emulator's clock, or return it to real time.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::validation;
use crate::clock::{Clock, ClockSetting, format_timestamp};
use crate::domain::{FieldError, FieldErrorCode};
use crate::domain::{Problems, present};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::JsonObject;
use crate::openapi::ADMIN_TAG;
use crate::openapi::admin::ClockRequest;
use crate::openapi::{AdminUnauthorized, BodyRefused};
use crate::state::AppState;

/// The members of a setting (`openapi::admin::ClockRequest` describes them).
const FIELDS: [&str; 2] = ["frozenAt", "offsetMs"];

/// About a hundred years, in milliseconds: the largest offset accepted.
const MAX_OFFSET_MS: i64 = 100 * 366 * 24 * 3_600_000;

/// `GET /__admin/clock`: the setting and what the emulator thinks "now" is.
#[utoipa::path(
    get,
    path = "/__admin/clock",
    operation_id = "adminShowClock",
    tag = ADMIN_TAG,
    responses(
        (status = 200, description = "{\"mode\": \"real\" | \"frozen\" | \"offset\", \"frozenAt\"?, \"offsetMs\"?, \"now\"}", body = Value),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn show(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.data().clock().await?;
    Ok(Json(describe(state.clock())))
}

/// `PUT /__admin/clock`: `{"frozenAt": "2030-01-01T00:00:00.000Z"}` or `{"offsetMs": 3600000}`.
#[utoipa::path(
    put,
    path = "/__admin/clock",
    operation_id = "adminSetClock",
    tag = ADMIN_TAG,
    request_body(content = ClockRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new setting", body = Value),
        (status = 400, description = "Invalid setting", body = ErrorBody),
        AdminUnauthorized,
        BodyRefused,
    ),
    security((), ("adminToken" = []))
)]
pub async fn set(
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let setting = parse_setting(&body).map_err(validation)?;
    state.data().set_clock(setting).await?;
    Ok(Json(describe(state.clock())))
}

/// `DELETE /__admin/clock`: back to real time.
#[utoipa::path(
    delete,
    path = "/__admin/clock",
    operation_id = "adminResetClock",
    tag = ADMIN_TAG,
    responses(
        (status = 200, description = "The clock, on real time", body = Value),
        AdminUnauthorized,
    ),
    security((), ("adminToken" = []))
)]
pub async fn reset(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.data().set_clock(ClockSetting::Real).await?;
    Ok(Json(describe(state.clock())))
}

fn describe(clock: &Clock) -> Value {
    let now = format_timestamp(clock.now());
    match clock.setting() {
        ClockSetting::Real => json!({"mode": "real", "now": now}),
        ClockSetting::Frozen(at) => {
            json!({"mode": "frozen", "frozenAt": format_timestamp(at), "now": now})
        }
        ClockSetting::Offset(ms) => json!({"mode": "offset", "offsetMs": ms, "now": now}),
    }
}

fn parse_setting(body: &Map<String, Value>) -> Result<ClockSetting, Vec<FieldError>> {
    let mut problems = Problems::new();
    problems.unknown_keys(body, &FIELDS, "", "the clock");
    let setting = match (present(body, "frozenAt"), present(body, "offsetMs")) {
        (Some(at), None) => problems
            .timestamp(Some(at), "frozenAt", "")
            .map(ClockSetting::Frozen),
        (None, Some(ms)) => problems
            .integer(Some(ms), "offsetMs", "", -MAX_OFFSET_MS..=MAX_OFFSET_MS)
            .map(ClockSetting::Offset),
        _ => {
            problems.push(
                FieldErrorCode::RequiredValue,
                "frozenAt",
                "Give exactly one of frozenAt or offsetMs.",
            );
            None
        }
    };
    problems.finish(setting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::admin::property_names;

    #[test]
    fn the_clock_schema_names_exactly_what_the_parser_accepts() {
        let mut accepted = FIELDS.map(str::to_owned).to_vec();
        accepted.sort();
        assert_eq!(property_names::<ClockRequest>(), accepted);
    }
}
