//! Step 4: the body, read and parsed before the other steps when the journal records it, and for
//! the push-credential writes answered before routing, journal or not; the journal records
//! every answer, a 408 or 500 included.

use axum::extract::Request;
use axum::response::Response;

use super::arrival::Arrival;
use crate::call::Call;
use crate::journal::record;
use crate::journal::redact::Recorded;

/// Whether the body is read before the steps.
pub(super) fn read_first(request: &Request, call: &Call, arrival: &Arrival) -> bool {
    !http_body::Body::is_end_stream(request.body())
        && (arrival.pending.is_some() || call.is_push_credential())
}

/// The body to record and the request with it read (and parsed, when it is JSON); or the
/// answer to a body that could not be read.
pub(super) async fn read(request: Request) -> Result<(Recorded, Request), (Recorded, Response)> {
    record::buffer(request).await
}
