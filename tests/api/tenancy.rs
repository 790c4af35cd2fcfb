//! Environments and applications over HTTP, the two tenancy modes, and seed files.

use pingone_push_mock::Config;
use pingone_push_mock::config::Tenancy;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

async fn spawn_strict() -> TestApp {
    spawn_app_with(Config {
        tenancy: Tenancy::Strict,
        ..Default::default()
    })
    .await
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn strict_tenancy_answers_404_for_unknown_environments_and_applications() {
    let app = spawn_strict().await;
    let (env, id) = (Uuid::new_v4(), Uuid::new_v4());
    let base = format!("{}/v1/environments/{env}", app.address);
    for (method, url) in [
        (Method::GET, base.clone()),
        (Method::GET, format!("{base}/applications")),
        (Method::GET, format!("{base}/applications/{id}")),
        (
            Method::GET,
            app.collection_url_of(&env.to_string(), &id.to_string()),
        ),
        (
            Method::POST,
            app.collection_url_of(&env.to_string(), &id.to_string()),
        ),
        (Method::POST, format!("{base}/applications")),
        (Method::DELETE, base.clone()),
    ] {
        let response = app.send_json(method.clone(), &url, &hms_body()).await;
        assert_error(response, 404, "NOT_FOUND").await;
    }
    let list: Value = app
        .get(&format!("{}/v1/environments", app.address))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["count"], 0, "nothing was provisioned");
}

