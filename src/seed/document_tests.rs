//! The document format: writing and reading back, redaction, and the JSON paths of problems.

use chrono::Utc;
use serde_json::{Value, json};

use super::*;

const APNS_KEY: &str = include_str!("../../tests/fixtures/apns-signing-key.p8");
const SERVICE_ACCOUNT: &str = include_str!("../../tests/fixtures/service-account.json");
const ENV: &str = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";
const APP: &str = "5e81bba1-5185-457c-926a-aae0e8939109";
const WORKER: &str = "a0b1c2d3-0000-4000-8000-0000000000a1";
const CREATED: &str = "2022-01-06T15:44:10.669Z";
const UPDATED: &str = "2022-01-06T15:45:41.296Z";

fn credential(id: u8, fields: Value) -> Value {
    let mut object = json!({
        "id": format!("00000000-0000-4000-8000-0000000000{id:02x}"),
        "createdAt": "2022-01-06T15:44:10.669Z",
        "updatedAt": "2022-01-06T15:45:41.296Z",
    });
    for (key, value) in fields.as_object().unwrap() {
        object[key] = value.clone();
    }
    object
}

fn environment(id: &str, applications: Value) -> Value {
    json!({"id": id, "name": "Mobile", "description": "Apps", "region": "EU", "type": "SANDBOX",
           "license": {"id": "11111111-2222-4333-8444-555555555555"},
           "createdAt": CREATED, "updatedAt": UPDATED, "applications": applications})
}

fn native(credentials: Vec<Value>) -> Value {
    json!({"id": APP, "name": "Authenticator", "enabled": true, "protocol": "OPENID_CONNECT",
           "type": "NATIVE_APP", "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
           "mobile": {"bundleId": "com.example.app"},
           "createdAt": CREATED, "updatedAt": UPDATED, "pushCredentials": credentials})
}

fn worker(secret: &str) -> Value {
    json!({"id": WORKER, "name": "Terraform", "enabled": true, "protocol": "OPENID_CONNECT",
           "type": "WORKER", "grantTypes": ["CLIENT_CREDENTIALS"],
           "tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC", "clientSecret": secret,
           "createdAt": CREATED, "updatedAt": UPDATED})
}

fn document(credentials: Vec<Value>) -> Value {
    json!({"schemaVersion": 1, "environments": [environment(ENV, json!([native(credentials)]))]})
}

fn read(document: &Value) -> Result<Snapshot, Vec<FieldError>> {
    from_document(document, Utc::now())
}

fn every_type() -> Value {
    document(vec![
        credential(
            1,
            json!({"type":"APNS","key":"K","teamId":"T","token":APNS_KEY}),
        ),
        credential(
            2,
            json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":SERVICE_ACCOUNT}),
        ),
        credential(
            3,
            json!({"type":"HMS","clientId":"108046495","clientSecret":"hms-secret"}),
        ),
        credential(4, json!({"type":"FCM","key":"legacy-server-key"})),
    ])
}

/// Whether everything `part` says is in `whole` (objects may hold more members there: the
/// defaults PingOne fills in).
fn holds(whole: &Value, part: &Value) -> bool {
    match (whole, part) {
        (Value::Object(whole), Value::Object(part)) => part
            .iter()
            .all(|(key, value)| whole.get(key).is_some_and(|there| holds(there, value))),
        (Value::Array(whole), Value::Array(part)) => {
            whole.len() == part.len() && whole.iter().zip(part).all(|(w, p)| holds(w, p))
        }
        _ => whole == part,
    }
}

/// Exports `original` once read: all of it is there (with the defaults filled in), and the
/// export reads back to itself.
fn assert_round_trips(original: &Value) -> Snapshot {
    let snapshot = read(original).unwrap();
    let exported = to_document(&snapshot, Secrets::Included);
    assert!(holds(&exported, original), "{exported:#}\n{original:#}");
    let again = to_document(&read(&exported).unwrap(), Secrets::Included);
    assert_eq!(again, exported);
    snapshot
}

