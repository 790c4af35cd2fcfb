//! `POST /{environmentId}/as/token` (client credentials) and `GET /{environmentId}/as/jwks`.
//!
//! Errors here are OAuth 2.0 errors (RFC 6749 §5.2), not PingOne API errors: that is what
//! token endpoints answer and what OAuth client libraries expect.

use std::collections::HashMap;

use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::EnvironmentParams;
use crate::database::ClientAuthError;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::EnvironmentPath;
use crate::links::Links;
use crate::openapi::OAUTH_TAG;
use crate::openapi::schemas::{JwkSet, TokenRequest};
use crate::operations::{self, JWKS, TOKEN};
use crate::state::AppState;
use crate::store::ClientError;
use crate::tokens::TOKEN_LIFETIME_SECONDS;

/// The token endpoint and key set.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(jwks))
}

/// `POST /{environmentId}/as/token`: `grant_type=client_credentials`, client authenticated by
/// HTTP Basic or by `client_id` / `client_secret` form fields.
#[utoipa::path(
    post,
    path = TOKEN,
    operation_id = operations::CREATE_TOKEN,
    tag = OAUTH_TAG,
    params(EnvironmentParams),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token (RS256 JWT, valid one hour)", body = TokenResponse),
        (status = 400, description = "Bad request, unsupported grant or client not allowed it (RFC 6749 error)", body = OAuthErrorBody),
        (status = 401, description = "Client authentication failed (RFC 6749 error)", body = OAuthErrorBody),
        (status = 404, description = "The environment id is not a UUID", body = ErrorBody),
    ),
    security((), ("clientSecretBasic" = []))
)]
async fn token(
    State(state): State<AppState>,
    EnvironmentPath(environment_id): EnvironmentPath,
    links: Links,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> ApiResult<Response> {
    let Ok(Form(form)) = form else {
        return Ok(OAuthError::invalid_request(
            "The body must be application/x-www-form-urlencoded.",
        )
        .into_response());
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return Ok(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only client_credentials is supported.",
            )
            .into_response());
        }
        None => return Ok(OAuthError::invalid_request("grant_type is required.").into_response()),
    }
    let (method, client_id, secret) = match (
        basic_credentials(&headers),
        form.get("client_id"),
        form.get("client_secret"),
    ) {
        (Some(Ok((id, secret))), None, None) => ("CLIENT_SECRET_BASIC", id, secret),
        (None, Some(id), Some(secret)) => ("CLIENT_SECRET_POST", id.clone(), secret.clone()),
        (Some(Err(())), _, _) => return Ok(OAuthError::invalid_client(true).into_response()),
        (Some(_), _, _) => {
            return Ok(OAuthError::invalid_request(
                "Use one client authentication method, not two.",
            )
            .into_response());
        }
        (None, _, _) => return Ok(OAuthError::invalid_client(false).into_response()),
    };
    let application = match state
        .data()
        .authenticate_client(environment_id, &client_id, &secret)
        .await
    {
        Ok(application) if application.spec.token_endpoint_auth_method() == method => application,
        Ok(application) => {
            // The words the Go SDK looks for to retry: after a failed Basic attempt (a 429
            // included), x/oauth2 tries the form, and this answer sends it back to Basic.
            let description = format!(
                "Unsupported authentication method: this client authenticates with {}.",
                application.spec.token_endpoint_auth_method()
            );
            return Ok(OAuthError {
                basic_challenge: method == "CLIENT_SECRET_BASIC",
                ..OAuthError::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
            }
            .into_response());
        }
        Err(ClientAuthError::Store(error)) => return Err(error.into()),
        Err(ClientAuthError::Client(ClientError::InvalidClient)) => {
            return Ok(OAuthError::invalid_client(method == "CLIENT_SECRET_BASIC").into_response());
        }
        Err(ClientAuthError::Client(ClientError::UnauthorizedClient)) => {
            return Ok(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                "The client may not use the client_credentials grant.",
            )
            .into_response());
        }
    };
    let issuer = format!("{}/{environment_id}/as", links.origin());
    let access_token = state.tokens().issue(
        issuer,
        environment_id,
        &application.key.application_id.to_string(),
        state.clock().now(),
    );
    let mut response = Json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_SECONDS,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /{environmentId}/as/jwks`: the public key that signs access tokens.
#[utoipa::path(
    get,
    path = JWKS,
    operation_id = operations::READ_JWKS,
    tag = OAUTH_TAG,
    params(EnvironmentParams),
    responses(
        (status = 200, description = "The JSON Web Key Set", body = JwkSet),
        (status = 404, description = "The environment id is not a UUID", body = ErrorBody),
    )
)]
async fn jwks(
    State(state): State<AppState>,
    EnvironmentPath(_environment): EnvironmentPath,
) -> Json<jsonwebtoken::jwk::JwkSet> {
    Json(state.tokens().jwks())
}

/// `Authorization: Basic base64(client_id:client_secret)`: `None` when absent, `Err` when malformed.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Some(
        decoded
            .and_then(|text| {
                text.split_once(':')
                    .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
            })
            .ok_or(()),
    )
}

/// A successful token answer (RFC 6749 §5.1).
#[derive(Serialize, ToSchema)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
}

/// The body of an RFC 6749 error answer, for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the body `OAuthError` writes
struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `unauthorized_client`.
    error: String,
    /// A human-readable explanation.
    error_description: String,
}

/// An RFC 6749 error answer.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: std::borrow::Cow<'static, str>,
    basic_challenge: bool,
}

impl OAuthError {
    fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    fn invalid_request(description: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn invalid_client(basic_challenge: bool) -> Self {
        Self {
            basic_challenge,
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed.",
            )
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.error, "error_description": self.description});
        let mut response = (self.status, Json(body)).into_response();
        if self.basic_challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"PingOne\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded() {
        let header = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            headers
        };
        let encoded = STANDARD.encode("client:se:cret");
        assert_eq!(
            basic_credentials(&header(&format!("Basic {encoded}"))),
            Some(Ok(("client".into(), "se:cret".into())))
        );
        assert_eq!(basic_credentials(&header("Basic !!!")), Some(Err(())));
        assert_eq!(
            basic_credentials(&header(&format!("Basic {}", STANDARD.encode("no-colon")))),
            Some(Err(()))
        );
        assert_eq!(basic_credentials(&header("Bearer x")), None);
        assert_eq!(basic_credentials(&HeaderMap::new()), None);
    }
}
