//! Writing a [`Snapshot`] as a document: everything, timestamps included, so that loading the
//! document back reproduces the same resources.

use serde_json::{Map, Value, json};

use super::{REDACTED, SCHEMA_VERSION, Secrets};
use crate::clock::format_timestamp;
use crate::domain::PushCredential;
use crate::store::{ApplicationRecord, CredentialRecord, EnvironmentRecord, Grants, Snapshot};

/// The document for `snapshot`, secrets shown or redacted.
pub fn to_document(snapshot: &Snapshot, secrets: Secrets) -> Value {
    let environments: Vec<Value> = snapshot
        .environments
        .iter()
        .map(|environment| environment_document(environment, secrets))
        .collect();
    json!({"schemaVersion": SCHEMA_VERSION, "environments": environments})
}

/// A secret's exposed value, or what stands for it.
fn show(secret: &str, secrets: Secrets) -> Value {
    match secrets {
        Secrets::Redacted => json!(REDACTED),
        Secrets::Included => json!(secret),
    }
}

fn environment_document(record: &EnvironmentRecord, secrets: Secrets) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(record.id));
    if let Value::Object(attributes) = record.spec.to_stored() {
        object.extend(attributes);
    }
    match &record.manages {
        Grants::Own => {}
        Grants::All => {
            object.insert("manages".into(), json!(["*"]));
        }
        Grants::Some(ids) => {
            object.insert("manages".into(), json!(ids));
        }
    }
    insert_timestamps(&mut object, record.created_at, record.updated_at);
    let applications: Vec<Value> = record
        .applications
        .iter()
        .map(|application| application_document(application, secrets))
        .collect();
    object.insert("applications".into(), Value::Array(applications));
    Value::Object(object)
}

fn application_document(record: &ApplicationRecord, secrets: Secrets) -> Value {
    let spec = &record.spec;
    let mut object = Map::new();
    object.insert("id".into(), json!(record.id));
    object.extend(
        spec.attributes()
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    if let Some(secret) = &record.client_secret {
        object.insert("clientSecret".into(), show(secret.expose(), secrets));
    }
    insert_timestamps(&mut object, record.created_at, record.updated_at);
    if spec.is_native() {
        let credentials: Vec<Value> = record
            .push_credentials
            .iter()
            .map(|credential| credential_document(credential, secrets))
            .collect();
        object.insert("pushCredentials".into(), Value::Array(credentials));
    }
    Value::Object(object)
}

fn credential_document(record: &CredentialRecord, secrets: Secrets) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(record.id));
    let ty = record.credential.credential_type();
    object.insert("type".into(), json!(ty.as_str()));
    insert_timestamps(&mut object, record.created_at, record.updated_at);
    match &record.credential {
        PushCredential::Apns(apns) => {
            let [key, team_id, token] = apns.expose();
            object.insert("key".into(), show(key, secrets));
            object.insert("teamId".into(), show(team_id, secrets));
            object.insert("token".into(), show(token, secrets));
        }
        PushCredential::FcmHttpV1 {
            google_service_account_credentials,
        } => {
            object.insert(
                "googleServiceAccountCredentials".into(),
                show(google_service_account_credentials.expose(), secrets),
            );
        }
        PushCredential::Hms {
            client_id,
            client_secret,
        } => {
            object.insert("clientId".into(), json!(client_id));
            object.insert("clientSecret".into(), show(client_secret.expose(), secrets));
        }
        PushCredential::Fcm { key } => {
            object.insert("key".into(), show(key.expose(), secrets));
        }
    }
    Value::Object(object)
}

fn insert_timestamps(
    object: &mut Map<String, Value>,
    created_at: crate::clock::Timestamp,
    updated_at: crate::clock::Timestamp,
) {
    object.insert("createdAt".into(), json!(format_timestamp(created_at)));
    object.insert("updatedAt".into(), json!(format_timestamp(updated_at)));
}
