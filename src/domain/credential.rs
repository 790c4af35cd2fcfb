//! The push-credential types and their write-only fields.

use super::{JoinedSecrets, Secret};

/// The `type` of a push credential, as it appears on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialType {
    /// Apple Push Notification service.
    Apns,
    /// Firebase Cloud Messaging, HTTP v1 API.
    FcmHttpV1,
    /// Huawei Mobile Services.
    Hms,
    /// Firebase Cloud Messaging, legacy server key: no longer accepted by PingOne.
    Fcm,
}

impl CredentialType {
    /// The types a client may create today, in the order PingOne lists them.
    pub const SUPPORTED: [&'static str; 3] = ["APNS", "FCM_HTTP_V1", "HMS"];

    /// The wire name (`APNS`, `FCM_HTTP_V1`, `HMS`, `FCM`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apns => "APNS",
            Self::FcmHttpV1 => "FCM_HTTP_V1",
            Self::Hms => "HMS",
            Self::Fcm => "FCM",
        }
    }

    /// Parses a wire name; exact and case-sensitive, as PingOne's enums are.
    pub fn from_wire(name: &str) -> Option<Self> {
        match name {
            "APNS" => Some(Self::Apns),
            "FCM_HTTP_V1" => Some(Self::FcmHttpV1),
            "HMS" => Some(Self::Hms),
            "FCM" => Some(Self::Fcm),
            _ => None,
        }
    }

    /// The request fields that belong to this type, in the order errors are reported.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Apns => &["key", "teamId", "token"],
            Self::FcmHttpV1 => &["googleServiceAccountCredentials"],
            Self::Hms => &["clientId", "clientSecret"],
            Self::Fcm => &["key", "teamId", "token"],
        }
    }
}

/// A valid push credential with its secrets.
///
/// `Debug` is derived but every secret field is a [`Secret`] or [`JoinedSecrets`], so it prints
/// `***` for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushCredential {
    /// Apple, in this order: the key ID, the team ID and the `.p8` signing key (PKCS#8 PEM).
    Apns(JoinedSecrets<3>),
    /// Google: the service-account JSON document, as a string.
    FcmHttpV1 {
        /// The service-account JSON.
        google_service_account_credentials: Secret,
    },
    /// Huawei: OAuth client id (echoed in responses) and secret.
    Hms {
        /// The OAuth 2.0 client id; not a secret, PingOne echoes it.
        client_id: Box<str>,
        /// The OAuth 2.0 client secret.
        client_secret: Secret,
    },
    /// Legacy Google server key, kept for records created before the deprecation.
    Fcm {
        /// The FCM server key.
        key: Secret,
    },
}

impl PushCredential {
    /// A stored legacy `FCM` record (from seed data or with the legacy switch on).
    pub fn legacy_fcm(key: Secret) -> Self {
        Self::Fcm { key }
    }

    /// The credential's type.
    pub fn credential_type(&self) -> CredentialType {
        match self {
            Self::Apns(_) => CredentialType::Apns,
            Self::FcmHttpV1 { .. } => CredentialType::FcmHttpV1,
            Self::Hms { .. } => CredentialType::Hms,
            Self::Fcm { .. } => CredentialType::Fcm,
        }
    }

    /// The one non-secret field PingOne returns: the HMS `clientId`.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::Hms { client_id, .. } => Some(client_id),
            _ => None,
        }
    }
}
