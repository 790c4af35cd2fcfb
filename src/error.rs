//! Every failure the API can answer, and the one PingOne error body they all become.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{FieldError, FieldErrorCode};

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// An error answered in PingOne's shape.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `INVALID_DATA`: one or more fields failed validation.
    #[error("validation failed on {} field(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// 400 `INVALID_REQUEST`: the body is not a JSON object.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// 400 `INVALID_REQUEST`: a query parameter that is not supported or malformed.
    #[error("invalid query parameter {parameter}: {reason}")]
    InvalidQuery {
        /// The parameter.
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// 401 `ACCESS_FAILED`: missing or invalid bearer token.
    #[error("missing or invalid access token")]
    Unauthorized,
    /// 403 `ACCESS_FAILED`: the token may not act on this environment.
    #[error("insufficient permissions")]
    Forbidden,
    /// 403 `ACCESS_FAILED`: secrets asked of an open admin API on a shared network.
    #[error("secrets need an admin token when the emulator listens beyond loopback")]
    SecretsNeedAdminToken,
    /// 404 `NOT_FOUND`.
    #[error("resource not found")]
    NotFound,
    /// 405 `INVALID_REQUEST`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 408 `INVALID_REQUEST`: the request took longer than the server allows.
    #[error("request timed out")]
    RequestTimeout,
    /// 413 `INVALID_REQUEST`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415 `INVALID_REQUEST`.
    #[error("unsupported content type")]
    UnsupportedMediaType,
    /// 500 `UNEXPECTED_ERROR`: a bug; never from normal operation.
    #[error("unexpected error")]
    Unexpected,
    /// An error a fault-injection rule asked for (`POST /__admin/faults`).
    #[error("injected {} {}", .0.status, .0.code)]
    Injected(InjectedError),
    /// 503 `UNEXPECTED_ERROR` with `Retry-After`: the database store cannot be reached, and
    /// nothing was written; a client retries, as the SDKs do.
    #[error("the database is unavailable")]
    Unavailable,
}

/// What `Retry-After` says while the database cannot be reached, in seconds.
const UNAVAILABLE_RETRY_AFTER: u64 = 1;
const UNAVAILABLE_MESSAGE: &str =
    "The request could not be completed. The service is temporarily unavailable.";

/// An error answered on purpose, for a client's retry and error handling to be tested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InjectedError {
    /// The HTTP status (400 to 599).
    pub status: StatusCode,
    /// The PingOne `code`.
    pub code: String,
    /// The `Retry-After` header, in seconds.
    pub retry_after: Option<u64>,
}

/// Top-level messages, as PingOne words them.
const INVALID_DATA_MESSAGE: &str =
    "The request could not be completed. One or more validation errors were in the request.";
const INVALID_REQUEST_MESSAGE: &str =
    "The request could not be completed. The request was malformed or invalid.";
const ACCESS_FAILED_MESSAGE: &str =
    "The request could not be completed. You do not have access to this resource.";
const NOT_FOUND_MESSAGE: &str =
    "The request could not be completed. The requested resource was not found.";
const UNEXPECTED_MESSAGE: &str =
    "The request could not be completed. An unexpected error occurred.";

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::Malformed(_) | Self::InvalidQuery { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::SecretsNeedAdminToken => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Injected(injected) => injected.status,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn body(&self) -> ErrorBody {
        let request_detail = |target: &'static str, message: String| {
            vec![Detail {
                code: "INVALID_VALUE",
                target: target.to_owned(),
                message,
                inner_error: None,
            }]
        };
        let (code, message, details) = match self {
            Self::Validation(errors) => (
                "INVALID_DATA",
                INVALID_DATA_MESSAGE,
                errors.iter().map(Detail::from).collect(),
            ),
            Self::Malformed(reason) => (
                "INVALID_REQUEST",
                INVALID_REQUEST_MESSAGE,
                request_detail("body", reason.clone()),
            ),
            Self::InvalidQuery { parameter, reason } => (
                "INVALID_REQUEST",
                INVALID_REQUEST_MESSAGE,
                request_detail(parameter, reason.clone()),
            ),
            Self::Unauthorized => (
                "ACCESS_FAILED",
                ACCESS_FAILED_MESSAGE,
                vec![Detail {
                    code: "INVALID_TOKEN",
                    target: "Authentication Credentials".to_owned(),
                    message:
                        "The authorization token is either missing or invalid, or it has expired."
                            .to_owned(),
                    inner_error: None,
                }],
            ),
            Self::Forbidden => (
                "ACCESS_FAILED",
                ACCESS_FAILED_MESSAGE,
                vec![Detail {
                    code: "INSUFFICIENT_PERMISSIONS",
                    target: "Authentication Credentials".to_owned(),
                    message:
                        "The token's environment has no permission to manage this environment."
                            .to_owned(),
                    inner_error: None,
                }],
            ),
            Self::SecretsNeedAdminToken => (
                "ACCESS_FAILED",
                ACCESS_FAILED_MESSAGE,
                vec![Detail {
                    code: "INSUFFICIENT_PERMISSIONS",
                    target: "includeSecrets".to_owned(),
                    message: "Secrets are only handed to a caller that proved it is the admin: \
                        this emulator listens on an address other than loopback and has no admin \
                        token. Start it with --admin-token or --admin-token-file \
                        (PINGONE_MOCK_ADMIN_TOKEN, PINGONE_MOCK_ADMIN_TOKEN_FILE) and send the \
                        token as a bearer token."
                        .to_owned(),
                    inner_error: None,
                }],
            ),
            Self::NotFound => ("NOT_FOUND", NOT_FOUND_MESSAGE, Vec::new()),
            Self::MethodNotAllowed => (
                "INVALID_REQUEST",
                INVALID_REQUEST_MESSAGE,
                request_detail(
                    "method",
                    "The HTTP method is not allowed for this resource; see the Allow header."
                        .to_owned(),
                ),
            ),
            Self::RequestTimeout => (
                "INVALID_REQUEST",
                INVALID_REQUEST_MESSAGE,
                request_detail(
                    "body",
                    "The request was not received in time; send it again.".to_owned(),
                ),
            ),
            Self::PayloadTooLarge => (
                "INVALID_REQUEST",
                INVALID_REQUEST_MESSAGE,
                request_detail("body", "The request body is larger than 1 MiB.".to_owned()),
            ),
            Self::UnsupportedMediaType => (
                "INVALID_REQUEST",
                INVALID_REQUEST_MESSAGE,
                request_detail(
                    "Content-Type",
                    "The request body must be sent with Content-Type: application/json.".to_owned(),
                ),
            ),
            Self::Unexpected => ("UNEXPECTED_ERROR", UNEXPECTED_MESSAGE, Vec::new()),
            Self::Unavailable => ("UNEXPECTED_ERROR", UNAVAILABLE_MESSAGE, Vec::new()),
            Self::Injected(injected) => {
                return ErrorBody {
                    id: Uuid::new_v4(),
                    code: Cow::Owned(injected.code.clone()),
                    message: injected_message(&injected.code, injected.status),
                    details: injected_details(injected.status),
                };
            }
        };
        ErrorBody {
            id: Uuid::new_v4(),
            code: Cow::Borrowed(code),
            message,
            details,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        match &self {
            Self::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::Injected(InjectedError {
                retry_after: Some(seconds),
                ..
            }) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
            }
            Self::Unavailable => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(UNAVAILABLE_RETRY_AFTER),
                );
            }
            _ => {}
        }
        response
    }
}

