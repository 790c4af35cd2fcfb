//! The state document: the one JSON format for `GET`/`PUT /__admin/state` and the state file.
//!
//! ```json
//! {"schemaVersion": 1,
//!  "environments": [{"id": "…", "applications": [{"id": "…", "pushCredentials": [
//!     {"id": "…", "type": "APNS", "createdAt": "…", "updatedAt": "…",
//!      "key": "…", "teamId": "…", "token": "-----BEGIN PRIVATE KEY-----…"}]}]}]}
//! ```
//!
//! Each credential carries its type's own fields (`key`/`teamId`/`token`,
//! `googleServiceAccountCredentials`, `clientId`/`clientSecret`, or the legacy `FCM` `key`).
//! Reading validates the whole document with the same parser as the API (legacy `FCM` records
//! allowed) and reports every problem with its JSON path.

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::clock::format_timestamp;
use crate::domain::{
    CredentialType, FieldError, FieldErrorCode, ParseOptions, PushCredential, parse_push_credential,
};
use crate::json_input::{Problems, child, item};
use crate::store::{ApplicationRecord, CredentialRecord, EnvironmentRecord, Snapshot};

/// The version of the format this build writes and reads.
pub const SCHEMA_VERSION: u64 = 1;

/// What stands in for a secret in a redacted document.
pub const REDACTED: &str = "***";

/// The fields that hold secrets, whatever the type.
const SECRET_FIELDS: [&str; 5] = [
    "key",
    "teamId",
    "token",
    "googleServiceAccountCredentials",
    "clientSecret",
];

/// Whether a document shows the secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    /// Every secret is `"***"`: safe to show.
    Redacted,
    /// The real values: for the state file and for a deliberate admin export.
    Included,
}

/// The document for `snapshot`.
pub fn to_document(snapshot: &Snapshot, secrets: Secrets) -> Value {
    let environments: Vec<Value> = snapshot
        .environments
        .iter()
        .map(|environment| {
            let applications: Vec<Value> = environment
                .applications
                .iter()
                .map(|application| {
                    let credentials: Vec<Value> = application
                        .push_credentials
                        .iter()
                        .map(|record| credential_document(record, secrets))
                        .collect();
                    json!({"id": application.id, "pushCredentials": credentials})
                })
                .collect();
            json!({"id": environment.id, "applications": applications})
        })
        .collect();
    json!({"schemaVersion": SCHEMA_VERSION, "environments": environments})
}

fn credential_document(record: &CredentialRecord, secrets: Secrets) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(record.id));
    let ty = record.credential.credential_type();
    object.insert("type".into(), json!(ty.as_str()));
    object.insert(
        "createdAt".into(),
        json!(format_timestamp(record.created_at)),
    );
    object.insert(
        "updatedAt".into(),
        json!(format_timestamp(record.updated_at)),
    );
    let show = |secret: &crate::domain::Secret| match secrets {
        Secrets::Redacted => json!(REDACTED),
        Secrets::Included => json!(secret.expose()),
    };
    match &record.credential {
        PushCredential::Apns {
            key,
            team_id,
            token,
        } => {
            object.insert("key".into(), show(key));
            object.insert("teamId".into(), show(team_id));
            object.insert("token".into(), show(token));
        }
        PushCredential::FcmHttpV1 {
            google_service_account_credentials,
        } => {
            object.insert(
                "googleServiceAccountCredentials".into(),
                show(google_service_account_credentials),
            );
        }
        PushCredential::Hms {
            client_id,
            client_secret,
        } => {
            object.insert("clientId".into(), json!(client_id));
            object.insert("clientSecret".into(), show(client_secret));
        }
        PushCredential::Fcm { key } => {
            object.insert("key".into(), show(key));
        }
    }
    Value::Object(object)
}

/// Reads and validates a whole document; on failure, every problem with its JSON path.
pub fn from_document(document: &Value) -> Result<Snapshot, Vec<FieldError>> {
    let mut reader = Reader {
        problems: Problems::new(),
        credential_ids: HashSet::new(),
    };
    let snapshot = reader.document(document);
    reader.problems.finish(snapshot)
}

struct Reader {
    problems: Problems,
    credential_ids: HashSet<Uuid>,
}

impl Reader {
    fn document(&mut self, document: &Value) -> Option<Snapshot> {
        let object = self.problems.object(document, "")?;
        self.problems
            .unknown_keys(object, &["schemaVersion", "environments"], "");
        if let Some(version) = self.problems.required(object, "schemaVersion", "")
            && version.as_u64() != Some(SCHEMA_VERSION)
        {
            self.problems.invalid(
                "schemaVersion".to_owned(),
                format!(
                    "Unsupported schemaVersion {version}: this version of the emulator reads schemaVersion {SCHEMA_VERSION}."
                ),
            );
            // Nothing else can be judged against an unknown format.
            return None;
        }
        let list = self.problems.required(object, "environments", "");
        let list = self.problems.array(list, "environments", "")?;
        let mut seen = HashSet::new();
        let environments = list
            .iter()
            .enumerate()
            .map(|(index, value)| self.environment(value, &item("environments", index), &mut seen))
            .collect::<Vec<_>>();
        environments
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map(|environments| Snapshot { environments })
    }