fn problems(document: &Value) -> Vec<(&'static str, String)> {
    read(document)
        .expect_err("the document should be refused")
        .into_iter()
        .map(|error| (error.code.as_str(), error.target))
        .collect()
}

fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    expected
        .iter()
        .map(|(code, target)| (*code, (*target).to_owned()))
        .collect()
}

#[test]
fn a_document_with_secrets_round_trips_exactly() {
    assert_round_trips(&every_type());
}

#[test]
fn a_document_with_workers_grants_and_no_license_round_trips_exactly() {
    let mut admin = environment(
        "a0b1c2d3-0000-4000-8000-000000000001",
        json!([worker("worker-secret")]),
    );
    admin["manages"] = json!([ENV]);
    let mut provisioned = environment("a0b1c2d3-0000-4000-8000-000000000002", json!([]));
    provisioned.as_object_mut().unwrap().remove("license");
    provisioned["manages"] = json!(["*"]);
    let original = json!({"schemaVersion": 1, "environments": [
        admin, provisioned, environment(ENV, json!([native(vec![])]))]});
    let snapshot = assert_round_trips(&original);
    assert_eq!(snapshot.environments[1].spec.license_id, None);
    let redacted = to_document(&snapshot, Secrets::Redacted);
    assert_eq!(
        redacted["environments"][0]["applications"][0]["clientSecret"],
        REDACTED
    );
    assert_eq!(
        problems(&redacted),
        pairs(&[(
            "INVALID_VALUE",
            "environments[0].applications[0].clientSecret"
        )])
    );
}

#[test]
fn left_out_version_timestamps_and_worker_secret_are_filled_in() {
    let mut entry = worker("x");
    let entry = entry.as_object_mut().unwrap();
    for key in ["clientSecret", "createdAt", "updatedAt"] {
        entry.remove(key);
    }
    let now = Utc::now();
    let snapshot = from_document(
        &json!({"environments": [{"id": ENV, "name": "E", "region": "NA", "type": "SANDBOX",
                                  "applications": [entry]}]}),
        now,
    )
    .unwrap();
    let application = &snapshot.environments[0].applications[0];
    assert_eq!((application.created_at, application.updated_at), (now, now));
    assert_eq!(application.client_secret, None, "generated when restored");
}

#[test]
fn a_redacted_document_shows_no_secret_but_keeps_the_hms_client_id() {
    let snapshot = read(&every_type()).unwrap();
    let text = to_document(&snapshot, Secrets::Redacted).to_string();
    for secret in [
        "\"K\"",
        "\"T\"",
        "PRIVATE KEY",
        "service_account",
        "hms-secret",
        "legacy-server-key",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("108046495"));
    assert_eq!(text.matches(REDACTED).count(), 6, "{text}");
}

#[test]
fn a_redacted_document_cannot_be_loaded_back() {
    let snapshot = read(&every_type()).unwrap();
    let redacted = to_document(&snapshot, Secrets::Redacted);
    let base = "environments[0].applications[0].pushCredentials";
    let expected: Vec<String> = [
        "[0].key",
        "[0].teamId",
        "[0].token",
        "[1].googleServiceAccountCredentials",
        "[2].clientSecret",
        "[3].key",
    ]
    .iter()
    .map(|suffix| format!("{base}{suffix}"))
    .collect();
    let found: Vec<String> = problems(&redacted)
        .into_iter()
        .map(|(code, target)| {
            assert_eq!(code, "INVALID_VALUE", "{target}");
            target
        })
        .collect();
    assert_eq!(found, expected);
}

/// A named document and the `(code, target)` pairs it must be refused with.
type Case = (&'static str, Value, Vec<(&'static str, String)>);

