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
use crate::call::Call;
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::extract::ParsedJson;

/// What is known of a journaled request when it arrives.
#[derive(Debug)]
pub struct Pending {
    started: Instant,
    time: DateTime<Utc>,
    method: Method,
    /// The request's target, for its path: cloning it is a reference count on the bytes hyper
    /// read, where a copy of the path would be an allocation.
    uri: Uri,
    environment_id: Option<Uuid>,
    correlation_id: Uuid,
}

impl Pending {
    /// Starts the record of `request`, classified as `call`, unless the journal keeps nothing
    /// or the path is the emulator's own.
    pub fn start(
        journal: &Journal,
        request: &Request,
        call: &Call,
        correlation_id: Uuid,
    ) -> Option<Self> {
        (journal.capacity() > 0 && call.own.is_none()).then(|| Self {
            started: Instant::now(),
            time: Utc::now(),
            method: request.method().clone(),
            uri: request.uri().clone(),
            environment_id: call.environment_id,
            correlation_id,
        })
    }

    /// Journals the request with its answer's status and its recorded body.
    pub fn finish(self, journal: &Journal, status: StatusCode, body: Recorded) {
        journal.push(self.record(status, body));
    }

    /// The entry of the request with its answer's status and its recorded body (for a journal
    /// kept elsewhere).
    pub fn entry(self, status: StatusCode, body: Recorded) -> crate::journal::Entry {
        self.record(status, body).into_entry()
    }

    fn record(&self, status: StatusCode, body: Recorded) -> Record<'_> {
        let elapsed = self.started.elapsed();
        Record {
            time: self.time,
            method: self.method.clone(),
            path: self.uri.path(),
            status: status.as_u16(),
            duration_ms: (elapsed.as_secs_f64() * 1_000_000.0).round() / 1_000.0,
            correlation_id: Some(self.correlation_id),
            environment_id: self.environment_id,
            body,
        }
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
