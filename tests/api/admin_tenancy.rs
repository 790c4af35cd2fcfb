//! Test control over environments, applications and tokens: reset (with and without a seed
//! file), export and import, journal redaction of the token endpoint, and fault rules on the
//! new operations.

use pingone_push_mock::Config;
use pingone_push_mock::config::Tenancy;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const NATIVE_ID: &str = "5e81bba1-5185-457c-926a-aae0e8939109";
const MOBILE_ENV: &str = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";

fn worker_body() -> Value {
    json!({"name": "Worker", "enabled": true, "protocol": "OPENID_CONNECT", "type": "WORKER",
           "grantTypes": ["CLIENT_CREDENTIALS"], "tokenEndpointAuthMethod": "CLIENT_SECRET_POST"})
}

/// Creates a worker in `ENV_ID` (any bearer token) and returns its id and client secret.
async fn create_worker(app: &TestApp) -> (String, String) {
    create_with_secret(app, &worker_body()).await
}

#[tokio::test]
async fn a_reset_restores_the_seed_file_the_server_started_with() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let api = Api {
        token: access_token(&app).await,
        app: &app,
    };
    let created = api
        .expect(
            Method::POST,
            "/v1/environments",
            Some(environment_body("Scratch")),
            201,
        )
        .await;
    let native = format!("/v1/environments/{MOBILE_ENV}/applications/{NATIVE_ID}");
    api.expect(Method::DELETE, &native, None, 204).await;

    let body = app.admin_ok(Method::POST, "reset", None, 200).await;

    assert_eq!(
        body,
        json!({"removed": {"environments": 3, "applications": 1, "pushCredentials": 0},
               "restoredFromSeed": {"environments": 2, "applications": 2, "pushCredentials": 4}})
    );
    let scratch = format!("/v1/environments/{}", created["id"].as_str().unwrap());
    api.expect(Method::GET, &scratch, None, 404).await;
    let list = api
        .expect(Method::GET, &format!("{native}/pushCredentials"), None, 200)
        .await;
    assert_eq!(list["count"], 4, "the deleted application is back");
    let again = token(&app, ADMIN_ENV, WORKER_ID, WORKER_SECRET).await;
    assert_eq!(again.status(), 200, "the seeded worker secret is back");
}

#[tokio::test]
async fn a_reset_in_strict_tenancy_without_a_seed_leaves_nothing() {
    let app = spawn_app_with(Config {
        tenancy: Tenancy::Strict,
        ..Config::default()
    })
    .await;
    let environments = format!("{}/v1/environments", app.address);
    let created = app
        .send_json(Method::POST, &environments, &environment_body("E"))
        .await;
    assert_eq!(created.status(), 201);

    let body = app.admin_ok(Method::POST, "reset", None, 200).await;

    assert_eq!(body["removed"]["environments"], 1);
    assert!(body.get("restoredFromSeed").is_none(), "{body}");
    let list: Value = app.get(&environments).await.json().await.unwrap();
    assert_eq!(list["count"], 0);
    assert_eq!(
        app.exported_state(false).await,
        json!({"schemaVersion": 1, "environments": []})
    );
}

#[tokio::test]
async fn a_reset_forgets_deleted_ids_so_auto_tenancy_provisions_them_again() {
    let app = spawn_app().await;
    let environment = format!("{}/v1/environments/{ENV_ID}", app.address);
    assert_eq!(app.get(&environment).await.status(), 200);
    let deleted = app.request(Method::DELETE, &environment).send().await;
    assert_eq!(deleted.unwrap().status(), 204);
    assert_error(app.get(&environment).await, 404, "NOT_FOUND").await;

    app.admin_ok(
        Method::POST,
        &format!("reset?environmentId={ENV_ID}"),
        None,
        200,
    )
    .await;

    assert_eq!(app.get(&environment).await.status(), 200);
}

