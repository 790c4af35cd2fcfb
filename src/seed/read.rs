//! The one validating loader: a whole document in, a [`Snapshot`] or every problem out, each
//! problem with its JSON path (`environments[0].applications[2].pushCredentials[0].token`).

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{REDACTED, SCHEMA_VERSION};
use crate::clock::Timestamp;
use crate::domain::{
    ApplicationSpec, CredentialType, EnvironmentSpec, FieldError, FieldErrorCode, ParseOptions,
    PushCredential, Secret, application_attributes, parse_application, parse_environment,
    parse_push_credential,
};
use crate::domain::{Problems, child, item, present};
use crate::store::{ApplicationRecord, CredentialRecord, EnvironmentRecord, Grants, Snapshot};

/// The members of a document (`openapi::admin::StateDocument` describes them).
pub(super) const DOCUMENT: [&str; 2] = ["schemaVersion", "environments"];
/// The members of an environment entry besides the environment's attributes.
pub(super) const ENVIRONMENT_ENTRY: [&str; 5] =
    ["id", "manages", "createdAt", "updatedAt", "applications"];
/// The members of an application entry besides the application's attributes.
pub(super) const APPLICATION_ENTRY: [&str; 5] = [
    "id",
    "clientSecret",
    "createdAt",
    "updatedAt",
    "pushCredentials",
];
/// The fields of an environment entry that are the environment's attributes.
pub(super) const ENVIRONMENT_ATTRIBUTES: [&str; 6] =
    ["name", "description", "region", "type", "license", "icon"];
/// The fields that hold push-credential secrets, whatever the type.
const CREDENTIAL_SECRETS: [&str; 5] = [
    "key",
    "teamId",
    "token",
    "googleServiceAccountCredentials",
    "clientSecret",
];
/// Stands in for the license of an environment the document gives none (see [`Reader::environment`]).
const NO_LICENSE: Uuid = Uuid::nil();

/// Reads and validates a whole document; a missing `createdAt`/`updatedAt` becomes `now`.
pub fn from_document(document: &Value, now: Timestamp) -> Result<Snapshot, Vec<FieldError>> {
    Ok(read(document)?.at(now))
}

/// Reads and validates a whole document, leaving the missing timestamps to [`Dated::at`].
pub fn read(document: &Value) -> Result<Dated, Vec<FieldError>> {
    let mut reader = Reader {
        problems: Problems::new(),
        credential_ids: HashSet::new(),
        granted: Vec::new(),
        dating: Vec::new(),
    };
    let snapshot = reader.document(document);
    let dating = std::mem::take(&mut reader.dating);
    reader
        .problems
        .finish(snapshot)
        .map(|snapshot| Dated { snapshot, dating })
}

/// A validated document whose undated entries are dated when it is used.
#[derive(Clone, Debug)]
pub struct Dated {
    /// Undated entries hold a stand-in time until [`Dated::at`] replaces it.
    snapshot: Snapshot,
    /// One per entry, in document order: environment, then each application and its credentials.
    dating: Vec<Dating>,
}

/// Which of an entry's timestamps the document gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dating {
    /// Both, or `createdAt` alone (`updatedAt` is then `createdAt`).
    Given,
    /// `updatedAt` alone: created at the time of use, or at `updatedAt` if that is earlier.
    UpdatedOnly,
    /// Neither: created and updated at the time of use.
    Neither,
}

impl Dated {
    /// The snapshot with every undated entry dated `now`.
    pub fn at(&self, now: Timestamp) -> Snapshot {
        let mut snapshot = self.snapshot.clone();
        let mut dating = self.dating.iter().copied();
        let mut date = |created: &mut Timestamp, updated: &mut Timestamp| match dating
            .next()
            .unwrap_or(Dating::Given)
        {
            Dating::Given => {}
            Dating::UpdatedOnly => *created = (*updated).min(now),
            Dating::Neither => (*created, *updated) = (now, now),
        };
        for environment in &mut snapshot.environments {
            date(&mut environment.created_at, &mut environment.updated_at);
            for application in &mut environment.applications {
                date(&mut application.created_at, &mut application.updated_at);
                for credential in &mut application.push_credentials {
                    date(&mut credential.created_at, &mut credential.updated_at);
                }
            }
        }
        snapshot
    }
}

struct Reader {
    problems: Problems,
    credential_ids: HashSet<Uuid>,
    /// Every `manages` list with its path, to check once every environment id is known.
    granted: Vec<(String, Vec<Uuid>)>,
    /// What each entry's timestamps were, in document order.
    dating: Vec<Dating>,
}

