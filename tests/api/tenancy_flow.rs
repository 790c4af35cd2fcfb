//! A full client flow, as the Terraform provider drives it: token, environment, native app,
//! every credential type, read, replace, delete the app, read again.

use pingone_push_mock::config::Tenancy;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn terraform_flow(tenancy: Tenancy) {
    let app = spawn_seeded(tenancy).await;
    let api = Api {
        token: access_token(&app).await,
        app: &app,
    };

    // The provider checks the admin environment exists, then creates one to work in.
    api.expect(
        Method::GET,
        &format!("/v1/environments/{ADMIN_ENV}"),
        None,
        200,
    )
    .await;
    let environment = api
        .expect(
            Method::POST,
            "/v1/environments",
            Some(environment_body("Terraform test")),
            201,
        )
        .await;
    let env = environment["id"].as_str().unwrap().to_owned();
    assert_eq!(environment["region"], "EU");
    api.expect(Method::GET, &format!("/v1/environments/{env}"), None, 200)
        .await;

    let application = api
        .expect(
            Method::POST,
            &format!("/v1/environments/{env}/applications"),
            Some(native_app_body("Authenticator")),
            201,
        )
        .await;
    let app_id = application["id"].as_str().unwrap().to_owned();
    assert_eq!(application["mobile"]["bundleId"], "com.example.app");
    let credentials = format!("/v1/environments/{env}/applications/{app_id}/pushCredentials");

    let mut ids = Vec::new();
    for body in [apns_body(), fcm_body(), hms_body()] {
        let created = api
            .expect(Method::POST, &credentials, Some(body.clone()), 201)
            .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let read = api
            .expect(Method::GET, &format!("{credentials}/{id}"), None, 200)
            .await;
        assert_eq!(read, created);
        api.expect(Method::PUT, &format!("{credentials}/{id}"), Some(body), 200)
            .await;
        ids.push(id);
    }
    let list = api.expect(Method::GET, &credentials, None, 200).await;
    assert_eq!(list["count"], 3);

    // Destroy: the application goes, and its credentials with it.
    api.expect(
        Method::DELETE,
        &format!("/v1/environments/{env}/applications/{app_id}"),
        None,
        204,
    )
    .await;
    for id in &ids {
        let gone = api
            .expect(Method::GET, &format!("{credentials}/{id}"), None, 404)
            .await;
        assert_eq!(gone["code"], "NOT_FOUND");
    }
    api.expect(
        Method::GET,
        &format!("/v1/environments/{env}/applications/{app_id}"),
        None,
        404,
    )
    .await;
    api.expect(
        Method::DELETE,
        &format!("/v1/environments/{env}"),
        None,
        204,
    )
    .await;
    api.expect(Method::GET, &format!("/v1/environments/{env}"), None, 404)
        .await;
}

#[tokio::test]
async fn the_terraform_flow_works_in_strict_tenancy() {
    terraform_flow(Tenancy::Strict).await;
}

#[tokio::test]
async fn the_terraform_flow_works_in_auto_tenancy() {
    terraform_flow(Tenancy::Auto).await;
}

#[tokio::test]
async fn deleting_an_environment_removes_its_applications_and_credentials() {
    for tenancy in [Tenancy::Auto, Tenancy::Strict] {
        let app = spawn_seeded(tenancy).await;
        let api = Api {
            token: access_token(&app).await,
            app: &app,
        };
        let env = api
            .expect(
                Method::POST,
                "/v1/environments",
                Some(environment_body("E")),
                201,
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let app_id = api
            .expect(
                Method::POST,
                &format!("/v1/environments/{env}/applications"),
                Some(native_app_body("A")),
                201,
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let credentials = format!("/v1/environments/{env}/applications/{app_id}/pushCredentials");
        let id = api
            .expect(Method::POST, &credentials, Some(hms_body()), 201)
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        api.expect(
            Method::DELETE,
            &format!("/v1/environments/{env}"),
            None,
            204,
        )
        .await;
        for path in [
            format!("{credentials}/{id}"),
            format!("/v1/environments/{env}/applications/{app_id}"),
            format!("/v1/environments/{env}"),
        ] {
            api.expect(Method::GET, &path, None, 404).await;
        }
        let _ = tenancy;
    }
}

#[tokio::test]
async fn the_flow_also_works_with_any_bearer_and_form_client_authentication() {
    // No seed: a worker created over the API authenticates with form fields.
    let app = spawn_app().await;
    let env = app
        .send_json(
            Method::POST,
            &format!("{}/v1/environments", app.address),
            &environment_body("E"),
        )
        .await;
    let env = env.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let worker = json!({"name":"W","enabled":true,"protocol":"OPENID_CONNECT","type":"WORKER","grantTypes":["CLIENT_CREDENTIALS"],"tokenEndpointAuthMethod":"CLIENT_SECRET_POST"});
    let worker = app
        .send_json(
            Method::POST,
            &format!("{}/v1/environments/{env}/applications", app.address),
            &worker,
        )
        .await;
    assert_eq!(worker.status(), 201);
    let worker: Value = worker.json().await.unwrap();
    assert!(
        worker.get("clientSecret").is_none(),
        "the create answer does not carry the secret"
    );
    let id = worker["id"].as_str().unwrap();
    let secret: Value = app
        .get(&format!(
            "{}/v1/environments/{env}/applications/{id}/secret",
            app.address
        ))
        .await
        .json()
        .await
        .unwrap();
    let secret = secret["secret"].as_str().unwrap();
    let response = token_posted(&app, &env, id, secret).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
}
