//! `GET /openapi.json`: the OpenAPI 3.1 description of every route the server serves.
//!
//! Routes are registered through `utoipa_axum`'s `routes!`, which reads each handler's
//! `#[utoipa::path]`: a route cannot be served without being described, nor described without
//! being served. Request bodies that handlers parse by hand are described by the types below.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;

/// Tag of the PingOne push-credential operations.
pub const PINGONE_TAG: &str = "Push credentials";
/// Tag of the PingOne environment operations.
pub const ENVIRONMENTS_TAG: &str = "Environments";
/// Tag of the PingOne application operations.
pub const APPLICATIONS_TAG: &str = "Applications";
/// Tag of the token endpoint and key set.
pub const OAUTH_TAG: &str = "Authorization server";
/// Tag of the emulator's own endpoints.
pub const ADMIN_TAG: &str = "Test control";
/// Tag of the probes.
pub const HEALTH_TAG: &str = "Health";

/// The parts of the document that no route contributes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "pingone-push-mock",
        description = "A local emulator of the PingOne MFA push-credentials API (with the environments, applications and token endpoint around it), with test-control endpoints under /__admin."
    ),
    modifiers(&SecuritySchemes),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer =
            || SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        components.add_security_scheme("bearerAuth", bearer());
        components.add_security_scheme("adminToken", bearer());
        components.add_security_scheme(
            "clientSecretBasic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// Serializes `openapi`, with its Link Objects spelled as OpenAPI spells them: utoipa 5 writes
/// their fields in snake case (`operation_id`), which no client reads as a link.
pub fn document_json(openapi: &utoipa::openapi::OpenApi) -> String {
    {
        let mut document = serde_json::to_value(openapi).expect("an OpenAPI document serializes");
        let operations = document
            .get_mut("paths")
            .and_then(serde_json::Value::as_object_mut)
            .into_iter()
            .flat_map(|paths| paths.values_mut())
            .filter_map(serde_json::Value::as_object_mut)
            .flat_map(|item| item.values_mut());
        for operation in operations {
            let links = operation
                .get_mut("responses")
                .and_then(serde_json::Value::as_object_mut)
                .into_iter()
                .flat_map(|responses| responses.values_mut())
                .filter_map(|response| response.get_mut("links"))
                .filter_map(serde_json::Value::as_object_mut)
                .flat_map(|links| links.values_mut())
                .filter_map(serde_json::Value::as_object_mut);
            for link in links {
                *link = std::mem::take(link)
                    .into_iter()
                    .map(|(key, value)| (link_field(&key).unwrap_or(&key).to_owned(), value))
                    .collect();
            }
        }
        document.to_string()
    }
}

/// The OpenAPI name of a Link Object field utoipa writes in snake case.
fn link_field(snake: &str) -> Option<&'static str> {
    match snake {
        "operation_id" => Some("operationId"),
        "operation_ref" => Some("operationRef"),
        "request_body" => Some("requestBody"),
        _ => None,
    }
}

pub mod admin;

/// Schema-only types: they describe bodies that handlers parse by hand, and are never built.
#[allow(dead_code)]
pub mod schemas {
    use utoipa::ToSchema;