impl Reader {
    fn document(&mut self, document: &Value) -> Option<Snapshot> {
        let object = self.problems.object(document, "")?;
        self.problems
            .unknown_keys(object, &DOCUMENT, "", "a state document");
        if let Some(version) = present(object, "schemaVersion")
            && version.as_u64() != Some(SCHEMA_VERSION)
        {
            self.problems.invalid(
                "schemaVersion",
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
        let environments: Vec<Option<EnvironmentRecord>> = list
            .iter()
            .enumerate()
            .map(|(index, value)| self.environment(value, &item("environments", index), &mut seen))
            .collect();
        // `manages` may only name environments of this document.
        for (path, targets) in std::mem::take(&mut self.granted) {
            for (position, target) in targets.iter().enumerate() {
                if !seen.contains(target) {
                    self.problems.invalid(
                        item(&path, position),
                        format!("There is no environment {target} in this document."),
                    );
                }
            }
        }
        let environments = environments.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Snapshot { environments })
    }

    fn environment(
        &mut self,
        value: &Value,
        path: &str,
        seen: &mut HashSet<Uuid>,
    ) -> Option<EnvironmentRecord> {
        let object = self.problems.object(value, path)?;
        let mut allowed = ENVIRONMENT_ENTRY.to_vec();
        allowed.extend(ENVIRONMENT_ATTRIBUTES);
        self.problems
            .unknown_keys(object, &allowed, path, "an environment");
        let id = unique_id(&mut self.problems, object, path, seen);
        let (created_at, updated_at) = self.timestamps(object, path);
        let spec = self.environment_spec(object, path);
        let manages = self.grants(present(object, "manages"), &child(path, "manages"));
        let list = present(object, "applications");
        let list = self.problems.array(list, "applications", path);
        let applications_path = child(path, "applications");
        let mut app_ids = HashSet::new();
        let applications: Vec<Option<ApplicationRecord>> = list
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(index, value)| {
                self.application(value, &item(&applications_path, index), &mut app_ids)
            })
            .collect();
        Some(EnvironmentRecord {
            id: id?,
            spec: spec?,
            created_at: created_at?,
            updated_at: updated_at?,
            manages: manages?,
            applications: applications.into_iter().collect::<Option<_>>()?,
        })
    }

    /// The environment's attributes, checked as the API checks a body, except that `license`
    /// may be left out: environments provisioned automatically have none, and must round-trip.
    fn environment_spec(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
    ) -> Option<EnvironmentSpec> {
        let mut body = attributes(object, &ENVIRONMENT_ATTRIBUTES);
        let licensed = present(object, "license").is_some();
        if !licensed {
            body.insert("license".into(), json!({"id": NO_LICENSE}));
        }
        match parse_environment(&body, false) {
            Ok(spec) if licensed => Some(spec),
            Ok(spec) => Some(EnvironmentSpec {
                license_id: None,
                ..spec
            }),
            Err(errors) => {
                self.problems.extend_under(path, errors);
                None
            }
        }
    }

    /// `manages`: absent (its own environment only), `["*"]` (every one), or environment ids.
    fn grants(&mut self, value: Option<&Value>, path: &str) -> Option<Grants> {
        let Some(value) = value else {
            return Some(Grants::Own);
        };
        let Some(items) = value.as_array() else {
            self.problems
                .invalid(path, "Must be an array of environment ids, or [\"*\"].");
            return None;
        };
        if items.len() == 1 && items[0] == "*" {
            return Some(Grants::All);
        }
        let mut ids = Vec::new();
        for (index, value) in items.iter().enumerate() {
            match value.as_str().and_then(crate::domain::parse_id) {
                Some(id) => ids.push(id),
                None => self.problems.invalid(
                    item(path, index),
                    "Must be an environment id, or the whole list must be [\"*\"].",
                ),
            }
        }
        if ids.len() != items.len() {
            return None;
        }
        self.granted.push((path.to_owned(), ids.clone()));
        Some(if ids.is_empty() {
            Grants::Own
        } else {
            Grants::Some(ids)
        })
    }

