//! `/__admin`: test control (reset, state, journal, faults, clock), outside the PingOne paths.
//!
//! Open by default (the emulator listens on loopback); with `--admin-token` every call needs
//! `Authorization: Bearer <token>`; with `--no-admin` none of these routes exist.

mod clock;
mod faults;
mod journal;
mod reset;
mod state;
mod tls;

use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::FieldError;
use crate::domain::Problems;
use crate::error::ApiError;
use crate::state::{AdminAccess, AppState};
use crate::tokens::bearer_token;

/// Every admin route, behind the admin token check.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reset::reset))
        .routes(routes!(state::export, state::replace))
        .routes(routes!(journal::list, journal::clear))
        .routes(routes!(faults::list, faults::add, faults::clear))
        .routes(routes!(faults::remove))
        .routes(routes!(clock::show, clock::set, clock::reset))
        .routes(routes!(tls::ca_pem))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_admin_token,
        ))
}

/// With `--admin-token`, refuses callers without `Authorization: Bearer <that token>`.
async fn require_admin_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let AdminAccess::Token(expected) = &state.settings().admin {
        let given = bearer_token(request.headers()).unwrap_or_default();
        if !same_bytes(given.as_bytes(), expected.expose().as_bytes()) {
            return ApiError::Unauthorized.into_response();
        }
    }
    next.run(request).await
}

/// Compares in time that depends on the lengths only, not on where the first difference is.
fn same_bytes(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The query string as name/value pairs; a malformed one is a PingOne-shaped 400.
#[derive(Debug)]
pub struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::Malformed("The query string is malformed.".to_owned()))?;
        Ok(Self(pairs))
    }
}

impl QueryParams {
    /// Records a problem for each unknown or repeated parameter.
    pub fn check(&self, allowed: &[&str], problems: &mut Problems) {
        for (index, (name, _)) in self.0.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                problems.invalid(
                    name.clone(),
                    format!(
                        "Unknown query parameter; expected one of: {}.",
                        allowed.join(", ")
                    ),
                );
            } else if self.0[..index].iter().any(|(earlier, _)| earlier == name) {
                problems.invalid(name.clone(), "Give this query parameter once.");
            }
        }
    }

    /// The (first) value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Turns collected problems into the 400 `INVALID_DATA` answer.
fn validation(errors: Vec<FieldError>) -> ApiError {
    ApiError::Validation(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(same_bytes(b"s3cret", b"s3cret"));
        for other in [&b"s3cres"[..], b"s3cret!", b"", b"S3CRET"] {
            assert!(!same_bytes(other, b"s3cret"));
        }
    }
}
