//! The HTTP surface: one module per resource, each with its own `router()`.

mod applications;
mod environments;
mod health;
mod oauth;
mod push_credentials;
mod wire;

use axum::Router;

use crate::error::ApiError;
use crate::server::AppState;

/// Every route, with PingOne-shaped answers for unknown paths and methods.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(environments::router())
        .merge(applications::router())
        .merge(push_credentials::router())
        .merge(oauth::router())
        .merge(health::router())
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// Any path that is not served: 404 `NOT_FOUND`.
async fn unknown_route() -> ApiError {
    ApiError::NotFound
}

/// A served path with a method it does not take: 405, with axum's `Allow` header.
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
