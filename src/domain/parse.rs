//! Parsing a request body into a [`PushCredential`], collecting every field error.

use serde_json::{Map, Value};

use super::fields::Problems;
use super::{CredentialType, JoinedSecrets, PushCredential, Secret};

/// The switches that change what a body may contain.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions {
    /// Accept `{"type":"FCM","key":…}` as the pre-deprecation API did.
    pub allow_legacy_fcm: bool,
    /// Reject unknown properties and properties of another type instead of ignoring them.
    pub reject_unknown_fields: bool,
}

/// The PingOne `details[].code` of a field problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldErrorCode {
    /// The field is missing or `null`.
    RequiredValue,
    /// The field is an empty string.
    EmptyValue,
    /// The field has the wrong JSON type or unusable content.
    InvalidValue,
    /// Another credential already holds this value (one credential per type).
    UniquenessViolation,
}

impl FieldErrorCode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiredValue => "REQUIRED_VALUE",
            Self::EmptyValue => "EMPTY_VALUE",
            Self::InvalidValue => "INVALID_VALUE",
            Self::UniquenessViolation => "UNIQUENESS_VIOLATION",
        }
    }
}

/// One problem with one field. Messages name fields, never their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// What is wrong.
    pub code: FieldErrorCode,
    /// The field name.
    pub target: String,
    /// A human-readable explanation.
    pub message: String,
    /// For an enum field, the values it accepts.
    pub allowed_values: Option<&'static [&'static str]>,
}

impl FieldError {
    /// A problem with `target` (a field name or a JSON path such as `environments[0].id`).
    pub fn new(code: FieldErrorCode, target: &str, message: String) -> Self {
        Self {
            code,
            target: target.to_owned(),
            message,
            allowed_values: None,
        }
    }

    /// `type` cannot change on replace.
    pub fn type_is_immutable(stored: CredentialType) -> Self {
        Self::new(
            FieldErrorCode::InvalidValue,
            "type",
            format!(
                "The type attribute is immutable: this push credential is {} and cannot change type.",
                stored.as_str()
            ),
        )
    }

    /// A credential of this type already exists on the application.
    pub fn type_already_used(ty: CredentialType) -> Self {
        Self::new(
            FieldErrorCode::UniquenessViolation,
            "type",
            format!(
                "The application already has a push credential of type {}: only one of each type is allowed.",
                ty.as_str()
            ),
        )
    }

    fn unsupported_type() -> Self {
        Self {
            allowed_values: Some(&CredentialType::SUPPORTED),
            ..Self::new(
                FieldErrorCode::InvalidValue,
                "type",
                "The type attribute must be one of APNS, FCM_HTTP_V1, HMS.".to_owned(),
            )
        }
    }
}

/// The message for a legacy `FCM` create (emulator text).
pub const LEGACY_FCM_MESSAGE: &str =
    "The FCM push credential type is no longer supported. Use FCM_HTTP_V1 instead.";

/// What the body said its `type` was, when it named a known one; used to report a type change.
pub fn declared_type(body: &Map<String, Value>) -> Option<CredentialType> {
    body.get("type")
        .and_then(Value::as_str)
        .and_then(CredentialType::from_wire)
}

/// Parses a JSON object into a valid credential, or returns every problem found.
pub fn parse_push_credential(
    body: &Map<String, Value>,
    options: ParseOptions,
) -> Result<PushCredential, Vec<FieldError>> {
    let ty = parse_type(body, options)?;
    let mut problems = Problems::new();
    let credential = match ty {
        CredentialType::Apns => {
            let key = problems.text(body, "key", "");
            let team_id = problems.text(body, "teamId", "");
            let token = problems.text(body, "token", "");
            let token = token.filter(|pem| problems.check(is_pkcs8_pem(pem), "token", PEM_MESSAGE));
            match (key, team_id, token) {
                (Some(key), Some(team_id), Some(token)) => {
                    Some(PushCredential::Apns(JoinedSecrets::new([
                        key, team_id, token,
                    ])))
                }
                _ => None,
            }
        }
        CredentialType::FcmHttpV1 => {
            let target = "googleServiceAccountCredentials";
            problems
                .text(body, target, "")
                .filter(|json| problems.check(is_service_account(json), target, SA_MESSAGE))
                .map(|json| PushCredential::FcmHttpV1 {
                    google_service_account_credentials: Secret::new(json),
                })
        }
        CredentialType::Hms => {
            let client_id = problems.text(body, "clientId", "");
            let client_secret = problems.text(body, "clientSecret", "");
            match (client_id, client_secret) {
                (Some(client_id), Some(secret)) => Some(PushCredential::Hms {
                    client_id: client_id.into(),
                    client_secret: Secret::new(secret),
                }),
                _ => None,
            }
        }
        CredentialType::Fcm => {
            // The legacy API required `teamId` and `token` to be left empty for FCM.
            let key = problems.text(body, "key", "");
            for field in ["teamId", "token"] {
                let empty = matches!(body.get(field), None | Some(Value::Null))
                    || body.get(field).and_then(Value::as_str) == Some("");
                problems.check(
                    empty,
                    field,
                    &format!("The {field} attribute must be left empty for type FCM."),
                );
            }
            key.map(|key| PushCredential::legacy_fcm(Secret::new(key)))
        }
    };
    if options.reject_unknown_fields {
        let context = format!("push credential type {}", ty.as_str());
        let known: Vec<&str> = std::iter::once("type")
            .chain(ty.fields().iter().copied())
            .collect();
        problems.unknown_keys(body, &known, "", &context);
    }
    problems.finish(credential)
}

