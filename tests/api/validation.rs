//! Body validation over HTTP: every problem in one 400, the right code and target per field.

use serde_json::{Value, json};

use crate::helpers::*;

/// A named body and the `(code, target)` details it must produce.
type Case = (&'static str, Value, Vec<(&'static str, &'static str)>);

#[tokio::test]
async fn invalid_bodies_are_rejected_with_every_problem_listed() {
    let app = spawn_app().await;
    let cases: Vec<Case> = vec![
        (
            "missing type",
            json!({"key":"k"}),
            vec![("REQUIRED_VALUE", "type")],
        ),
        (
            "null type",
            json!({"type":null}),
            vec![("REQUIRED_VALUE", "type")],
        ),
        (
            "empty type",
            json!({"type":""}),
            vec![("EMPTY_VALUE", "type")],
        ),
        (
            "numeric type",
            json!({"type":1}),
            vec![("INVALID_VALUE", "type")],
        ),
        (
            "unknown type",
            json!({"type":"WNS"}),
            vec![("INVALID_VALUE", "type")],
        ),
        (
            "lowercase type",
            json!({"type":"apns"}),
            vec![("INVALID_VALUE", "type")],
        ),
        (
            "legacy FCM",
            json!({"type":"FCM","key":"AAAA"}),
            vec![("INVALID_VALUE", "type")],
        ),
        (
            "empty APNS",
            json!({"type":"APNS"}),
            vec![
                ("REQUIRED_VALUE", "key"),
                ("REQUIRED_VALUE", "teamId"),
                ("REQUIRED_VALUE", "token"),
            ],
        ),
        (
            "APNS mixed problems",
            json!({"type":"APNS","key":"","teamId":null,"token":"nope"}),
            vec![
                ("EMPTY_VALUE", "key"),
                ("REQUIRED_VALUE", "teamId"),
                ("INVALID_VALUE", "token"),
            ],
        ),
        (
            "APNS wrong JSON types",
            json!({"type":"APNS","key":1,"teamId":[],"token":{}}),
            vec![
                ("INVALID_VALUE", "key"),
                ("INVALID_VALUE", "teamId"),
                ("INVALID_VALUE", "token"),
            ],
        ),
        (
            "APNS token not PKCS#8",
            json!({"type":"APNS","key":"k","teamId":"t","token":"-----BEGIN PRIVATE KEY-----\nMIGTAgEA****7HUikGZU\n-----END PRIVATE KEY-----"}),
            vec![("INVALID_VALUE", "token")],
        ),
        (
            "FCM_HTTP_V1 missing",
            json!({"type":"FCM_HTTP_V1"}),
            vec![("REQUIRED_VALUE", "googleServiceAccountCredentials")],
        ),
        (
            "FCM_HTTP_V1 as object",
            json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":{"type":"service_account"}}),
            vec![("INVALID_VALUE", "googleServiceAccountCredentials")],
        ),
        (
            "FCM_HTTP_V1 not a service account",
            json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":"{\"type\":\"authorized_user\"}"}),
            vec![("INVALID_VALUE", "googleServiceAccountCredentials")],
        ),
        (
            "FCM_HTTP_V1 empty",
            json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":""}),
            vec![("EMPTY_VALUE", "googleServiceAccountCredentials")],
        ),
        (
            "empty HMS",
            json!({"type":"HMS"}),
            vec![
                ("REQUIRED_VALUE", "clientId"),
                ("REQUIRED_VALUE", "clientSecret"),
            ],
        ),
        (
            "HMS empty and wrong",
            json!({"type":"HMS","clientId":"","clientSecret":false}),
            vec![
                ("EMPTY_VALUE", "clientId"),
                ("INVALID_VALUE", "clientSecret"),
            ],
        ),
    ];
    for (name, body, expected) in cases {
        let response = app.create(&body).await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(details(&error), pairs(&expected), "case `{name}`: {error}");
        assert_eq!(
            error["message"],
            "The request could not be completed. One or more validation errors were in the request.",
            "case `{name}`"
        );
        for detail in error["details"].as_array().unwrap() {
            assert!(
                detail["message"].as_str().is_some_and(|m| !m.is_empty()),
                "case `{name}`: {detail}"
            );
        }
    }
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(list["count"], 0, "no rejected body was stored");
}

#[tokio::test]
async fn an_unknown_type_lists_the_allowed_values() {
    let app = spawn_app().await;
    let error = assert_error(
        app.create(&json!({"type":"GCM"})).await,
        400,
        "INVALID_DATA",
    )
    .await;
    assert_eq!(
        error["details"][0]["innerError"]["allowedValues"],
        json!(["APNS", "FCM_HTTP_V1", "HMS"])
    );
}

#[tokio::test]
async fn legacy_fcm_is_rejected_with_a_pointer_to_fcm_http_v1() {
    let app = spawn_app().await;
    let error = assert_error(
        app.create(&json!({"type":"FCM","key":"AAAA"})).await,
        400,
        "INVALID_DATA",
    )
    .await;
    let message = error["details"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("no longer supported") && message.contains("FCM_HTTP_V1"),
        "{message}"
    );
}

#[tokio::test]
async fn unknown_and_foreign_fields_are_ignored_by_default() {
    let app = spawn_app().await;
    let mut body = hms_body();
    body["teamId"] = json!("belongs-to-apns");
    body["somethingElse"] = json!({"nested": true});
    let created: Value = app.create(&body).await.json().await.unwrap();
    assert_eq!(created["type"], "HMS");
    assert!(
        created.get("teamId").is_none() && created.get("somethingElse").is_none(),
        "{created}"
    );
}

#[tokio::test]
async fn unknown_and_foreign_fields_are_rejected_when_strict() {
    let app = spawn_app_with(pingone_push_mock::Config {
        reject_unknown_fields: true,
        ..Default::default()
    })
    .await;
    let mut body = apns_body();
    body["clientId"] = json!("belongs-to-hms");
    body["zzz"] = json!(1);
    let error = assert_error(app.create(&body).await, 400, "INVALID_DATA").await;
    assert_eq!(
        details(&error),
        pairs(&[("INVALID_VALUE", "clientId"), ("INVALID_VALUE", "zzz")])
    );
    assert_eq!(
        app.create(&apns_body()).await.status(),
        201,
        "an exact body is still accepted"
    );
}

#[tokio::test]
async fn the_real_sdk_body_shape_is_accepted() {
    // What the Go SDK sends: exactly `type` plus that type's fields, type last.
    let app = spawn_app().await;
    let raw = format!(
        "{{\"key\":\"1U2ZP3G45W\",\"teamId\":\"ABCXYZ1234\",\"token\":{},\"type\":\"APNS\"}}",
        serde_json::to_string(APNS_KEY).unwrap()
    );
    let response = app
        .request(reqwest::Method::POST, &app.collection_url())
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}
