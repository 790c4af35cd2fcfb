//! `GET /__admin/requests`: what clients sent, secrets redacted, bounded, filterable.

use pingone_push_mock::Config;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    APP_ID, ENV_ID, apns_body, assert_error, details, fcm_body, hms_body, pairs, spawn_app,
    spawn_app_with,
};

const OTHER_ENV: &str = "0b6f7e38-2a49-4b2c-9f0e-3c1f2d7a9e11";

#[tokio::test]
async fn a_journaled_call_shows_what_was_sent_with_every_secret_redacted() {
    let app = spawn_app().await;
    let response = app.create(&apns_body()).await;
    let correlation_id = response.headers()["correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let entries = app.journal("").await;

    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["method"], "POST");
    assert_eq!(
        entry["path"],
        format!("/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials")
    );
    assert_eq!(entry["status"], 201);
    assert_eq!(entry["correlationId"], correlation_id);
    assert_eq!(entry["environmentId"], ENV_ID);
    assert!(entry["durationMs"].as_f64().unwrap() >= 0.0);
    assert!(entry["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        entry["body"],
        json!({"type": "APNS", "key": "***", "teamId": "***", "token": "***"})
    );
}

#[tokio::test]
async fn no_secret_of_any_type_reaches_the_journal() {
    let app = spawn_app().await;
    for body in [apns_body(), fcm_body(), hms_body()] {
        app.create(&body).await;
    }
    // Secrets in a rejected body and in an unauthenticated one are redacted too.
    app.create(&json!({"type": "HMS", "clientSecret": "hms-client-secret-value"}))
        .await;
    app.client
        .post(app.collection_url())
        .json(&apns_body())
        .send()
        .await
        .unwrap();
    let text = serde_json::to_string(&app.journal("").await).unwrap();
    for secret in [
        "1U2ZP3G45W",
        "ABCXYZ1234",
        "PRIVATE KEY",
        "service_account",
        "hms-client-secret-value",
        "test-token",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(
        text.contains("108046495"),
        "the HMS client id is not a secret"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_recorded_by_size_only() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, &app.collection_url())
        .header("content-type", "application/json")
        .body("key=very-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let entries = app.journal("").await;
    assert_eq!(entries[0]["body"], "<15 bytes, not JSON>");
    assert_eq!(entries[0]["status"], 400);
}

#[tokio::test]
async fn the_emulators_own_endpoints_are_not_journaled() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/openapi.json", "/__admin/state"] {
        app.client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
    }
    app.get(&app.collection_url()).await;
    let entries = app.journal("").await;
    let paths: Vec<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [app.collection_url().trim_start_matches(&app.address)]
    );
}

#[tokio::test]
async fn the_journal_never_grows_past_its_size_and_keeps_the_latest() {
    let app = spawn_app_with(Config {
        journal_size: 3,
        ..Config::default()
    })
    .await;
    let mut ids = Vec::new();
    for _ in 0..10 {
        let response = app.get(&app.collection_url()).await;
        ids.push(
            response.headers()["correlation-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
        assert!(app.journal("").await.len() <= 3);
    }
    let kept: Vec<String> = app
        .journal("")
        .await
        .iter()
        .map(|entry| entry["correlationId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept, ids[7..]);
}

#[tokio::test]
async fn filters_select_by_method_path_status_environment_and_limit() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await; // POST 201
    app.create(&hms_body()).await; // POST 400 (one per type)
    app.get(&app.item_url(&id)).await; // GET 200
    let other = app.collection_url_of(OTHER_ENV, APP_ID);
    app.get(&other).await; // GET 200, other environment
    app.delete(&id).await; // DELETE 204

    let count = |entries: Vec<Value>| entries.len();
    let cases = [
        ("method=POST", 2),
        ("method=get", 2),
        ("status=400", 1),
        ("status=2xx", 4),
        (&format!("environmentId={OTHER_ENV}") as &str, 1),
        (&format!("pathPrefix=/v1/environments/{ENV_ID}") as &str, 4),
        ("pathPrefix=/v2", 0),
        ("limit=2", 2),
        ("method=POST&status=201", 1),
    ];
    for (query, expected) in cases {
        assert_eq!(count(app.journal(query).await), expected, "{query}");
    }
    let latest = app.journal("limit=1").await;
    assert_eq!(latest[0]["method"], "DELETE");
}

#[tokio::test]
async fn an_invalid_filter_is_refused_with_its_name() {
    let app = spawn_app().await;
    let cases = [
        ("status=abc", "status"),
        ("status=6xx", "status"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("environmentId=E", "environmentId"),
        ("pathPrefix=v1", "pathPrefix"),
        ("method=", "method"),
        ("path=/v1", "path"),
    ];
    for (query, target) in cases {
        let response = app
            .admin(Method::GET, &format!("requests?{query}"), None)
            .await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(
            details(&error),
            pairs(&[("INVALID_VALUE", target)]),
            "{query}"
        );
    }
}

#[tokio::test]
async fn deleting_the_journal_empties_it() {
    let app = spawn_app().await;
    app.get(&app.collection_url()).await;
    assert_eq!(app.journal("").await.len(), 1);
    app.admin_ok(Method::DELETE, "requests", None, 204).await;
    assert!(app.journal("").await.is_empty());
}
