//! Steps 1 and 2, and how every answer ends: a fresh correlation id (the `Correlation-Id`
//! header, the span, the journal), the external ids a client sent ([`crate::external_id`]), the
//! `request` span (method, path, correlation id: never headers or bodies, which hold tokens and
//! secrets), and one log line per answer.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use uuid::Uuid;

use crate::call::Call;
use crate::database::Database;
use crate::external_id::ExternalIds;
use crate::journal::Journal;
use crate::journal::record::Pending;
use crate::journal::redact::Recorded;
use crate::rng::SplitMix64;

/// What is known of a call when it arrives, and what its answer is concluded with.
pub(super) struct Arrival {
    id: CorrelationId,
    /// The external transaction and session ids the answer carries.
    external: ExternalIds,
    pub(super) span: tracing::Span,
    /// When the call arrived, if its answer is logged.
    started: Option<Instant>,
    /// Its journal record, if it is journaled.
    pub(super) pending: Option<Pending>,
}

impl Arrival {
    /// A call arriving: its correlation id, external ids, span and journal record.
    pub(super) fn new(request: &Request, call: &Call, journal: &Journal) -> Self {
        let id = CorrelationId::generate();
        // Fields are formatted only if the span is logged.
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            correlation_id = %id.0,
        );
        Self {
            id,
            external: ExternalIds::of_request(request.headers()),
            started: (!span.is_disabled()).then(Instant::now),
            pending: Pending::start(journal, request, call, id.0),
            span,
        }
    }

    /// [`Arrival::conclude`] with the journal in the database: the entry is written before the
    /// answer leaves, so that a caller who got the answer finds it on every replica.
    pub(super) async fn conclude_shared(
        mut self,
        database: &Database,
        journal: &Journal,
        recorded: Recorded,
        response: Response,
    ) -> Response {
        if let Some(pending) = self.pending.take() {
            // A journal that cannot be written is logged, not answered: the call was served.
            let _ = database
                .record(pending.entry(response.status(), recorded))
                .await;
        }
        self.conclude(journal, None, response)
    }

    /// Journals and logs the answer, and gives it the correlation id and the external ids.
    pub(super) fn conclude(
        self,
        journal: &Journal,
        recorded: Recorded,
        mut response: Response,
    ) -> Response {
        if let Some(pending) = self.pending {
            pending.finish(journal, response.status(), recorded);
        }
        if let Some(started) = self.started {
            log_answer(&self.span, response.status(), started);
        }
        let headers = response.headers_mut();
        headers.insert(CORRELATION_ID.clone(), self.id.header_value());
        self.external.apply(headers);
        response
    }
}

/// The log line of an answer, at `info` (`error` for a 5xx), in the request's span.
fn log_answer(span: &tracing::Span, status: StatusCode, started: Instant) {
    let latency = started.elapsed().as_millis();
    let status = status.as_u16();
    if status >= 500 {
        tracing::error!(parent: span, latency = %format_args!("{latency} ms"), status, "finished processing request");
    } else {
        tracing::info!(parent: span, latency = %format_args!("{latency} ms"), status, "finished processing request");
    }
}

/// The header PingOne sends on every response.
pub static CORRELATION_ID: HeaderName = HeaderName::from_static("correlation-id");

/// The correlation id of the request being handled.
#[derive(Clone, Copy, Debug)]
pub struct CorrelationId(pub Uuid);

impl CorrelationId {
    /// A fresh random (version 4) id, from a small fast generator per thread (SplitMix64),
    /// seeded from the operating system: this runs on every request (`Uuid::new_v4` asks the
    /// kernel each time, and a cryptographic generator is needless here: ids are not secrets).
    pub fn generate() -> Self {
        thread_local! {
            // Seeded from the operating system on first use.
            static RNG: std::cell::Cell<Option<SplitMix64>> = const { std::cell::Cell::new(None) };
        }
        let [high, low] = RNG.with(|cell| {
            let mut rng = cell
                .get()
                .unwrap_or_else(|| SplitMix64::new(rand::random::<u64>()));
            let bits = [rng.next_u64(), rng.next_u64()];
            cell.set(Some(rng));
            bits
        });
        let bytes = (u128::from(high) << 64 | u128::from(low)).to_be_bytes();
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    fn header_value(self) -> HeaderValue {
        let mut buffer = Uuid::encode_buffer();
        HeaderValue::from_str(self.0.hyphenated().encode_lower(&mut buffer))
            .expect("a hyphenated UUID is a valid header value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<Uuid> =
            (0..10_000).map(|_| CorrelationId::generate().0).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(id.get_version_num(), 4, "{id}");
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
        // Another thread has a generator of its own, seeded apart.
        let other = std::thread::spawn(|| CorrelationId::generate().0)
            .join()
            .unwrap();
        assert!(!ids.contains(&other));
    }
}
