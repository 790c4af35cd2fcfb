//! Small wire shapes shared by every resource.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `{"href": "…"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct Href {
    href: String,
}

impl Href {
    /// A link to `href`.
    pub fn new(href: String) -> Self {
        Self { href }
    }
}

/// `{"id": "…"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct IdRef {
    /// The referenced id.
    pub id: Uuid,
}

// OpenAPI descriptions of the path parameters, one per extractor in `crate::extract` (which is
// what actually parses them), shared by every route that takes them.

/// The `{environmentId}` of a path (`EnvironmentPath`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // describes the path; `EnvironmentPath` parses it
pub struct EnvironmentParams {
    /// The environment id (a UUID).
    #[param(rename = "environmentId")]
    environment_id: Uuid,
}

/// The `{environmentId}/applications/{applicationId}` of a path (`AppPath`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // describes the path; `AppPath` parses it
pub struct ApplicationParams {
    /// The environment id (a UUID).
    #[param(rename = "environmentId")]
    environment_id: Uuid,
    /// The application id (a UUID).
    #[param(rename = "applicationId")]
    application_id: Uuid,
}

/// The `…/pushCredentials/{pushCredentialId}` path (`CredentialPath`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // describes the path; `CredentialPath` parses it
pub struct CredentialParams {
    /// The environment id (a UUID).
    #[param(rename = "environmentId")]
    environment_id: Uuid,
    /// The application id (a UUID).
    #[param(rename = "applicationId")]
    application_id: Uuid,
    /// The push credential id (a UUID).
    #[param(rename = "pushCredentialId")]
    push_credential_id: Uuid,
}