    /// The body of a create or replace: one schema per type, told apart by `type`.
    #[derive(ToSchema)]
    #[serde(untagged)]
    #[schema(discriminator(property_name = "type", mapping(
        ("APNS" = "#/components/schemas/ApnsPushCredentialRequest"),
        ("FCM_HTTP_V1" = "#/components/schemas/FcmHttpV1PushCredentialRequest"),
        ("HMS" = "#/components/schemas/HmsPushCredentialRequest"),
    )))]
    pub enum PushCredentialRequest {
        /// Apple.
        Apns(ApnsPushCredentialRequest),
        /// Google, HTTP v1.
        FcmHttpV1(FcmHttpV1PushCredentialRequest),
        /// Huawei.
        Hms(HmsPushCredentialRequest),
    }

    /// `type` of an Apple credential.
    #[derive(ToSchema)]
    pub enum ApnsType {
        /// The only value.
        #[schema(rename = "APNS")]
        Apns,
    }

    /// `type` of a Google HTTP v1 credential.
    #[derive(ToSchema)]
    pub enum FcmHttpV1Type {
        /// The only value.
        #[schema(rename = "FCM_HTTP_V1")]
        FcmHttpV1,
    }

    /// `type` of a Huawei credential.
    #[derive(ToSchema)]
    pub enum HmsType {
        /// The only value.
        #[schema(rename = "HMS")]
        Hms,
    }

    /// Apple Push Notification service. Every field is write-only.
    #[derive(ToSchema)]
    pub struct ApnsPushCredentialRequest {
        #[schema(rename = "type")]
        pub credential_type: ApnsType,
        /// The key ID.
        #[schema(min_length = 1, write_only)]
        pub key: String,
        /// The Apple team ID.
        #[schema(rename = "teamId", min_length = 1, write_only)]
        pub team_id: String,
        /// The `.p8` signing key: a PEM-armoured PKCS#8 private key
        /// (`-----BEGIN PRIVATE KEY-----`, base64 of a DER `PrivateKeyInfo`,
        /// `-----END PRIVATE KEY-----`); line wrapping and surrounding whitespace are free.
        /// Anything else is `INVALID_VALUE`.
        #[schema(min_length = 1, write_only, format = "pkcs8-pem")]
        pub token: String,
    }

    /// Firebase Cloud Messaging, HTTP v1 API. Write-only.
    #[derive(ToSchema)]
    pub struct FcmHttpV1PushCredentialRequest {
        #[schema(rename = "type")]
        pub credential_type: FcmHttpV1Type,
        /// The service-account key file, as a string holding its JSON document: an object with
        /// `"type": "service_account"` and non-empty string `project_id`, `private_key` and
        /// `client_email` (other members are allowed). Anything else is `INVALID_VALUE`.
        #[schema(
            rename = "googleServiceAccountCredentials",
            min_length = 1,
            write_only,
            format = "google-service-account-json",
            content_media_type = "application/json"
        )]
        pub google_service_account_credentials: String,
    }

    /// Huawei Mobile Services. `clientSecret` is write-only; `clientId` is returned.
    #[derive(ToSchema)]
    pub struct HmsPushCredentialRequest {
        #[schema(rename = "type")]
        pub credential_type: HmsType,
        /// The OAuth 2.0 client id.
        #[schema(rename = "clientId", min_length = 1)]
        pub client_id: String,
        /// The OAuth 2.0 client secret.
        #[schema(rename = "clientSecret", min_length = 1, write_only)]
        pub client_secret: String,
    }

    /// The body of an environment create or replace.
    #[derive(ToSchema)]
    pub struct EnvironmentRequest {
        /// Display name.
        #[schema(min_length = 1)]
        pub name: String,
        /// Optional description.
        #[schema(min_length = 1)]
        pub description: Option<String>,
        /// `NA`, `EU`, `AP`, `CA`, `AU` or `SG`.
        #[schema(pattern = "^(NA|EU|AP|CA|AU|SG)$")]
        pub region: String,
        /// `SANDBOX` or `PRODUCTION`.
        #[schema(rename = "type", pattern = "^(SANDBOX|PRODUCTION)$")]
        pub environment_type: String,
        /// The license the environment uses.
        pub license: LicenseRef,
        /// The URL of the environment's icon.
        #[schema(min_length = 1)]
        pub icon: Option<String>,
    }

    /// `{"id": "…"}` naming a license.
    #[derive(ToSchema)]
    pub struct LicenseRef {
        /// The license id (a UUID).
        pub id: uuid::Uuid,
    }

    /// The body of an application create or replace: these members and every other attribute
    /// of PingOne's OIDC application model (`redirectUris`, `responseTypes`, `pkceEnforcement`,
    /// `deviceTimeout`, `parTimeout`, `corsSettings`, the whole `mobile` object, …), checked as
    /// PingOne documents them; what is left out gets PingOne's default.
    #[derive(ToSchema)]
    pub struct ApplicationRequest {
        /// Display name.
        #[schema(min_length = 1)]
        pub name: String,
        /// Optional description.
        #[schema(min_length = 1)]
        pub description: Option<String>,
        /// Whether the application is enabled (default `false`).
        pub enabled: Option<bool>,
        /// `OPENID_CONNECT`.
        #[schema(pattern = "^OPENID_CONNECT$")]
        pub protocol: String,
        /// `WEB_APP`, `NATIVE_APP`, `SINGLE_PAGE_APP`, `WORKER`, `SERVICE` or `CUSTOM_APP`;
        /// immutable.
        #[schema(
            rename = "type",
            pattern = "^(WEB_APP|NATIVE_APP|SINGLE_PAGE_APP|WORKER|SERVICE|CUSTOM_APP)$"
        )]
        pub application_type: String,
        /// OAuth grant types, e.g. `CLIENT_CREDENTIALS`; any non-empty list of them (default:
        /// by application type).
        #[schema(rename = "grantTypes", min_items = 1)]
        pub grant_types: Option<Vec<GrantType>>,
        /// `NONE`, `CLIENT_SECRET_BASIC`, `CLIENT_SECRET_POST`, …
        #[schema(
            rename = "tokenEndpointAuthMethod",
            pattern = "^(NONE|CLIENT_SECRET_BASIC|CLIENT_SECRET_POST|CLIENT_SECRET_JWT|PRIVATE_KEY_JWT)$"
        )]
        pub token_endpoint_auth_method: String,
        /// Mobile settings of a native application; ignored for other types.
        pub mobile: Option<MobileSettings>,
    }

    /// An OAuth grant type.
    #[derive(ToSchema)]
    pub enum GrantType {
        /// Authorization code.
        #[schema(rename = "AUTHORIZATION_CODE")]
        AuthorizationCode,
        /// Implicit.
        #[schema(rename = "IMPLICIT")]
        Implicit,
        /// Refresh token.
        #[schema(rename = "REFRESH_TOKEN")]
        RefreshToken,
        /// Client credentials.
        #[schema(rename = "CLIENT_CREDENTIALS")]
        ClientCredentials,
        /// Device authorization.
        #[schema(rename = "DEVICE_CODE")]
        DeviceCode,
        /// Token exchange.
        #[schema(rename = "TOKEN_EXCHANGE")]
        TokenExchange,
        /// Client-initiated backchannel authentication.
        #[schema(rename = "CIBA")]
        Ciba,
    }

    /// The mobile settings of a native application: these identifiers, and PingOne's
    /// `integrityDetection`, `passcodeRefreshDuration`, `passcodeGracePeriod`, `uriPrefix` and
    /// `push`.
    #[derive(ToSchema)]
    pub struct MobileSettings {
        /// The iOS bundle id.
        #[schema(rename = "bundleId", min_length = 1)]
        pub bundle_id: Option<String>,
        /// The Android package name.
        #[schema(rename = "packageName", min_length = 1)]
        pub package_name: Option<String>,
        /// The Huawei app id.
        #[schema(rename = "huaweiAppId", min_length = 1)]
        pub huawei_app_id: Option<String>,
        /// The Huawei package name.
        #[schema(rename = "huaweiPackageName", min_length = 1)]
        pub huawei_package_name: Option<String>,
    }

    /// The form of a client-credentials token request. The client authenticates with HTTP
    /// Basic or with `client_id` and `client_secret`, as its `tokenEndpointAuthMethod` says.
    #[derive(ToSchema)]
    pub struct TokenRequest {
        /// `client_credentials`.
        #[schema(pattern = "^client_credentials$")]
        pub grant_type: String,
        /// The application id (`CLIENT_SECRET_POST`).
        pub client_id: Option<String>,
        /// The client secret (`CLIENT_SECRET_POST`).
        #[schema(write_only)]
        pub client_secret: Option<String>,
    }

    /// A JSON Web Key Set (RFC 7517): `{"keys": [{"kty": "RSA", "kid": "…", "n": "…", "e": "AQAB", …}]}`.
    #[derive(ToSchema)]
    pub struct JwkSet {
        /// The keys.
        #[schema(value_type = Vec<Object>)]
        pub keys: Vec<()>,
    }

    /// `type` as it can appear in a response (stored legacy `FCM` records included).
    #[derive(ToSchema)]
    pub enum PushCredentialType {
        /// Apple.
        #[schema(rename = "APNS")]
        Apns,
        /// Google, HTTP v1.
        #[schema(rename = "FCM_HTTP_V1")]
        FcmHttpV1,
        /// Huawei.
        #[schema(rename = "HMS")]
        Hms,
        /// Google, legacy server key (stored records only).
        #[schema(rename = "FCM")]
        Fcm,
    }
}

/// 401 of a `/v1` call: no valid bearer token.
#[derive(utoipa::IntoResponses)]
#[response(status = 401, description = "No valid bearer token")]
pub struct Unauthorized(#[allow(dead_code)] ErrorBody);

/// 401 of an admin call: the admin token missing or wrong (`--admin-token`).
#[derive(utoipa::IntoResponses)]
#[response(status = 401, description = "Admin token missing or wrong")]
pub struct AdminUnauthorized(#[allow(dead_code)] ErrorBody);

/// The refusals of a request body before it is read: too large, or not JSON.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum BodyRefused {
    /// Over 1 MiB.
    #[response(status = 413, description = "Body over 1 MiB")]
    TooLarge(ErrorBody),
    /// Another `Content-Type` than `application/json`.
    #[response(status = 415, description = "Not application/json")]
    NotJson(ErrorBody),
}
