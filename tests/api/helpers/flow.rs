//! The seeded tenant of `examples/seed.json` and a client that calls the API as the Go SDK does:
//! a token from the seeded worker, then bearer calls.

use std::path::PathBuf;

use base64::Engine;
use pingone_push_mock::Config;
use pingone_push_mock::config::{AuthMode, Tenancy};
use reqwest::Method;
use serde_json::{Value, json};

use super::{TestApp, spawn_app_with};

/// Fixed ids of `examples/seed.json`.
pub const ADMIN_ENV: &str = "a0b1c2d3-0000-4000-8000-000000000001";
pub const WORKER_ID: &str = "a0b1c2d3-0000-4000-8000-0000000000a1";
pub const WORKER_SECRET: &str = "example-worker-secret-change-me";
pub const LICENSE: &str = "11111111-2222-4333-8444-555555555555";

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// A server with the example seed, real tokens and the given tenancy.
pub async fn spawn_seeded(tenancy: Tenancy) -> TestApp {
    spawn_app_with(Config {
        tenancy,
        auth: AuthMode::Jwt,
        seed_file: Some(fixture("examples/seed.json")),
        signing_key: Some(fixture("tests/fixtures/signing-key.pem")),
        ..Default::default()
    })
    .await
}

/// `POST /{env}/as/token` with HTTP Basic client authentication.
pub async fn token(app: &TestApp, env: &str, client_id: &str, secret: &str) -> reqwest::Response {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    app.client
        .post(format!("{}/{env}/as/token", app.address))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

/// `POST /{env}/as/token` with the client id and secret in the form (`CLIENT_SECRET_POST`).
pub async fn token_posted(
    app: &TestApp,
    env: &str,
    client_id: &str,
    secret: &str,
) -> reqwest::Response {
    app.client
        .post(format!("{}/{env}/as/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn access_token(app: &TestApp) -> String {
    let response = token(app, ADMIN_ENV, WORKER_ID, WORKER_SECRET).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// A client that sends `token` on every call, as the Go SDK does.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl Api<'_> {
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut request = self
            .app
            .client
            .request(method, format!("{}{path}", self.app.address))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let response = self.call(method.clone(), path, body).await;
        let got = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(got, status, "{method} {path}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        }
    }
}

pub fn environment_body(name: &str) -> Value {
    json!({"name": name, "region": "EU", "type": "SANDBOX", "license": {"id": LICENSE}, "description": "made by a test"})
}

pub fn native_app_body(name: &str) -> Value {
    json!({"name": name, "enabled": true, "protocol": "OPENID_CONNECT", "type": "NATIVE_APP",
           "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
           "mobile": {"bundleId": "com.example.app", "packageName": "com.example.app", "huaweiAppId": "108046495", "huaweiPackageName": "com.example.app"}})
}

/// The token of a new worker in the seed's second environment (`ENV_ID`), which is granted
/// nothing: it manages its own environment and what it creates. `admin` creates the worker.
pub async fn limited_worker_token(admin: &Api<'_>) -> String {
    let worker = json!({"name": "W2", "enabled": true, "protocol": "OPENID_CONNECT", "type": "WORKER",
        "grantTypes": ["CLIENT_CREDENTIALS"], "tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC"});
    let apps = format!("/v1/environments/{}/applications", super::ENV_ID);
    let created = admin.expect(Method::POST, &apps, Some(worker), 201).await;
    let worker_id = created["id"].as_str().unwrap();
    let secret = admin
        .expect(
            Method::GET,
            &format!("{apps}/{worker_id}/secret"),
            None,
            200,
        )
        .await;
    let response = token(
        admin.app,
        super::ENV_ID,
        worker_id,
        secret["secret"].as_str().unwrap(),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates the worker or service `body` in `ENV_ID` (any bearer token); its id and client secret.
pub async fn create_with_secret(app: &TestApp, body: &Value) -> (String, String) {
    let url = format!(
        "{}/v1/environments/{}/applications",
        app.address,
        super::ENV_ID
    );
    let response = app.send_json(Method::POST, &url, body).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = app.get(&format!("{url}/{id}/secret")).await;
    let secret: Value = secret.json().await.unwrap();
    (id, secret["secret"].as_str().unwrap().to_owned())
}