    fn environment(
        &mut self,
        value: &Value,
        path: &str,
        seen: &mut HashSet<Uuid>,
    ) -> Option<EnvironmentRecord> {
        let object = self.problems.object(value, path)?;
        self.problems
            .unknown_keys(object, &["id", "applications"], path);
        let id = unique_id(&mut self.problems, object, path, seen);
        let list = self.problems.required(object, "applications", path);
        let list = self.problems.array(list, "applications", path)?;
        let applications_path = child(path, "applications");
        let mut app_ids = HashSet::new();
        let applications = list
            .iter()
            .enumerate()
            .map(|(index, value)| {
                self.application(value, &item(&applications_path, index), &mut app_ids)
            })
            .collect::<Vec<_>>();
        Some(EnvironmentRecord {
            id: id?,
            applications: applications.into_iter().collect::<Option<_>>()?,
        })
    }

    fn application(
        &mut self,
        value: &Value,
        path: &str,
        seen: &mut HashSet<Uuid>,
    ) -> Option<ApplicationRecord> {
        let object = self.problems.object(value, path)?;
        self.problems
            .unknown_keys(object, &["id", "pushCredentials"], path);
        let id = unique_id(&mut self.problems, object, path, seen);
        let list = self.problems.required(object, "pushCredentials", path);
        let list = self.problems.array(list, "pushCredentials", path)?;
        let credentials_path = child(path, "pushCredentials");
        let mut types = HashSet::new();
        let credentials = list
            .iter()
            .enumerate()
            .map(|(index, value)| {
                self.credential(value, &item(&credentials_path, index), &mut types)
            })
            .collect::<Vec<_>>();
        Some(ApplicationRecord {
            id: id?,
            push_credentials: credentials.into_iter().collect::<Option<_>>()?,
        })
    }

    fn credential(
        &mut self,
        value: &Value,
        path: &str,
        types: &mut HashSet<CredentialType>,
    ) -> Option<CredentialRecord> {
        let object = self.problems.object(value, path)?;
        let id = unique_id(&mut self.problems, object, path, &mut self.credential_ids);
        let created_at = self
            .problems
            .required(object, "createdAt", path)
            .and_then(|value| self.problems.timestamp(Some(value), "createdAt", path));
        let updated_at = self
            .problems
            .required(object, "updatedAt", path)
            .and_then(|value| self.problems.timestamp(Some(value), "updatedAt", path));
        if let (Some(created), Some(updated)) = (created_at, updated_at)
            && updated < created
        {
            self.problems
                .invalid(child(path, "updatedAt"), "Must not be before createdAt.");
        }
        let credential = self.credential_body(object, path);
        if let Some(credential) = &credential {
            let ty = credential.credential_type();
            if !types.insert(ty) {
                self.problems.push(
                    FieldErrorCode::UniquenessViolation,
                    child(path, "type"),
                    format!(
                        "The application already has a push credential of type {}: only one of each type is allowed.",
                        ty.as_str()
                    ),
                );
            }
        }
        Some(CredentialRecord {
            id: id?,
            created_at: created_at?,
            updated_at: updated_at?,
            credential: credential?,
        })
    }

    /// The type and its fields, parsed as the API parses a body, but strictly: a document is
    /// written by a program, so an unknown field is a mistake worth reporting.
    fn credential_body(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
    ) -> Option<PushCredential> {
        let mut body = object.clone();
        for key in ["id", "createdAt", "updatedAt"] {
            body.remove(key);
        }
        let mut redacted = false;
        for field in SECRET_FIELDS {
            if body.get(field).and_then(Value::as_str) == Some(REDACTED) {
                redacted = true;
                self.problems.invalid(
                    child(path, field),
                    "This secret was redacted on export; export with includeSecrets=true to get a document that can be loaded.",
                );
            }
        }
        let options = ParseOptions {
            allow_legacy_fcm: true,
            reject_unknown_fields: true,
        };
        match parse_push_credential(&body, options) {
            Ok(credential) if !redacted => Some(credential),
            Ok(_) => None,
            Err(errors) => {
                let fresh: Vec<FieldError> = errors
                    .into_iter()
                    .filter(|error| !self.problems.has(&child(path, &error.target)))
                    .collect();
                self.problems.extend_under(path, fresh);
                None
            }
        }
    }
}

/// The `id` of `object`, which must not be in `seen` yet.
fn unique_id(
    problems: &mut Problems,
    object: &Map<String, Value>,
    path: &str,
    seen: &mut HashSet<Uuid>,
) -> Option<Uuid> {
    let value = problems.required(object, "id", path)?;
    let id = problems.uuid(Some(value), "id", path)?;
    if !seen.insert(id) {
        problems.push(
            FieldErrorCode::UniquenessViolation,
            child(path, "id"),
            "This id appears more than once.",
        );
        return None;
    }
    Some(id)
}

#[cfg(test)]
mod tests;
