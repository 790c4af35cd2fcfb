//! Step 5: a panic, in the steps or in a handler, becomes a PingOne-shaped 500.

use std::panic::AssertUnwindSafe;

use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;

use tower::Service as _;

use super::{RouterFuture, Step};
use crate::error::ApiError;

/// Hands `request` to the router and awaits its answer; a panic in either is a 500.
pub(super) async fn routed(
    router: &mut <axum::extract::DefaultBodyLimit as tower::Layer<axum::Router>>::Service,
    request: axum::extract::Request,
) -> Response {
    match std::panic::catch_unwind(AssertUnwindSafe(|| router.call(request))) {
        Ok(routed) => guarded(routed).await,
        Err(_) => ApiError::Unexpected.into_response(),
    }
}

/// Runs the synchronous steps; a panic in them is a 500.
pub(super) fn steps(run: impl FnOnce() -> Step) -> Step {
    std::panic::catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|_| Step::Answer(ApiError::Unexpected.into_response()))
}

/// Step 5 for the handler's future: a panic becomes a PingOne-shaped 500.
pub(super) async fn guarded(routed: RouterFuture) -> Response {
    match AssertUnwindSafe(routed).catch_unwind().await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => ApiError::Unexpected.into_response(),
    }
}
