//! Schema-only types for the bodies of the test-control endpoints. The handlers read those
//! bodies with the one JSON walker (every problem with its path) into typed values, a
//! `RuleSpec`, a `ClockSetting` or a `Snapshot`; these types say the same for clients and
//! generators, and tests hold each one to the fields its parser accepts.

// Never built: they exist for their schemas.
#![allow(dead_code)]

use utoipa::ToSchema;

/// `POST /__admin/faults`: which calls a rule is about, and exactly one action, `error` or
/// `delayMs`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRuleRequest {
    /// `*` (every PingOne call), an operation id such as `createPushCredential`, or a path
    /// template such as `/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}`.
    #[schema(min_length = 1)]
    pub route: String,
    /// Only calls with this method (with a path template or `*`).
    #[schema(min_length = 1)]
    pub method: Option<String>,
    /// Only calls about this environment.
    #[schema(rename = "environmentId")]
    pub environment_id: Option<uuid::Uuid>,
    /// Answer with this error.
    pub error: Option<InjectedErrorRequest>,
    /// Or hold the call this long before answering it.
    #[schema(rename = "delayMs", minimum = 1, maximum = 300_000)]
    pub delay_ms: Option<i64>,
    /// The chance, from 0 to 1, that a matching call is affected (default 1).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub probability: Option<f64>,
    /// The random generator's seed, to replay a run (default: random, and listed).
    pub seed: Option<u64>,
    /// Affect at most this many calls (default: every one).
    #[schema(minimum = 1)]
    pub times: Option<i64>,
}

/// The error a fault rule answers with, in PingOne's error shape.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InjectedErrorRequest {
    /// The HTTP status.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// PingOne's `code` (default: the one PingOne gives with that status).
    #[schema(min_length = 1)]
    pub code: Option<String>,
    /// `Retry-After`, in seconds: with 429 and 503 only.
    #[schema(rename = "retryAfter", minimum = 0, maximum = 86_400)]
    pub retry_after: Option<u64>,
}

/// `PUT /__admin/clock`: exactly one of the two.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    /// Freeze the clock at this time (RFC 3339).
    #[schema(rename = "frozenAt", format = DateTime)]
    pub frozen_at: Option<String>,
    /// Or run it this many milliseconds ahead (negative: behind), up to about a century.
    #[schema(rename = "offsetMs")]
    pub offset_ms: Option<i64>,
}

/// `PUT /__admin/state` (and `--seed-file`, `--state-file`): the whole state. Each entry is
/// what a client would send to create it, plus its id and, optionally, its timestamps.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateDocument {
    /// 1 (may be left out).
    #[schema(rename = "schemaVersion", minimum = 1, maximum = 1)]
    pub schema_version: Option<u64>,
    /// The environments, in creation order.
    pub environments: Vec<EnvironmentEntry>,
}

/// An environment of a state document: `EnvironmentRequest`'s members (`license` optional),
/// its id, timestamps, grants and applications.
#[derive(ToSchema)]
pub struct EnvironmentEntry {
    /// The environment id.
    pub id: uuid::Uuid,
    /// Display name.
    #[schema(min_length = 1)]
    pub name: String,
    /// `NA`, `EU`, `AP`, `CA`, `AU` or `SG`.
    #[schema(pattern = "^(NA|EU|AP|CA|AU|SG)$")]
    pub region: String,
    /// `SANDBOX` or `PRODUCTION`.
    #[schema(rename = "type", pattern = "^(SANDBOX|PRODUCTION)$")]
    pub environment_type: String,
    /// Other environments whose resources this environment's tokens may manage in `strict`
    /// tenancy; `["*"]` for all.
    pub manages: Option<Vec<String>>,
    /// When it was created (default: when the document is loaded).
    #[schema(rename = "createdAt", format = DateTime)]
    pub created_at: Option<String>,
    /// When it was last replaced (default: `createdAt`).
    #[schema(rename = "updatedAt", format = DateTime)]
    pub updated_at: Option<String>,
    /// Its applications, in creation order.
    pub applications: Option<Vec<ApplicationEntry>>,
}

/// An application of a state document: `ApplicationRequest`'s members, its id, timestamps,
/// the client secret of a worker or service, and the push credentials of a native application.
#[derive(ToSchema)]
pub struct ApplicationEntry {
    /// The application id.
    pub id: uuid::Uuid,
    /// Display name.
    #[schema(min_length = 1)]
    pub name: String,
    /// The application type.
    #[schema(rename = "type")]
    pub application_type: String,
    /// A worker's or service's client secret (default: generated).
    #[schema(rename = "clientSecret", min_length = 1, write_only)]
    pub client_secret: Option<String>,
    /// When it was created (default: when the document is loaded).
    #[schema(rename = "createdAt", format = DateTime)]
    pub created_at: Option<String>,
    /// When it was last replaced (default: `createdAt`).
    #[schema(rename = "updatedAt", format = DateTime)]
    pub updated_at: Option<String>,
    /// A `PushCredentialRequest` each, with its `id` (and, optionally, timestamps); stored
    /// legacy `FCM` records are accepted.
    #[schema(rename = "pushCredentials", value_type = Option<Vec<Object>>)]
    pub push_credentials: Option<Vec<()>>,
}

/// The member names of an object schema, in name order: tests hold them to the parsers'.
#[cfg(test)]
pub fn property_names<T: utoipa::PartialSchema>() -> Vec<String> {
    use utoipa::openapi::{RefOr, Schema};
    match T::schema() {
        RefOr::T(Schema::Object(object)) => {
            let mut names: Vec<String> = object.properties.keys().cloned().collect();
            names.sort();
            names
        }
        _ => panic!("not an object schema"),
    }
}
