//! Request extractors whose rejections come back in PingOne's error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::call::Call;
use crate::error::ApiError;
use crate::store::AppKey;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body of a POST or PUT: a JSON object sent as `application/json`, at most 1 MiB.
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

/// A request body already read and parsed as JSON (by the journal, which records it), for
/// [`JsonObject`] to take instead of parsing the same bytes again.
#[derive(Clone, Debug)]
pub struct ParsedJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(mut req: Request, state: &S) -> Result<Self, ApiError> {
        if let Some(taken) = Self::take_parsed(&mut req) {
            return taken;
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::Malformed("The request body could not be read.".to_owned())
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::Malformed(
                "The request body is empty; a JSON object is required.".to_owned(),
            ));
        }
        // Error messages quote positions only, never the content (it may hold secrets).
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(value) => object(value),
            Err(error) => Err(ApiError::Malformed(format!(
                "The request body is not valid JSON (line {}, column {}).",
                error.line(),
                error.column()
            ))),
        }
    }
}

impl JsonObject {
    /// The body of a request whose body the journal has already read and parsed: an error for
    /// a wrong content type or a body that is not an object, the object otherwise, and `None`
    /// when there is no parsed body to take (the extractor reads it then). The extractor's
    /// first step, so that calls answered before routing get the same answers.
    pub fn take_parsed(request: &mut Request) -> Option<Result<Self, ApiError>> {
        if !is_json(request.headers()) {
            return Some(Err(ApiError::UnsupportedMediaType));
        }
        let ParsedJson(parsed) = request.extensions_mut().remove::<ParsedJson>()?;
        Some(object(parsed))
    }
}

/// A parsed body that must be an object.
fn object(value: Value) -> Result<JsonObject, ApiError> {
    match value {
        Value::Object(object) => Ok(JsonObject(object)),
        _ => Err(ApiError::Malformed(
            "The request body must be a JSON object.".to_owned(),
        )),
    }
}

/// `application/json`, parameters such as `charset` allowed.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// The `{environmentId}` of a path.
#[derive(Debug)]
pub struct EnvironmentPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for EnvironmentPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(call(parts).environment_id.ok_or(ApiError::NotFound)?))
    }
}

/// The `{environmentId}/applications/{applicationId}` part of a path.
#[derive(Debug)]
pub struct AppPath(pub AppKey);

/// The `…/pushCredentials/{pushCredentialId}` path.
#[derive(Debug)]
pub struct CredentialPath(pub AppKey, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for AppPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(call(parts).app().ok_or(ApiError::NotFound)?))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CredentialPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let call = call(parts);
        match (call.app(), call.credential_id) {
            (Some(app), Some(id)) => Ok(Self(app, id)),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// The request's classification: the pipeline's, or made here for a request that did not go
/// through it. A path id that is no hyphenated UUID names nothing, hence 404.
fn call(parts: &Parts) -> Call {
    parts
        .extensions
        .get::<Call>()
        .copied()
        .unwrap_or_else(|| Call::classify(&parts.method, parts.uri.path()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn json_content_types_are_recognised() {
        let accepted = [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
        ];
        let refused = [
            "text/plain",
            "application/hal+json",
            "application/jsonx",
            "",
        ];
        for (value, expected) in accepted
            .iter()
            .map(|v| (v, true))
            .chain(refused.iter().map(|v| (v, false)))
        {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json(&headers), expected, "{value}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }
}