#[tokio::test]
async fn auto_tenancy_provisions_unseen_ids_and_lists_them() {
    let app = spawn_app().await;
    app.create_ok(&hms_body()).await;
    let environments: Value = app
        .get(&format!("{}/v1/environments", app.address))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(environments["count"], 1);
    assert_eq!(environments["_embedded"]["environments"][0]["id"], ENV_ID);
    let applications: Value = app
        .get(&format!(
            "{}/v1/environments/{ENV_ID}/applications",
            app.address
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(applications["_embedded"]["applications"][0]["id"], APP_ID);
    assert_eq!(
        applications["_embedded"]["applications"][0]["type"],
        "NATIVE_APP"
    );
}

#[tokio::test]
async fn a_deleted_id_is_not_provisioned_again_in_auto_tenancy() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let application = format!(
        "{}/v1/environments/{ENV_ID}/applications/{APP_ID}",
        app.address
    );
    assert_eq!(
        app.request(Method::DELETE, &application)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_error(app.get(&application).await, 404, "NOT_FOUND").await;
    assert_error(app.get(&app.item_url(&id)).await, 404, "NOT_FOUND").await;
    assert_error(app.create(&hms_body()).await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn push_credentials_on_an_application_that_is_not_native_are_refused() {
    let app = spawn_app().await;
    for ty in ["WORKER", "SERVICE", "WEB_APP", "SINGLE_PAGE_APP"] {
        let (grants, method) = if matches!(ty, "WORKER" | "SERVICE") {
            (json!(["CLIENT_CREDENTIALS"]), "CLIENT_SECRET_BASIC")
        } else {
            (json!(["AUTHORIZATION_CODE"]), "NONE")
        };
        let body = json!({"name":ty,"enabled":true,"protocol":"OPENID_CONNECT","type":ty,"grantTypes":grants,"tokenEndpointAuthMethod":method});
        let created: Value = app
            .send_json(
                Method::POST,
                &format!("{}/v1/environments/{ENV_ID}/applications", app.address),
                &body,
            )
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        assert!(created["_links"].get("pushCredentials").is_none(), "{ty}");
        let error = assert_error(
            app.send_json(
                Method::POST,
                &app.collection_url_of(ENV_ID, id),
                &hms_body(),
            )
            .await,
            400,
            "INVALID_DATA",
        )
        .await;
        assert_eq!(
            details(&error),
            pairs(&[("INVALID_VALUE", "application")]),
            "{ty}"
        );
    }
}

#[tokio::test]
async fn environment_and_application_bodies_are_validated_whole() {
    let app = spawn_app().await;
    let cases = [
        (
            format!("{}/v1/environments", app.address),
            json!({"region":"MARS","type":"DEV","license":{"id":"x"}}),
            vec![
                ("REQUIRED_VALUE", "name"),
                ("INVALID_VALUE", "region"),
                ("INVALID_VALUE", "type"),
                ("INVALID_VALUE", "license.id"),
            ],
        ),
        (
            format!("{}/v1/environments", app.address),
            json!({"name":"E","region":"NA","type":"SANDBOX"}),
            vec![("REQUIRED_VALUE", "license.id")],
        ),
        (
            format!("{}/v1/environments/{ENV_ID}/applications", app.address),
            json!({"name":"","enabled":"yes","protocol":"SAML","type":"NATIVE_APP","grantTypes":[],"tokenEndpointAuthMethod":"NONE"}),
            vec![
                ("EMPTY_VALUE", "name"),
                ("INVALID_VALUE", "enabled"),
                ("INVALID_VALUE", "protocol"),
                ("EMPTY_VALUE", "grantTypes"),
            ],
        ),
    ];
    for (url, body, expected) in cases {
        let error = assert_error(
            app.send_json(Method::POST, &url, &body).await,
            400,
            "INVALID_DATA",
        )
        .await;
        assert_eq!(details(&error), pairs(&expected), "{body}");
    }
}

#[tokio::test]
async fn environments_and_applications_are_replaced_whole_and_keep_their_type() {
    let app = spawn_app().await;
    let env_url = format!("{}/v1/environments/{ENV_ID}", app.address);
    let replaced: Value = app
        .send_json(Method::PUT, &env_url, &environment_body("Renamed"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replaced["name"], "Renamed");
    assert_eq!(
        keys(&replaced),
        [
            "_links",
            "id",
            "name",
            "description",
            "organization",
            "type",
            "region",
            "createdAt",
            "updatedAt",
            "license"
        ]
    );

    let apps = format!("{env_url}/applications");
    let created: Value = app
        .send_json(Method::POST, &apps, &native_app_body("A"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys(&created),
        [
            "_links",
            "environment",
            "id",
            "name",
            "enabled",
            "hiddenFromAppPortal",
            "type",
            "protocol",
            "createdAt",
            "updatedAt",
            "clientId",
            "assignActorRoles",
            "mobile",
            "pkceEnforcement",
            "requestScopesForMultipleResourcesEnabled",
            "deviceTimeout",
            "grantTypes",
            "idpSignoff",
            "additionalRefreshTokenReplayProtectionEnabled",
            "tokenEndpointAuthMethod",
            "parRequirement",
            "devicePollingInterval",
            "parTimeout"
        ]
    );
    let item = format!("{apps}/{}", created["id"].as_str().unwrap());
    let mut renamed = native_app_body("B");
    renamed["enabled"] = json!(false);
    let replaced: Value = app
        .send_json(Method::PUT, &item, &renamed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            replaced["name"].clone(),
            replaced["enabled"].clone(),
            replaced["createdAt"].clone()
        ),
        (json!("B"), json!(false), created["createdAt"].clone())
    );
    let mut worker = native_app_body("C");
    worker["type"] = json!("WORKER");
    let error = assert_error(
        app.send_json(Method::PUT, &item, &worker).await,
        400,
        "INVALID_DATA",
    )
    .await;
    assert_eq!(details(&error), pairs(&[("INVALID_VALUE", "type")]));
}

#[tokio::test]
async fn a_native_application_has_no_secret() {
    let app = spawn_app().await;
    let secret = format!(
        "{}/v1/environments/{ENV_ID}/applications/{APP_ID}/secret",
        app.address
    );
    assert_error(app.get(&secret).await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_seeded_server_serves_the_seed_in_strict_tenancy() {
    let app = spawn_app_with(Config {
        tenancy: Tenancy::Strict,
        seed_file: Some(fixture("examples/seed.json")),
        ..Default::default()
    })
    .await;
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    let types: Vec<&str> = list["_embedded"]["pushCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["APNS", "FCM_HTTP_V1", "HMS", "FCM"]);
    let text = app.get(&app.collection_url()).await.text().await.unwrap();
    for secret in [
        "1U2ZP3G45W",
        "example-hms-secret",
        "AAAA-example-legacy-server-key",
        "BEGIN PRIVATE KEY",
    ] {
        assert!(!text.contains(secret), "{secret}");
    }
}

/// Runs the binary with a seed file; it must exit non-zero without listening.
fn start_with_seed(document: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("pingone-push-mock-seed-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("seed.json");
    std::fs::write(&path, document).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pingone-push-mock"))
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("PINGONE_MOCK_SEED_FILE", &path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn a_bad_seed_file_stops_the_start_and_names_the_entry() {
    let seed = std::fs::read_to_string(fixture("examples/seed.json")).unwrap();
    let cases = [
        (
            seed.replace("\"teamId\": \"ABCXYZ1234\"", "\"teamId\": \"\""),
            "environments[1].applications[0].pushCredentials[0].teamId",
        ),
        (
            seed.replace("\"region\": \"EU\"", "\"region\": \"MOON\""),
            "environments[1].region",
        ),
        (
            seed.replace("\"type\": \"NATIVE_APP\"", "\"type\": \"WORKER\""),
            "environments[1].applications[0].pushCredentials",
        ),
        ("{not json".to_owned(), "(document)"),
    ];
    for (document, path) in cases {
        let (code, output) = start_with_seed(&document);
        assert_ne!(code, 0, "{path}: {output}");
        assert!(
            output.contains("seed.json") && output.contains(path),
            "{path}: {output}"
        );
        assert!(
            !output.contains("listening on"),
            "{path}: it must not serve: {output}"
        );
    }
}
