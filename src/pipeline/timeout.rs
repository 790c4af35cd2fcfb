//! Step 3: the request timeout (408), which covers reading the body, waiting for the state file
//! and fault delays (a request that waits for none of these is not timed: nothing can hold it).

use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::journal::redact::{self, Recorded};

/// Step 3's answer, 408, with what the journal says of the body it did not get to record.
pub(super) fn timed_out() -> (Recorded, Response) {
    let answer = ApiError::RequestTimeout;
    (
        redact::note(&format!("<not recorded: {answer}>")),
        answer.into_response(),
    )
}
