//! `POST /__admin/reset`: everything, or one environment.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    APP_ID, ENV_ID, apns_body, assert_error, details, hms_body, pairs, spawn_app,
};

const OTHER_ENV: &str = "0b6f7e38-2a49-4b2c-9f0e-3c1f2d7a9e11";

#[tokio::test]
async fn resetting_one_environment_removes_only_its_data() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    app.create_ok(&hms_body()).await;
    let other = app.collection_url_of(OTHER_ENV, APP_ID);
    let kept = app.send_json(Method::POST, &other, &hms_body()).await;
    assert_eq!(kept.status(), 201);

    let body = app
        .admin_ok(
            Method::POST,
            &format!("reset?environmentId={ENV_ID}"),
            None,
            200,
        )
        .await;

    assert_eq!(
        body,
        json!({"removed": {"environments": 1, "applications": 1, "pushCredentials": 2}})
    );
    assert!(app.listed_ids().await.is_empty());
    assert_eq!(app.listed_ids_of(&other).await.len(), 1);
}

#[tokio::test]
async fn resetting_everything_clears_credentials_journal_faults_and_clock() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    app.add_fault(&json!({"route": "*", "delayMs": 1})).await;
    app.admin_ok(
        Method::PUT,
        "clock",
        Some(&json!({"offsetMs": 60_000})),
        200,
    )
    .await;

    let body = app.admin_ok(Method::POST, "reset", None, 200).await;

    assert_eq!(body["removed"]["pushCredentials"], 1);
    assert!(app.journal("").await.is_empty());
    let faults = app.admin_ok(Method::GET, "faults", None, 200).await;
    assert_eq!(faults, json!({"faults": []}));
    let clock = app.admin_ok(Method::GET, "clock", None, 200).await;
    assert_eq!(clock["mode"], "real");
    let snapshot = app.state.data().snapshot().await.unwrap();
    assert!(snapshot.environments.is_empty());
    assert!(app.listed_ids().await.is_empty());
}

#[tokio::test]
async fn resetting_an_unknown_environment_removes_nothing_and_succeeds() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    let body = app
        .admin_ok(
            Method::POST,
            &format!("reset?environmentId={OTHER_ENV}"),
            None,
            200,
        )
        .await;
    assert_eq!(body["removed"]["environments"], 0);
    assert_eq!(app.listed_ids().await.len(), 1);
}

#[tokio::test]
async fn a_bad_reset_parameter_is_refused_and_resets_nothing() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    let cases = [
        ("reset?environmentId=nope", "environmentId"),
        ("reset?environmentId=", "environmentId"),
        ("reset?environment=x", "environment"),
        (
            "reset?environmentId=f59504de-3c45-4a37-8d70-d5ad75dfaaa0&environmentId=f59504de-3c45-4a37-8d70-d5ad75dfaaa0",
            "environmentId",
        ),
    ];
    for (path, target) in cases {
        let response = app.admin(Method::POST, path, None).await;
        let body = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(
            details(&body),
            pairs(&[("INVALID_VALUE", target)]),
            "{path}"
        );
    }
    assert_eq!(app.listed_ids().await.len(), 1);
}