#[tokio::test]
async fn an_export_holds_environments_applications_and_secrets_and_loads_back_unchanged() {
    let source = spawn_app().await;
    source.create_ok(&crate::helpers::hms_body()).await; // auto-provisions ENV_ID and APP_ID
    let (worker, secret) = create_worker(&source).await;

    let redacted = source.exported_state(false).await;
    let environment = &redacted["environments"][0];
    assert_eq!(environment["id"], ENV_ID);
    assert!(
        environment.get("license").is_none(),
        "auto-provisioned: {environment}"
    );
    let applications = environment["applications"].as_array().unwrap();
    assert_eq!(applications.len(), 2);
    assert_eq!(applications[1]["id"], worker.as_str());
    assert_eq!(applications[1]["clientSecret"], "***");
    assert!(!redacted.to_string().contains(&secret));

    let export = source.exported_state(true).await;
    assert_eq!(
        export["environments"][0]["applications"][1]["clientSecret"],
        secret.as_str()
    );
    let target = spawn_app().await;
    target
        .admin_ok(Method::PUT, "state", Some(&export), 200)
        .await;

    assert_eq!(target.exported_state(true).await, export);
    let issued = token_posted(&target, ENV_ID, &worker, &secret).await;
    assert_eq!(issued.status(), 200, "the client secret came along");
}

#[tokio::test]
async fn grants_of_a_seeded_server_survive_an_export_and_import() {
    let source = spawn_seeded(Tenancy::Strict).await;
    let export = source.exported_state(true).await;
    assert_eq!(export["environments"][0]["manages"], json!(["*"]));
    let target = spawn_app_with(Config {
        tenancy: Tenancy::Strict,
        ..Config::default()
    })
    .await;
    target
        .admin_ok(Method::PUT, "state", Some(&export), 200)
        .await;
    let data = target.state.data();
    let (admin, mobile) = (ADMIN_ENV.parse().unwrap(), MOBILE_ENV.parse().unwrap());
    assert!(data.may_manage(admin, mobile).await.unwrap());
    assert!(!data.may_manage(mobile, admin).await.unwrap());
}

#[tokio::test]
async fn token_requests_and_client_secrets_never_reach_the_journal() {
    let app = spawn_app().await;
    let (worker, secret) = create_worker(&app).await;
    let issued = token_posted(&app, ENV_ID, &worker, &secret).await;
    assert_eq!(issued.status(), 200);
    let regenerated = app
        .request(
            Method::POST,
            &format!(
                "{}/v1/environments/{ENV_ID}/applications/{worker}/secret",
                app.address
            ),
        )
        .send()
        .await
        .unwrap();
    let new_secret = regenerated.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let entries = app.journal("").await;

    let text = serde_json::to_string(&entries).unwrap();
    for leaked in [&secret, &new_secret] {
        assert!(!text.contains(leaked.as_str()), "a secret leaked: {text}");
    }
    let token_call = entries
        .iter()
        .find(|entry| entry["path"] == format!("/{ENV_ID}/as/token"))
        .expect("the token call is journaled");
    assert_eq!(token_call["environmentId"], ENV_ID);
    assert_eq!(token_call["status"], 200);
    assert!(
        token_call["body"].as_str().unwrap().ends_with("not JSON>"),
        "{token_call}"
    );
}

#[tokio::test]
async fn fault_rules_name_the_new_operations() {
    let app = spawn_app().await;
    let (worker, secret) = create_worker(&app).await;
    for route in ["createToken", "readAllEnvironments"] {
        app.add_fault(&json!({"route": route, "error": {"status": 503}, "times": 1}))
            .await;
    }
    let first = token_posted(&app, ENV_ID, &worker, &secret).await;
    assert_error(first, 503, "UNEXPECTED_ERROR").await;
    let second = token_posted(&app, ENV_ID, &worker, &secret).await;
    assert_eq!(second.status(), 200);
    let environments = format!("{}/v1/environments", app.address);
    assert_error(app.get(&environments).await, 503, "UNEXPECTED_ERROR").await;
    assert_eq!(app.get(&environments).await.status(), 200);
    let unrelated = app.get(&format!("{environments}/{}", Uuid::new_v4())).await;
    assert_eq!(unrelated.status(), 200);
}
