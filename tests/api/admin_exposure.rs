//! An emulator on a shared network: secrets only to a caller that proved it is the admin, a
//! token from a file, and a wrong or missing token that changes nothing.
//!
//! "Beyond loopback" is what `Config::listen` says: `MockServer` binds `127.0.0.1:0` whatever
//! it says, so these tests reach no other network.

use std::net::SocketAddr;

use pingone_push_mock::Config;
use pingone_push_mock::domain::Secret;
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use crate::helpers::process;
use crate::helpers::*;

const TOKEN: &str = "admin-tok-s3cret";

/// An emulator "on all interfaces" with the admin token [`TOKEN`], holding one credential.
async fn protected_app() -> TestApp {
    let app = spawn_app_with(on_all_interfaces(Config {
        admin_token: Some(Secret::new(TOKEN)),
        ..Config::default()
    }))
    .await;
    app.create_ok(&hms_body()).await;
    app
}

fn on_all_interfaces(config: Config) -> Config {
    Config {
        listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
        ..config
    }
}

async fn export(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.admin_url("state?includeSecrets=true"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Asserts a 200 export that holds the HMS credential's secret.
async fn assert_hands_out_secrets(response: reqwest::Response) {
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("hms-client-secret-value"), "{text}");
}

#[tokio::test]
async fn an_open_admin_api_beyond_loopback_hands_out_no_secrets() {
    for config in [
        on_all_interfaces(Config::default()),
        Config {
            tls_listen: Some(SocketAddr::from(([0, 0, 0, 0], 8443))),
            ..Config::default()
        },
    ] {
        let app = spawn_app_with(config).await;
        app.create_ok(&hms_body()).await;
        let error = assert_error(export(&app, None).await, 403, "ACCESS_FAILED").await;
        let detail = &error["details"][0];
        assert_eq!(detail["target"], "includeSecrets");
        let message = detail["message"].as_str().unwrap();
        assert!(message.contains("--admin-token-file"), "{message}");
        assert!(message.contains("loopback"), "{message}");
        // The rest of the admin API, redacted state included, is as before.
        let redacted = app.exported_state(false).await.to_string();
        assert!(redacted.contains("108046495") && !redacted.contains("hms-client-secret-value"));
    }
}

#[tokio::test]
async fn a_loopback_only_emulator_without_a_token_hands_its_admin_the_secrets() {
    let app = spawn_app().await;
    app.create_ok(&hms_body()).await;
    assert_hands_out_secrets(export(&app, None).await).await;
}

#[tokio::test]
async fn beyond_loopback_with_a_token_secrets_need_that_token() {
    let app = protected_app().await;
    for token in [None, Some("wrong"), Some("admin-tok-s3cre")] {
        assert_error(export(&app, token).await, 401, "ACCESS_FAILED").await;
    }
    assert_hands_out_secrets(export(&app, Some(TOKEN)).await).await;
}

/// `GET /__admin/{path}` with the admin token: the answer's JSON.
async fn admin_get(app: &TestApp, path: &str) -> Value {
    let response = app
        .client
        .get(app.admin_url(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET /__admin/{path}");
    response.json().await.unwrap()
}

/// Everything the admin API can change, read with the token.
async fn everything(app: &TestApp) -> Value {
    let mut seen = serde_json::Map::new();
    for path in ["state?includeSecrets=true", "faults", "clock"] {
        let body = admin_get(app, path).await;
        // The clock's "now" moves by itself; its setting is what a call could change.
        let body = match body {
            Value::Object(mut object) if path == "clock" => {
                object.remove("now");
                Value::Object(object)
            }
            body => body,
        };
        seen.insert(path.to_owned(), body);
    }
    Value::Object(seen)
}

#[tokio::test]
async fn a_wrong_or_missing_admin_token_changes_nothing() {
    let app = protected_app().await;
    let fault = app
        .client
        .post(app.admin_url("faults"))
        .bearer_auth(TOKEN)
        .json(&json!({"route": "readAllApplications", "delayMs": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), 201);
    let fault: Value = fault.json().await.unwrap();
    let before = everything(&app).await;
    let journal_before = admin_get(&app, "requests").await;

    let empty_state = json!({"schemaVersion": 1, "environments": []});
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, "reset".into(), None),
        (Method::PUT, "state".into(), Some(empty_state)),
        (
            Method::POST,
            "faults".into(),
            Some(json!({"route": "*", "delayMs": 5})),
        ),
        (Method::DELETE, "faults".into(), None),
        (
            Method::DELETE,
            format!("faults/{}", fault["id"].as_str().unwrap()),
            None,
        ),
        (
            Method::PUT,
            "clock".into(),
            Some(json!({"offsetMs": 3_600_000})),
        ),
        (Method::DELETE, "clock".into(), None),
        (Method::DELETE, "requests".into(), None),
    ];
    for (method, path, body) in calls {
        for token in [None, Some("wrong"), Some(&TOKEN[..TOKEN.len() - 1])] {
            let mut request: RequestBuilder =
                app.client.request(method.clone(), app.admin_url(&path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            assert_error(response, 401, "ACCESS_FAILED").await;
        }
    }
    assert_eq!(everything(&app).await, before, "nothing changed");
    let journal_after = admin_get(&app, "requests").await;
    let count = |journal: &Value| journal.to_string().matches("pushCredentials").count();
    assert!(count(&journal_before) > 0);
    assert_eq!(
        count(&journal_after),
        count(&journal_before),
        "the journal was not cleared"
    );
}

#[tokio::test]
async fn the_admin_token_can_come_from_a_file_and_is_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin-token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let config = on_all_interfaces(Config {
        admin_token_file: Some(file.clone()),
        ..Config::default()
    });
    assert!(!format!("{config:?}").contains(TOKEN));
    let app = spawn_app_with(config).await;
    assert!(!format!("{:?}", app.state).contains(TOKEN));
    assert_eq!(export(&app, Some(TOKEN)).await.status(), 200);
    assert_error(export(&app, None).await, 401, "ACCESS_FAILED").await;
    // A client that sends the admin token to the API by mistake: the journal keeps no header.
    let listed = app
        .client
        .get(app.collection_url())
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let journal = admin_get(&app, "requests").await.to_string();
    assert!(journal.contains("/pushCredentials"), "{journal}");
    assert!(!journal.contains(TOKEN), "{journal}");
}

#[tokio::test]
async fn a_missing_or_empty_token_file_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    for (file, says) in [
        (dir.path().join("missing"), "No such file"),
        (empty, "non-empty"),
    ] {
        let error = pingone_push_mock::MockServer::try_start_with(Config {
            admin_token_file: Some(file.clone()),
            ..Config::default()
        })
        .await
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("--admin-token-file"), "{error}");
        assert!(
            error.contains(file.to_str().unwrap()) && error.contains(says),
            "{error}"
        );
    }
}

#[test]
fn the_binary_never_logs_the_token_from_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin-token");
    std::fs::write(&file, TOKEN).unwrap();
    let mut server = process::Process::start(&["--admin-token-file", file.to_str().unwrap()]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        server.wait_ready().await;
        let client = reqwest::Client::new();
        for token in [TOKEN, "wrong"] {
            let response = client
                .get(format!("{}/__admin/state", server.address))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), if token == TOKEN { 200 } else { 401 });
        }
    });
    assert!(server.terminate().success());
    let output = server.output();
    assert!(output.contains("/__admin/state"), "{output}");
    assert!(!output.contains(TOKEN), "{output}");
}
