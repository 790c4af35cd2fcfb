//! Request extractors whose rejections come back in PingOne's error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};
use uuid::Uuid;

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

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = path_params(parts, state).await?;
        Ok(Self(id_param(&params, "environmentId")?))
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

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = path_params(parts, state).await?;
        Ok(Self(app_key(&params)?))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CredentialPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = path_params(parts, state).await?;
        Ok(Self(
            app_key(&params)?,
            id_param(&params, "pushCredentialId")?,
        ))
    }
}

/// The path's parameters, percent-decoded, borrowed from the request (no copies: this runs on
/// every call).
async fn path_params<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<RawPathParams, ApiError> {
    RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::NotFound)
}

fn app_key(params: &RawPathParams) -> Result<AppKey, ApiError> {
    Ok(AppKey {
        environment_id: id_param(params, "environmentId")?,
        application_id: id_param(params, "applicationId")?,
    })
}

/// A path id must be a hyphenated UUID; anything else names nothing, hence 404.
fn id_param(params: &RawPathParams, name: &str) -> Result<Uuid, ApiError> {
    parse_id(
        params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value),
    )
}

fn parse_id(value: Option<&str>) -> Result<Uuid, ApiError> {
    value
        .filter(|value| value.len() == 36)
        .and_then(|value| Uuid::try_parse(value).ok())
        .ok_or(ApiError::NotFound)
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

    #[test]
    fn only_hyphenated_uuids_are_ids() {
        let id = "40de73de-ba62-494c-b605-4da440421fee";
        assert_eq!(parse_id(Some(id)).unwrap().to_string(), id);
        assert!(parse_id(None).is_err());
        for bad in [
            "40de73deba62494cb6054da440421fee",
            "{40de73de-ba62-494c-b605-4da440421fee}",
            "x",
            "",
        ] {
            assert!(parse_id(Some(bad)).is_err(), "{bad}");
        }
    }
}
