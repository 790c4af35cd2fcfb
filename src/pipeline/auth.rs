//! Step 8: bearer auth on `/v1` calls.
//!
//! `/v1` calls need `Authorization: Bearer <token>` unless auth is off; with `--auth jwt` the
//! token must be one this server issued, unexpired, from an environment that may manage the
//! environment in the path, which the handlers then find in the request
//! ([`TokenEnvironment`]).

use axum::extract::Request;
use axum::response::IntoResponse;

use super::shared::Verified;
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
            // With a database, step 7b verified the token and asked it about the environment.
            let (env, manages) = match request.extensions().get::<Verified>() {
                Some(verified) => (verified.env, Some(verified.manages)),
                None => match state.tokens().verify(token, state.clock().now()) {
                    Ok(claims) => (claims.env, None),
                    Err(_) => return refused(ApiError::Unauthorized),
                },
            };
            if let Some(target) = call.environment_id
                && !manages.unwrap_or_else(|| state.store().may_manage(env, target))
            {
                return refused(ApiError::Forbidden);
            }
            request.extensions_mut().insert(TokenEnvironment(env));
            Verdict::Pass
        }
    }
}
