use chrono::Utc;
use serde_json::{Value, json};

use uuid::Uuid;

use super::*;
use crate::store::AppKey;
use crate::store::Tenancy;

const EXAMPLE: &str = include_str!("../../examples/seed.json");

fn problems(document: Value) -> Vec<(String, String)> {
    parse("test.json", &document.to_string())
        .unwrap_err()
        .problems()
        .to_vec()
}

fn paths(document: Value) -> Vec<String> {
    problems(document)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

fn environment(applications: Value) -> Value {
    json!({"id":"a0b1c2d3-0000-4000-8000-000000000001","name":"E","region":"NA","type":"SANDBOX",
           "license":{"id":"11111111-2222-4333-8444-555555555555"},"applications":applications})
}

fn native(credentials: Value) -> Value {
    json!({"id":"5e81bba1-5185-457c-926a-aae0e8939109","name":"A","enabled":true,"protocol":"OPENID_CONNECT",
           "type":"NATIVE_APP","grantTypes":["AUTHORIZATION_CODE"],"tokenEndpointAuthMethod":"NONE","pushCredentials":credentials})
}

#[test]
fn the_example_seed_loads_into_a_strict_store() {
    let seed = parse("examples/seed.json", EXAMPLE).unwrap();
    let store = Store::with_tenancy(Tenancy::Strict);
    seed.apply(&store, Utc::now());
    assert_eq!(store.list_environments().len(), 2);
    let app = AppKey {
        environment_id: "f59504de-3c45-4a37-8d70-d5ad75dfaaa0".parse().unwrap(),
        application_id: "5e81bba1-5185-457c-926a-aae0e8939109".parse().unwrap(),
    };
    let types: Vec<&str> = store
        .list(app, Utc::now())
        .unwrap()
        .iter()
        .map(|c| c.credential_type.as_str())
        .collect();
    assert_eq!(types, ["APNS", "FCM_HTTP_V1", "HMS", "FCM"]);
    let admin: Uuid = "a0b1c2d3-0000-4000-8000-000000000001".parse().unwrap();
    assert!(
        store.may_manage(admin, app.environment_id),
        "manages: [\"*\"]"
    );
    assert!(
        store
            .authenticate_client(
                admin,
                "a0b1c2d3-0000-4000-8000-0000000000a1",
                "example-worker-secret-change-me"
            )
            .is_ok()
    );
}

#[test]
fn a_problem_deep_in_the_document_is_named_by_its_path() {
    let document = json!({"environments":[environment(json!([native(json!([{"id":"40de73de-ba62-494c-b605-4da440421fee","type":"APNS","key":"k","teamId":"t","token":"not a key"}]))]))]});
    let found = problems(document);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].0,
        "environments[0].applications[0].pushCredentials[0].token"
    );
    assert!(found[0].1.starts_with("INVALID_VALUE"), "{found:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let document = json!({"environments":[
        {"id":"nope","region":"MARS"},
        environment(json!([
            native(json!([{"type":"HMS","clientId":"c","clientSecret":"s"},{"id":"40de73de-ba62-494c-b605-4da440421fee","type":"HMS","clientId":"c","clientSecret":"s"},{"id":"40de73de-ba62-494c-b605-4da440421fef","type":"HMS","clientId":"c","clientSecret":"s"}])),
            {"id":"5e81bba1-5185-457c-926a-aae0e8939109","name":"W","enabled":true,"protocol":"OPENID_CONNECT","type":"WORKER","grantTypes":["CLIENT_CREDENTIALS"],"tokenEndpointAuthMethod":"CLIENT_SECRET_BASIC","clientSecret":""}
        ])),
        {"id":"a0b1c2d3-0000-4000-8000-000000000002","name":"E","region":"NA","type":"SANDBOX","license":{"id":"11111111-2222-4333-8444-555555555555"},"manages":["a0b1c2d3-0000-4000-8000-00000000dead"]},
    ]});
    assert_eq!(
        paths(document),
        [
            "environments[0].id",
            "environments[0].name",
            "environments[0].region",
            "environments[0].type",
            "environments[1].applications[0].pushCredentials[0].id",
            "environments[1].applications[0].pushCredentials[1].type",
            "environments[1].applications[0].pushCredentials[2].type",
            "environments[1].applications[1].id",
            "environments[1].applications[1].clientSecret",
            "environments[2].manages[0]",
        ]
    );
}

#[test]
fn documents_of_the_wrong_shape_are_refused() {
    for (text, expected) in [
        ("{", "(document)"),
        ("[]", "(document)"),
        ("{}", "environments"),
        ("{\"environments\":{}}", "environments"),
        ("{\"environments\":[1]}", "environments[0]"),
    ] {
        let error = parse("x.json", text).unwrap_err();
        assert_eq!(error.problems()[0].0, expected, "{text}");
    }
}

#[test]
fn push_credentials_on_a_worker_are_refused() {
    let worker = json!({"id":"5e81bba1-5185-457c-926a-aae0e8939109","name":"W","enabled":true,"protocol":"OPENID_CONNECT","type":"WORKER",
        "grantTypes":["CLIENT_CREDENTIALS"],"tokenEndpointAuthMethod":"CLIENT_SECRET_BASIC",
        "pushCredentials":[{"id":"40de73de-ba62-494c-b605-4da440421fee","type":"HMS","clientId":"c","clientSecret":"s"}]});
    assert_eq!(
        paths(json!({"environments":[environment(json!([worker]))]})),
        ["environments[0].applications[0].pushCredentials"]
    );
}

