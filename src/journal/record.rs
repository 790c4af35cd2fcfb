//! Journaling one request: started when it arrives, pushed once it is answered.

use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http_body_util::LengthLimitError;
use uuid::Uuid;

use super::redact::{Recorded, note, read_body};
use super::{Journal, Record};
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::extract::ParsedJson;

/// Paths that are the emulator's own, not the API under test: never journaled.
fn is_journaled(path: &str) -> bool {
    let own = ["/__admin", "/healthz", "/readyz", "/openapi.json"];
    !own.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// What is known of a journaled request when it arrives.
#[derive(Debug)]
pub struct Pending {
    started: Instant,
    time: DateTime<Utc>,
    method: Method,
    /// The request's target, for its path: cloning it is a reference count on the bytes hyper
    /// read, where a copy of the path would be an allocation.
    uri: Uri,
    correlation_id: Uuid,
}

impl Pending {
    /// Starts the record of `request`, unless the journal keeps nothing or the path is the
    /// emulator's own.
    pub fn start(journal: &Journal, request: &Request, correlation_id: Uuid) -> Option<Self> {
        let uri = request.uri();
        (journal.capacity() > 0 && is_journaled(uri.path())).then(|| Self {
            started: Instant::now(),
            time: Utc::now(),
            method: request.method().clone(),
            uri: uri.clone(),
            correlation_id,
        })
    }

    /// Journals the request with its answer's status and its recorded body.
    pub fn finish(self, journal: &Journal, status: StatusCode, body: Recorded) {
        let elapsed = self.started.elapsed();
        journal.push(Record {
            time: self.time,
            method: self.method,
            path: self.uri.path(),
            status: status.as_u16(),
            duration_ms: (elapsed.as_secs_f64() * 1_000_000.0).round() / 1_000.0,
            correlation_id: Some(self.correlation_id),
            body,
        });
    }
}

/// Reads the whole body (at most 1 MiB, as the API allows) so that it can be recorded: the
/// recorded (redacted) body and the request to pass on, or the answer to a body that could not
/// be read, with what the journal says of it.
///
/// A body that parses as JSON is passed on parsed too (see [`ParsedJson`]), so that it is not
/// parsed twice.
pub async fn buffer(request: Request) -> Result<(Recorded, Request), (Recorded, Response)> {
    let (mut parts, body) = request.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            let read = read_body(&bytes);
            if let Some(parsed) = read.parsed {
                parts.extensions.insert(ParsedJson(parsed));
            }
            Ok((read.recorded, Request::from_parts(parts, Body::from(bytes))))
        }
        Err(error) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|source| source.is::<LengthLimitError>());
            let answer = if too_large {
                ApiError::PayloadTooLarge
            } else {
                ApiError::Malformed("The request body could not be read.".to_owned())
            };
            Err((
                note(&format!("<not recorded: {answer}>")),
                answer.into_response(),
            ))
        }
    }
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