fn parse_type(
    body: &Map<String, Value>,
    options: ParseOptions,
) -> Result<CredentialType, Vec<FieldError>> {
    let name = match body.get("type") {
        None | Some(Value::Null) => {
            return Err(vec![FieldError::new(
                FieldErrorCode::RequiredValue,
                "type",
                "The type attribute is required.".to_owned(),
            )]);
        }
        Some(Value::String(name)) => name,
        Some(_) => return Err(vec![FieldError::unsupported_type()]),
    };
    match CredentialType::from_wire(name) {
        Some(CredentialType::Fcm) if !options.allow_legacy_fcm => Err(vec![FieldError::new(
            FieldErrorCode::InvalidValue,
            "type",
            LEGACY_FCM_MESSAGE.to_owned(),
        )]),
        Some(ty) => Ok(ty),
        None if name.is_empty() => Err(vec![FieldError::new(
            FieldErrorCode::EmptyValue,
            "type",
            "The type attribute must not be empty.".to_owned(),
        )]),
        None => Err(vec![FieldError::unsupported_type()]),
    }
}

const PEM_MESSAGE: &str = "The token attribute must be the .p8 signing key: a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----).";
const SA_MESSAGE: &str = "The googleServiceAccountCredentials attribute must be the service account JSON: an object with \"type\":\"service_account\" and non-empty project_id, private_key and client_email.";

/// The PEM armour of a PKCS#8 private key.
const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

/// What is between the armour lines of `text` (surrounding whitespace allowed), if it has them.
fn pem_armoured(text: &str) -> Option<&str> {
    text.trim()
        .strip_prefix(PEM_BEGIN)
        .and_then(|rest| rest.strip_suffix(PEM_END))
}

/// Whether `text` is a PEM-armoured PKCS#8 private key. Lenient about line wrapping and
/// surrounding whitespace, as people paste keys in many shapes; strict about the content.
///
/// The base64 is decoded with the `base64` crate rather than through a PEM parser, which
/// decodes in constant time (this is no secret to keep from timing, and it made up a tenth of
/// a create); a test holds it to the same answers as `pkcs8`'s own PEM parsing.
fn is_pkcs8_pem(text: &str) -> bool {
    use base64::Engine;
    let Some(inner) = pem_armoured(text) else {
        return false;
    };
    // Whitespace is Unicode's, as `str::trim`'s; anything else that is not ASCII is no base64.
    let mut base64 = Vec::with_capacity(inner.len());
    if inner.is_ascii() {
        // Copied a line (a run between whitespace) at a time: pushing byte by byte through a
        // filter checked the capacity at every byte, a tenth of a create.
        for run in inner
            .as_bytes()
            .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        {
            base64.extend_from_slice(run);
        }
    } else {
        for c in inner.chars().filter(|c| !c.is_whitespace()) {
            let Ok(byte) = u8::try_from(c) else {
                return false;
            };
            base64.push(byte);
        }
    }
    if base64.is_empty() {
        return false;
    }
    base64::engine::general_purpose::STANDARD
        .decode(&base64)
        .is_ok_and(|der| pkcs8::PrivateKeyInfo::try_from(der.as_slice()).is_ok())
}

/// Whether `text` is a Google service-account JSON document.
fn is_service_account(text: &str) -> bool {
    let Ok(Value::Object(account)) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let non_empty = |field: &str| {
        account
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    };
    account.get("type").and_then(Value::as_str) == Some("service_account")
        && ["project_id", "private_key", "client_email"]
            .into_iter()
            .all(non_empty)
}

#[cfg(test)]
mod tests;