    fn application(
        &mut self,
        value: &Value,
        path: &str,
        seen: &mut HashSet<Uuid>,
    ) -> Option<ApplicationRecord> {
        let object = self.problems.object(value, path)?;
        let mut allowed = APPLICATION_ENTRY.to_vec();
        let names: Vec<&str> = application_attributes().collect();
        allowed.extend(&names);
        self.problems
            .unknown_keys(object, &allowed, path, "an application");
        let id = unique_id(&mut self.problems, object, path, seen);
        let (created_at, updated_at) = self.timestamps(object, path);
        let spec = parse_application(&attributes(object, &names), false)
            .map_err(|errors| self.problems.extend_under(path, errors))
            .ok();
        let client_secret =
            self.client_secret(present(object, "clientSecret"), spec.as_ref(), path);
        let list = present(object, "pushCredentials");
        let list = self.problems.array(list, "pushCredentials", path);
        let credentials_path = child(path, "pushCredentials");
        if list.is_some_and(|list| !list.is_empty())
            && spec.as_ref().is_some_and(|spec| !spec.is_native())
        {
            self.problems.invalid(
                credentials_path.clone(),
                "Push credentials belong to native applications (type NATIVE_APP) only.",
            );
        }
        let mut types = HashSet::new();
        let credentials: Vec<Option<CredentialRecord>> = list
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(index, value)| {
                self.credential(value, &item(&credentials_path, index), &mut types)
            })
            .collect();
        Some(ApplicationRecord {
            id: id?,
            spec: spec?,
            client_secret: client_secret?,
            created_at: created_at?,
            updated_at: updated_at?,
            push_credentials: credentials.into_iter().collect::<Option<_>>()?,
        })
    }

    /// `clientSecret`: only for workers and services, where it may be left out (one is
    /// generated). `Some(None)` is "no secret", `None` a problem.
    fn client_secret(
        &mut self,
        value: Option<&Value>,
        spec: Option<&ApplicationSpec>,
        path: &str,
    ) -> Option<Option<Secret>> {
        let target = child(path, "clientSecret");
        let Some(value) = value else {
            return Some(None);
        };
        if spec.is_some_and(|spec| !spec.has_client_secret()) {
            self.problems.invalid(
                target,
                "Only WORKER and SERVICE applications have a client secret.",
            );
            return None;
        }
        match value.as_str() {
            Some(REDACTED) => {
                self.problems.invalid(target, REDACTED_MESSAGE);
                None
            }
            Some(secret) if !secret.is_empty() => Some(Some(Secret::new(secret))),
            Some(_) => {
                self.problems.push(
                    FieldErrorCode::EmptyValue,
                    target,
                    "The clientSecret attribute must not be empty.",
                );
                None
            }
            None => {
                self.problems
                    .invalid(target, "The clientSecret attribute must be a string.");
                None
            }
        }
    }

    fn credential(
        &mut self,
        value: &Value,
        path: &str,
        types: &mut HashSet<CredentialType>,
    ) -> Option<CredentialRecord> {
        let object = self.problems.object(value, path)?;
        let id = unique_id(&mut self.problems, object, path, &mut self.credential_ids);
        let (created_at, updated_at) = self.timestamps(object, path);
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

    /// The type and its fields, parsed as the API parses a body (legacy `FCM` allowed), but
    /// strictly: a document is written by a program or by hand, and an unknown field is a
    /// mistake worth reporting.
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
        for field in CREDENTIAL_SECRETS {
            if body.get(field).and_then(Value::as_str) == Some(REDACTED) {
                redacted = true;
                self.problems.invalid(child(path, field), REDACTED_MESSAGE);
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

    /// `createdAt` and `updatedAt`, both optional: a missing `createdAt` is the time of use (or
    /// an earlier `updatedAt`), a missing `updatedAt` is `createdAt`. What is missing is noted in
    /// `dating`; the stand-in returned for it is replaced when the document is used.
    fn timestamps(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
    ) -> (Option<Timestamp>, Option<Timestamp>) {
        let mut read = |key: &str| match present(object, key) {
            None => Some(None),
            Some(value) => self.problems.timestamp(Some(value), key, path).map(Some),
        };
        let (created, updated) = (read("createdAt"), read("updatedAt"));
        let (Some(created), Some(updated)) = (created, updated) else {
            return (None, None);
        };
        if let (Some(created), Some(updated)) = (created, updated)
            && updated < created
        {
            let message = "The updatedAt attribute must not be before createdAt.";
            self.problems.invalid(child(path, "updatedAt"), message);
            return (None, None);
        }
        let (dating, created, updated) = match (created, updated) {
            (Some(created), updated) => (Dating::Given, created, updated.unwrap_or(created)),
            (None, Some(updated)) => (Dating::UpdatedOnly, updated, updated),
            (None, None) => (
                Dating::Neither,
                Timestamp::UNIX_EPOCH,
                Timestamp::UNIX_EPOCH,
            ),
        };
        self.dating.push(dating);
        (Some(created), Some(updated))
    }
}

const REDACTED_MESSAGE: &str = "This secret was redacted on export; export with includeSecrets=true to get a document that can be loaded.";

/// The entries of `object` named in `keys`: an entry's attributes without its id, children
/// and timestamps, to be parsed as an API body.
fn attributes(object: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(key, _)| keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
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
