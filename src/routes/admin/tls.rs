//! `/__admin/tls/ca.pem`: the certificate of the local CA that signs the HTTPS certificate.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorBody};
use crate::openapi::ADMIN_TAG;
use crate::openapi::AdminUnauthorized;
use crate::state::AppState;

/// `GET /__admin/tls/ca.pem`: the CA certificate clients must trust (never its key); 404 when
/// there is no HTTPS listener or it presents the user's own certificate.
#[utoipa::path(
    get,
    path = "/__admin/tls/ca.pem",
    operation_id = "adminShowTlsCa",
    tag = ADMIN_TAG,
    responses(
        (status = 200, description = "The CA certificate, PEM", content_type = "application/x-pem-file", body = String),
        AdminUnauthorized,
        (status = 404, description = "No generated CA: no --tls-listen, or --tls-cert is used", body = ErrorBody),
    ),
    security((), ("adminToken" = []))
)]
pub async fn ca_pem(State(state): State<AppState>) -> Response {
    match state.tls().and_then(|identity| identity.ca_pem()) {
        Some(pem) => (
            [(header::CONTENT_TYPE, "application/x-pem-file")],
            pem.to_owned(),
        )
            .into_response(),
        None => ApiError::NotFound.into_response(),
    }
}
