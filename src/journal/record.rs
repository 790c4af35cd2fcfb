//! The middleware that journals each request.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http_body_util::LengthLimitError;

use super::Entry;
use super::redact::recorded_body;
use crate::clock::format_timestamp;
use crate::error::ApiError;
use crate::extract::environment_in_path;
use crate::middleware::CorrelationId;
use crate::server::{AppState, MAX_BODY_BYTES};

/// Paths that are the emulator's own, not the API under test: never journaled.
fn is_journaled(path: &str) -> bool {
    let own = ["/__admin", "/healthz", "/readyz", "/openapi.json"];
    !own.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Buffers the request body (at most 1 MiB, as the API allows), passes the request on, and
/// journals method, path, status, timing, correlation id and the redacted body.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let journal = state.journal();
    if journal.capacity() == 0 || !is_journaled(request.uri().path()) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let time = format_timestamp(Utc::now());
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let correlation_id = request.extensions().get::<CorrelationId>().map(|id| id.0);
    let (parts, body) = request.into_parts();
    let (body, response) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            let recorded = recorded_body(&bytes);
            let request = Request::from_parts(parts, Body::from(bytes));
            (recorded, next.run(request).await)
        }
        Err(error) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|source| source.is::<LengthLimitError>());
            let answer = if too_large {
                ApiError::PayloadTooLarge
            } else {
                ApiError::Malformed("The request body could not be read.".to_owned())
            };
            let description = format!("<not recorded: {answer}>");
            (description.into(), answer.into_response())
        }
    };
    journal.push(Entry {
        time,
        method,
        environment_id: environment_in_path(&path),
        path,
        status: response.status().as_u16(),
        duration_ms: (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1_000.0,
        correlation_id,
        body,
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_emulators_own_paths_are_not_journaled() {
        for path in [
            "/__admin",
            "/__admin/requests",
            "/healthz",
            "/readyz",
            "/openapi.json",
        ] {
            assert!(!is_journaled(path), "{path}");
        }
        for path in ["/v1/environments", "/", "/healthzz", "/__administrator"] {
            assert!(is_journaled(path), "{path}");
        }
    }
}
