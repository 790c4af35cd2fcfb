//! Step 8: bearer auth on `/v1` calls.
//!
//! `/v1` calls need `Authorization: Bearer <token>` unless auth is off; with `--auth jwt` the
//! token must be one this server issued, unexpired, from an environment that may manage the
//! environment in the path, which the handlers then find in the request
//! ([`TokenEnvironment`]).

use axum::extract::Request;
use axum::response::IntoResponse;

use super::shared::Managed;
use super::{Gateway, Verdict};
use crate::call::Call;
use crate::config::AuthMode;
use crate::error::ApiError;
use crate::tokens::{TokenEnvironment, bearer_token};

pub(super) fn step(gateway: &Gateway, request: &mut Request, call: &Call) -> Verdict {
    if !call.api {
        return Verdict::Pass;
    }
    let state = &gateway.state;
    let refused = |error: ApiError| Verdict::Answer(error.into_response());
    match (state.settings().auth, bearer_token(request.headers())) {
        (AuthMode::None, _) | (AuthMode::AnyBearer, Some(_)) => Verdict::Pass,
        (_, None) => refused(ApiError::Unauthorized),
        (AuthMode::Jwt, Some(token)) => {
            let Ok(claims) = state.tokens().verify(token, state.clock().now()) else {
                return refused(ApiError::Unauthorized);
            };
            // With a database, step 7b asked it.
            let may_manage = |target| match request.extensions().get::<Managed>() {
                Some(Managed(managed)) => *managed,
                None => state.store().may_manage(claims.env, target),
            };
            if let Some(target) = call.environment_id
                && !may_manage(target)
            {
                return refused(ApiError::Forbidden);
            }
            request
                .extensions_mut()
                .insert(TokenEnvironment(claims.env));
            Verdict::Pass
        }
    }
}
