//! Step 6: `application/hal+json` for clients that ask for it and not for plain JSON.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// Step 6: `application/hal+json` for a client that asked for it, in place of plain JSON.
pub(super) fn hal(wants_hal: bool, mut response: Response) -> Response {
    if wants_hal
        && response.headers().get(header::CONTENT_TYPE)
            == Some(&HeaderValue::from_static("application/json"))
    {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/hal+json"),
        );
    }
    response
}

/// Whether the client asks for `application/hal+json` and not for plain JSON (the Go SDK
/// refuses to decode `hal+json`, so it gets JSON whenever it accepts it).
pub(super) fn wants_hal(headers: &HeaderMap) -> bool {
    let accepts = |media_type: &str| {
        headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| value.contains(media_type))
    };
    accepts("application/hal+json") && !accepts("application/json")
}