/// PingOne's error body. `details` is omitted when empty.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    id: Uuid,
    #[schema(value_type = String)]
    code: Cow<'static, str>,
    #[schema(value_type = String)]
    message: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<Detail>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Detail {
    #[schema(value_type = String)]
    code: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    target: String,
    message: String,
    #[serde(rename = "innerError", skip_serializing_if = "Option::is_none")]
    inner_error: Option<InnerError>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct InnerError {
    #[serde(rename = "allowedValues")]
    #[schema(value_type = Vec<String>)]
    allowed_values: &'static [&'static str],
}

/// Top-level message of an injected error: PingOne's for a code it uses, else by status.
fn injected_message(code: &str, status: StatusCode) -> &'static str {
    match code {
        "INVALID_DATA" => return INVALID_DATA_MESSAGE,
        "INVALID_REQUEST" => return INVALID_REQUEST_MESSAGE,
        "ACCESS_FAILED" => return ACCESS_FAILED_MESSAGE,
        "NOT_FOUND" => return NOT_FOUND_MESSAGE,
        _ => {}
    }
    match status.as_u16() {
        401 | 403 => ACCESS_FAILED_MESSAGE,
        404 => NOT_FOUND_MESSAGE,
        429 => "The request could not be completed. Too many requests were made; retry later.",
        500 => UNEXPECTED_MESSAGE,
        501..=599 => UNAVAILABLE_MESSAGE,
        _ => INVALID_REQUEST_MESSAGE,
    }
}

/// A 429 says which limit was hit, as PingOne does.
fn injected_details(status: StatusCode) -> Vec<Detail> {
    if status != StatusCode::TOO_MANY_REQUESTS {
        return Vec::new();
    }
    vec![Detail {
        code: "LIMIT_EXCEEDED",
        target: String::new(),
        message: "The rate limit for this resource was exceeded.".to_owned(),
        inner_error: None,
    }]
}

impl From<&FieldError> for Detail {
    fn from(error: &FieldError) -> Self {
        Self {
            code: error.code.as_str(),
            target: error.target.clone(),
            message: error.message.clone(),
            inner_error: error
                .allowed_values
                .map(|allowed_values| InnerError { allowed_values }),
        }
    }
}

/// A parsed body, judged only once its target is known to exist: a request to a missing
/// resource answers 404 before its body is judged, whatever is wrong with the body.
pub async fn parsed_if_found<T, V>(
    parsed: Result<T, Vec<FieldError>>,
    target: impl Future<Output = Result<V, crate::store::StoreError>>,
) -> ApiResult<T> {
    match parsed {
        Ok(value) => Ok(value),
        Err(errors) => {
            target.await?;
            Err(ApiError::Validation(errors))
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::DuplicateType(ty) => {
                Self::Validation(vec![FieldError::type_already_used(ty)])
            }
            StoreError::TypeChanged(ty) => {
                Self::Validation(vec![FieldError::type_is_immutable(ty)])
            }
            StoreError::DuplicateId(_) => Self::Validation(vec![FieldError::new(
                crate::domain::FieldErrorCode::UniquenessViolation,
                "id",
                "An id appears more than once.".to_owned(),
            )]),
            StoreError::NotNativeApp => Self::Validation(vec![FieldError::new(
                FieldErrorCode::InvalidValue,
                "application",
                "Push credentials can only be added to native applications (type NATIVE_APP)."
                    .to_owned(),
            )]),
            StoreError::ApplicationTypeChanged(ty) => Self::Validation(vec![FieldError::new(
                FieldErrorCode::InvalidValue,
                "type",
                format!("The type attribute is immutable: this application is {ty}."),
            )]),
            StoreError::NoSecret => Self::NotFound,
            StoreError::Unavailable => Self::Unavailable,
        }
    }
}
