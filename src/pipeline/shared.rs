//! Step 7b, with a database store only: what the steps after it need from the database, read
//! before they run, so that every replica decides alike. One row gives the clock setting and
//! whether there are fault rules; with rules, the database decides which fires for this call
//! (and counts it); with `--auth jwt` in `strict` tenancy, whether the token's environment may
//! manage the one called. The synchronous steps then find these in the request's extensions.
//! Probes and the API description need nothing of the database.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::call::{Call, OwnPath};
use crate::config::AuthMode;
use crate::database::Database;
use crate::error::ApiError;
use crate::faults;
use crate::state::AppState;
use crate::store::Tenancy;
use crate::tokens::bearer_token;

/// A bearer token this step verified: its environment, and whether that may manage the
/// environment called, as the database says. Step 8 takes it rather than verifying again.
#[derive(Clone, Copy, Debug)]
pub(super) struct Verified {
    pub env: Uuid,
    pub manages: bool,
}

/// Reads what the call needs; an answer (503) if the database cannot be reached.
pub(super) async fn prepare(
    state: &AppState,
    database: &Database,
    request: &mut Request,
    call: &Call,
) -> Option<Response> {
    if matches!(
        call.own,
        Some(OwnPath::Health | OwnPath::Ready | OwnPath::OpenApi)
    ) {
        return None;
    }
    let unavailable = |error| Some(ApiError::from(error).into_response());
    let control = match database.control().await {
        Ok(control) => control,
        Err(error) => return unavailable(error),
    };
    state.clock().set(control.clock);
    if control.any_rules
        && let Some(operation) = call.operation
    {
        let decided = database
            .decide_fault(faults::Call {
                method: request.method().as_str(),
                template: operation.path,
                environment_id: call.environment_id,
            })
            .await;
        match decided {
            Ok(decision) => {
                request.extensions_mut().insert(decision);
            }
            Err(error) => return unavailable(error),
        }
    }
    let settings = state.settings();
    if call.api
        && settings.auth == AuthMode::Jwt
        && settings.tenancy == Tenancy::Strict
        && let Some(target) = call.environment_id
        && let Some(token) = bearer_token(request.headers())
        && let Ok(claims) = state.tokens().verify(token, state.clock().now())
    {
        match database.may_manage(claims.env, target).await {
            Ok(manages) => {
                let env = claims.env;
                request.extensions_mut().insert(Verified { env, manages });
            }
            Err(error) => return unavailable(error),
        }
    }
    None
}
