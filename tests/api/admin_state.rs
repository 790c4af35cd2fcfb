//! `GET /__admin/state` (export) and `PUT /__admin/state` (replace).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const SECRETS: [&str; 4] = [
    "1U2ZP3G45W",
    "ABCXYZ1234",
    "hms-client-secret-value",
    "BEGIN PRIVATE KEY",
];

#[tokio::test]
async fn an_export_redacts_every_secret_by_default() {
    let app = spawn_app().await;
    for body in [apns_body(), fcm_body(), hms_body()] {
        app.create_ok(&body).await;
    }
    let response = app.admin(Method::GET, "state", None).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    for secret in SECRETS.iter().chain(&["service_account"]) {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["schemaVersion"], 1);
    let credentials = &document["environments"][0]["applications"][0]["pushCredentials"];
    assert_eq!(credentials[0]["token"], "***");
    assert_eq!(credentials[1]["googleServiceAccountCredentials"], "***");
    assert_eq!(credentials[2]["clientId"], "108046495");
    assert_eq!(credentials[2]["clientSecret"], "***");
}

#[tokio::test]
async fn an_export_with_secrets_loads_into_another_emulator_unchanged() {
    let source = spawn_app().await;
    let ids = [
        source.create_ok(&apns_body()).await,
        source.create_ok(&fcm_body()).await,
        source.create_ok(&hms_body()).await,
    ];
    let response = source
        .admin(Method::GET, "state?includeSecrets=true", None)
        .await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let export: Value = response.json().await.unwrap();
    let credentials = &export["environments"][0]["applications"][0]["pushCredentials"];
    assert_eq!(credentials[0]["token"], APNS_KEY);
    assert_eq!(
        credentials[1]["googleServiceAccountCredentials"],
        SERVICE_ACCOUNT
    );

    let target = spawn_app().await;
    target.create_ok(&hms_body()).await; // replaced, not merged
    let loaded = target
        .admin_ok(Method::PUT, "state", Some(&export), 200)
        .await;

    assert_eq!(
        loaded,
        json!({"loaded": {"environments": 1, "applications": 1, "pushCredentials": 3}})
    );
    assert_eq!(target.listed_ids().await, ids);
    assert_eq!(target.exported_state(true).await, export);
    let read: Value = target
        .get(&target.item_url(&ids[2]))
        .await
        .json()
        .await
        .unwrap();
    let original: Value = source
        .get(&source.item_url(&ids[2]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["createdAt"], original["createdAt"]);
    assert_eq!(read["clientId"], "108046495");
}

#[tokio::test]
async fn a_redacted_export_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let redacted = app.exported_state(false).await;
    app.admin_ok(Method::POST, "reset", None, 200).await;

    let response = app.admin(Method::PUT, "state", Some(&redacted)).await;

    let error = assert_error(response, 400, "INVALID_DATA").await;
    let target = "environments[0].applications[0].pushCredentials[0].clientSecret";
    assert_eq!(
        details(&error),
        [("INVALID_VALUE".to_owned(), target.to_owned())]
    );
    assert!(error.to_string().contains("includeSecrets=true"), "{error}");
    assert!(app.listed_ids().await.is_empty(), "{id} came back");
}

#[tokio::test]
async fn an_invalid_document_is_refused_with_the_json_path_of_each_problem() {
    let app = spawn_app().await;
    let kept = app.create_ok(&apns_body()).await;
    let credential = |fields: Value| {
        let mut credential = json!({"id": "0e5a1a39-c1f5-4a37-9c42-8bd8a1a0d0f1",
            "createdAt": "2022-01-06T15:44:10.669Z", "updatedAt": "2022-01-06T15:44:10.669Z"});
        for (key, value) in fields.as_object().unwrap() {
            credential[key] = value.clone();
        }
        state_document(json!([credential]))
    };
    let base = "environments[0].applications[0].pushCredentials[0]";
    let cases = [
        (
            json!({"schemaVersion": 1}),
            vec![("REQUIRED_VALUE", "environments".to_owned())],
        ),
        (
            json!({"schemaVersion": 7, "environments": []}),
            vec![("INVALID_VALUE", "schemaVersion".to_owned())],
        ),
        (
            json!({"schemaVersion": 1, "environments": [environment_entry(ENV_ID, json!([
                {"name": "App", "enabled": true, "protocol": "OPENID_CONNECT", "type": "NATIVE_APP",
                 "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
                 "pushCredentials": {}}]))]}),
            vec![
                (
                    "REQUIRED_VALUE",
                    "environments[0].applications[0].id".to_owned(),
                ),
                (
                    "INVALID_VALUE",
                    "environments[0].applications[0].pushCredentials".to_owned(),
                ),
            ],
        ),
        (
            credential(json!({"type": "APNS", "key": "K", "teamId": "T", "token": "x"})),
            vec![("INVALID_VALUE", format!("{base}.token"))],
        ),
        (
            credential(json!({"type": "HMS", "clientId": "c"})),
            vec![("REQUIRED_VALUE", format!("{base}.clientSecret"))],
        ),
        (
            credential(json!({"type": "FCM_HTTP_V1", "googleServiceAccountCredentials": "{}"})),
            vec![(
                "INVALID_VALUE",
                format!("{base}.googleServiceAccountCredentials"),
            )],
        ),
    ];
    for (document, expected) in cases {
        let response = app.admin(Method::PUT, "state", Some(&document)).await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(code, target)| (code.to_owned(), target))
            .collect();
        assert_eq!(details(&error), expected, "{document}");
    }
    for body in ["[]", "not json", ""] {
        let response = app
            .client
            .put(app.admin_url("state"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "INVALID_REQUEST").await;
    }
    assert_eq!(app.listed_ids().await, [kept]);
}

#[tokio::test]
async fn an_unknown_export_parameter_or_value_is_refused() {
    let app = spawn_app().await;
    for (path, target) in [
        ("state?includeSecrets=yes", "includeSecrets"),
        ("state?secrets=true", "secrets"),
    ] {
        let response = app.admin(Method::GET, path, None).await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(
            details(&error),
            [("INVALID_VALUE".to_owned(), target.to_owned())]
        );
    }
}

#[tokio::test]
async fn a_loaded_legacy_fcm_record_is_listed_read_and_deleted_but_not_creatable() {
    let app = spawn_app().await;
    let id = "7d3c1b1e-5f0a-4c43-8a5e-2f1b9d6c0a77";
    let document = state_document(json!([{"id": id, "type": "FCM",
            "createdAt": "2021-05-01T10:00:00.000Z", "updatedAt": "2021-05-01T10:00:00.000Z",
            "key": "legacy-server-key"}]));
    app.admin_ok(Method::PUT, "state", Some(&document), 200)
        .await;
    assert_eq!(app.listed_ids().await, [id]);
    let read: Value = app.get(&app.item_url(id)).await.json().await.unwrap();
    assert_eq!(read["type"], "FCM");
    assert!(!read.to_string().contains("legacy-server-key"));
    let refused = app.create(&json!({"type": "FCM", "key": "k"})).await;
    assert_error(refused, 400, "INVALID_DATA").await;
    assert_eq!(app.delete(id).await.status(), 204);
}
