//! Cross-cutting request handling: correlation ids, bearer auth, start-up, media types.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::config::AuthMode;
use crate::error::ApiError;
use crate::server::AppState;

/// The header PingOne sends on every response.
pub static CORRELATION_ID: HeaderName = HeaderName::from_static("correlation-id");

/// The correlation id of the request being handled, in the request's extensions.
#[derive(Clone, Copy, Debug)]
pub struct CorrelationId(pub Uuid);

impl CorrelationId {
    /// A fresh random (version 4) id. From the thread's random generator rather than
    /// `Uuid::new_v4`, which asks the kernel for every id: this runs on every request.
    fn generate() -> Self {
        Self(uuid::Builder::from_random_bytes(rand::random()).into_uuid())
    }

    fn header_value(self) -> HeaderValue {
        let mut buffer = Uuid::encode_buffer();
        HeaderValue::from_str(self.0.hyphenated().encode_lower(&mut buffer))
            .expect("a hyphenated UUID is a valid header value")
    }
}

/// Gives every request a fresh correlation id and sends it back as `Correlation-Id`.
pub async fn correlation_id(mut request: Request, next: Next) -> Response {
    let id = CorrelationId::generate();
    request.extensions_mut().insert(id);
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(CORRELATION_ID.clone(), id.header_value());
    response
}

/// `/v1` calls need `Authorization: Bearer <token>` unless auth is off; with `--auth jwt` the
/// token must be one this server issued, unexpired, from an environment that may manage the
/// environment in the path.
pub async fn require_bearer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_api = path == "/v1" || path.starts_with("/v1/");
    if !is_api {
        return next.run(request).await;
    }
    let token = bearer_token(request.headers());
    match (state.settings().auth, token) {
        (AuthMode::None, _) => {}
        (_, None) => return ApiError::Unauthorized.into_response(),
        (AuthMode::AnyBearer, Some(_)) => {}
        (AuthMode::Jwt, Some(token)) => {
            let Ok(claims) = state.tokens().verify(token, state.clock().now()) else {
                return ApiError::Unauthorized.into_response();
            };
            if let Some(target) = target_environment(path)
                && !state.store().may_manage(claims.env, target)
            {
                return ApiError::Forbidden.into_response();
            }
            request
                .extensions_mut()
                .insert(TokenEnvironment(claims.env));
        }
    }
    next.run(request).await
}

/// The environment whose token authorised the request (`--auth jwt` only).
#[derive(Clone, Copy, Debug)]
pub struct TokenEnvironment(pub Uuid);

/// The token of `Authorization: Bearer <token>`, if the header has that shape.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let mut parts = value.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    let token = parts.next().unwrap_or_default().trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// While the state file loads, everything but the probes and the API description waits, so
/// that no call sees (or changes) the empty state that the file is about to replace.
pub async fn wait_until_loaded(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !matches!(path, "/healthz" | "/readyz" | "/openapi.json") {
        state.loaded().await;
    }
    next.run(request).await
}

/// The `{environmentId}` of a `/v1/environments/{environmentId}…` path, when it is a UUID.
fn target_environment(path: &str) -> Option<Uuid> {
    let rest = path.strip_prefix("/v1/environments/")?;
    let id = rest.split('/').next()?;
    (id.len() == 36).then(|| Uuid::try_parse(id).ok()).flatten()
}

/// Answers `application/hal+json` only to a client that asks for it and not for plain JSON
/// (the Go SDK refuses to decode `hal+json`).
pub async fn negotiate_hal(request: Request, next: Next) -> Response {
    let wants_hal = {
        let accepts = |media_type: &str| {
            request
                .headers()
                .get_all(header::ACCEPT)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .any(|value| value.contains(media_type))
        };
        accepts("application/hal+json") && !accepts("application/json")
    };
    let mut response = next.run(request).await;
    let is_json = response.headers().get(header::CONTENT_TYPE)
        == Some(&HeaderValue::from_static("application/json"));
    if wants_hal && is_json {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/hal+json"),
        );
    }
    response
}

/// Answers 408 to a request that is not done in time (a client trickling its body, say), so
/// that no request can hold a connection for ever; the header-read limit is in [`crate::serve`].
pub async fn request_timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    tokio::time::timeout(state.settings().request_timeout, next.run(request))
        .await
        .unwrap_or_else(|_| ApiError::RequestTimeout.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_recognised() {
        let cases = [
            ("Bearer abc", true),
            ("bearer abc", true),
            ("BEARER  abc ", true),
            ("Bearer", false),
            ("Bearer ", false),
            ("Basic abc", false),
            ("Bearer a b", false),
            ("abc", false),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            assert_eq!(bearer_token(&headers).is_some(), expected, "{value:?}");
        }
        assert!(bearer_token(&HeaderMap::new()).is_none());
    }

    #[test]
    fn the_target_environment_comes_from_the_path() {
        let id = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";
        assert_eq!(
            target_environment(&format!("/v1/environments/{id}"))
                .unwrap()
                .to_string(),
            id
        );
        assert_eq!(
            target_environment(&format!("/v1/environments/{id}/applications"))
                .unwrap()
                .to_string(),
            id
        );
        assert!(target_environment("/v1/environments").is_none());
        assert!(target_environment("/v1/environments/nope/applications").is_none());
    }
}