#[test]
fn errors_name_the_file_and_never_echo_secret_values() {
    let document = json!({"environments":[environment(json!([native(json!([{"id":"40de73de-ba62-494c-b605-4da440421fee","type":"APNS","key":"K-SECRET","teamId":"T-SECRET","token":"TOKEN-SECRET"}]))]))]});
    let text = parse("seeds/mine.json", &document.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        text.starts_with("seed file seeds/mine.json: 1 problem(s)"),
        "{text}"
    );
    for secret in ["K-SECRET", "T-SECRET", "TOKEN-SECRET"] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn an_export_of_the_example_seed_loads_back_to_the_same_export() {
    let store = Store::with_tenancy(Tenancy::Strict);
    parse("examples/seed.json", EXAMPLE)
        .unwrap()
        .apply(&store, Utc::now());
    let exported = to_document(&store.snapshot(), Secrets::Included);
    let again = parse("export.json", &exported.to_string()).unwrap();
    let other = Store::with_tenancy(Tenancy::Strict);
    // Much later: every timestamp comes from the document, none from the clock.
    again.apply(&other, Utc::now() + chrono::Duration::days(1));
    assert_eq!(to_document(&other.snapshot(), Secrets::Included), exported);
    assert_eq!(
        exported["environments"][0]["manages"],
        json!(["*"]),
        "{exported}"
    );
}

#[test]
fn a_redacted_export_of_the_example_seed_is_refused_with_every_secret_named() {
    let store = Store::new();
    parse("examples/seed.json", EXAMPLE)
        .unwrap()
        .apply(&store, Utc::now());
    let redacted = to_document(&store.snapshot(), Secrets::Redacted).to_string();
    for secret in [
        "example-worker-secret-change-me",
        "example-hms-secret",
        "PRIVATE KEY",
    ] {
        assert!(!redacted.contains(secret), "{secret} leaked");
    }
    let error = parse("export.json", &redacted).unwrap_err();
    assert_eq!(error.problems().len(), 7, "{error}");
    assert!(
        error
            .problems()
            .iter()
            .all(|(_, problem)| problem.contains("includeSecrets=true")),
        "{error}"
    );
}

#[test]
fn a_schema_version_other_than_1_is_refused() {
    assert_eq!(
        paths(json!({"schemaVersion": 2, "environments": []})),
        ["schemaVersion"]
    );
    assert!(parse("x.json", r#"{"schemaVersion": 1, "environments": []}"#).is_ok());
}

#[test]
fn entries_without_timestamps_are_dated_at_each_use_and_given_ones_are_kept() {
    let earlier = "2022-01-06T15:45:41.296Z";
    let mut document = environment(json!([native(json!([
        {"id":"9a3c2d3e-1f1e-4f1e-9f1e-0123456789ab","type":"HMS","clientId":"c","clientSecret":"s",
         "updatedAt": earlier}
    ]))]));
    document["createdAt"] = json!("2021-03-04T05:06:07.000Z");
    let seed = parse(
        "test.json",
        &json!({"environments": [document]}).to_string(),
    )
    .unwrap();
    let times = |snapshot: &Snapshot| {
        let environment = &snapshot.environments[0];
        let application = &environment.applications[0];
        let credential = &application.push_credentials[0];
        [
            (environment.created_at, environment.updated_at),
            (application.created_at, application.updated_at),
            (credential.created_at, credential.updated_at),
        ]
    };
    let given = crate::clock::parse_timestamp("2021-03-04T05:06:07.000Z").unwrap();
    let updated = crate::clock::parse_timestamp(earlier).unwrap();
    for now in [Utc::now(), Utc::now() + chrono::Duration::days(400)] {
        let [environment, application, credential] = times(&seed.snapshot(now));
        assert_eq!(
            environment,
            (given, given),
            "createdAt alone: updatedAt follows"
        );
        assert_eq!(application, (now, now), "neither: both are the time of use");
        assert_eq!(credential, (updated, updated), "an earlier updatedAt alone");
    }
    let long_ago = crate::clock::parse_timestamp("2020-01-01T00:00:00.000Z").unwrap();
    let [_, application, credential] = times(&seed.snapshot(long_ago));
    assert_eq!(application, (long_ago, long_ago));
    assert_eq!(
        credential,
        (long_ago, updated),
        "created no later than the time of use"
    );
}

#[test]
fn the_state_document_schema_names_only_what_the_reader_accepts() {
    use crate::openapi::admin::property_names;
    use crate::openapi::admin::{ApplicationEntry, EnvironmentEntry, StateDocument};
    let mut document = read::DOCUMENT.map(str::to_owned).to_vec();
    document.sort();
    assert_eq!(property_names::<StateDocument>(), document);
    let environment: Vec<&str> = read::ENVIRONMENT_ENTRY
        .into_iter()
        .chain(read::ENVIRONMENT_ATTRIBUTES)
        .collect();
    for name in property_names::<EnvironmentEntry>() {
        assert!(environment.contains(&name.as_str()), "{name}");
    }
    let application: Vec<&str> = read::APPLICATION_ENTRY
        .into_iter()
        .chain(crate::domain::application_attributes())
        .collect();
    for name in property_names::<ApplicationEntry>() {
        assert!(application.contains(&name.as_str()), "{name}");
    }
}