#[test]
fn each_problem_is_reported_with_its_json_path() {
    let cases: Vec<Case> = vec![
        (
            "not an object",
            json!([]),
            pairs(&[("INVALID_VALUE", "body")]),
        ),
        (
            "unknown version",
            json!({"schemaVersion": 2, "environments": "whatever"}),
            pairs(&[("INVALID_VALUE", "schemaVersion")]),
        ),
        (
            "unknown top-level field",
            json!({"schemaVersion": 1, "environments": [], "extra": true}),
            pairs(&[("INVALID_VALUE", "extra")]),
        ),
        (
            "environments not an array",
            json!({"schemaVersion": 1, "environments": {}}),
            pairs(&[("INVALID_VALUE", "environments")]),
        ),
        (
            "bad environment id and attributes",
            json!({"schemaVersion": 1, "environments": [{"id": "E", "region": "MARS", "type": "SANDBOX"}]}),
            pairs(&[
                ("INVALID_VALUE", "environments[0].id"),
                ("REQUIRED_VALUE", "environments[0].name"),
                ("INVALID_VALUE", "environments[0].region"),
            ]),
        ),
        (
            "repeated environment, unknown field, grant of a stranger",
            json!({"schemaVersion": 1, "environments": [
                environment(ENV, json!([])),
                {"id": ENV, "name": "N", "region": "NA", "type": "SANDBOX", "colour": "red",
                 "manages": [APP]}]}),
            pairs(&[
                ("INVALID_VALUE", "environments[1].colour"),
                ("UNIQUENESS_VIOLATION", "environments[1].id"),
                ("INVALID_VALUE", "environments[1].manages[0]"),
            ]),
        ),
        (
            "application problems",
            json!({"environments": [environment(ENV, json!([
                {"id": APP, "name": "Web", "enabled": true, "protocol": "OPENID_CONNECT", "type": "WEB_APP",
                 "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
                 "clientSecret": "s", "pushCredentials": [{"id": ENV, "type": "FCM", "key": "k"}]},
                worker(""),
            ]))]}),
            pairs(&[
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].clientSecret",
                ),
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].pushCredentials",
                ),
                (
                    "EMPTY_VALUE",
                    "environments[0].applications[1].clientSecret",
                ),
            ]),
        ),
        (
            "credential problems",
            document(vec![
                credential(1, json!({"type":"HMS","clientId":"c","clientSecret":"s"})),
                json!({"id": "x", "type": "APNS", "key": "", "teamId": "T", "token": "not pem",
                       "createdAt": "yesterday", "updatedAt": "2022-01-06T15:45:41.296Z"}),
                credential(3, json!({"type":"HMS","clientId":"c","clientSecret":"s"})),
                credential(
                    1,
                    json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":SERVICE_ACCOUNT, "clientId": "c"}),
                ),
            ]),
            pairs(&[
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].pushCredentials[1].id",
                ),
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].pushCredentials[1].createdAt",
                ),
                (
                    "EMPTY_VALUE",
                    "environments[0].applications[0].pushCredentials[1].key",
                ),
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].pushCredentials[1].token",
                ),
                (
                    "UNIQUENESS_VIOLATION",
                    "environments[0].applications[0].pushCredentials[2].type",
                ),
                (
                    "UNIQUENESS_VIOLATION",
                    "environments[0].applications[0].pushCredentials[3].id",
                ),
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].pushCredentials[3].clientId",
                ),
            ]),
        ),
        (
            "updated before created",
            document(vec![json!({"id": "00000000-0000-4000-8000-000000000001",
                "type": "HMS", "clientId": "c", "clientSecret": "s",
                "createdAt": "2022-01-06T15:44:10.669Z", "updatedAt": "2021-01-06T15:44:10.669Z"})]),
            pairs(&[(
                "INVALID_VALUE",
                "environments[0].applications[0].pushCredentials[0].updatedAt",
            )]),
        ),
        (
            "unknown type",
            document(vec![credential(1, json!({"type": "WNS"}))]),
            pairs(&[(
                "INVALID_VALUE",
                "environments[0].applications[0].pushCredentials[0].type",
            )]),
        ),
    ];
    for (name, document, expected) in cases {
        assert_eq!(problems(&document), expected, "case: {name}");
    }
}

#[test]
fn an_empty_document_is_an_empty_state() {
    let snapshot = read(&json!({"schemaVersion": 1, "environments": []})).unwrap();
    assert_eq!(snapshot, Snapshot::default());
}
