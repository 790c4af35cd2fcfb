//! Spawning a server on `127.0.0.1:0` and talking to it like a PingOne client would.

mod admin;
pub mod database;
mod flow;
pub mod process;

pub use admin::*;
pub use flow::*;

use pingone_push_mock::config::StoreLocation;
use pingone_push_mock::{AppState, Config, MockServer};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};
use uuid::Uuid;

// A throwaway P-256 key generated for these tests; it signs nothing anywhere.
pub const APNS_KEY: &str = include_str!("../../fixtures/apns-signing-key.p8");
pub const SERVICE_ACCOUNT: &str = include_str!("../../fixtures/service-account.json");

/// Sends a request that must answer JSON, and decodes it.
pub trait FetchJson {
    /// The decoded body, whatever the status.
    async fn fetch_json(self) -> Value;
}

impl FetchJson for RequestBuilder {
    async fn fetch_json(self) -> Value {
        let response = self.send().await.expect("request sent");
        response.json().await.expect("a JSON body")
    }
}

/// The ids of PingOne's own documentation example; every test server has its own store.
pub const ENV_ID: &str = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";
pub const APP_ID: &str = "5e81bba1-5185-457c-926a-aae0e8939109";

/// A running server; it shuts down when dropped.
pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub state: AppState,
    /// Keeps the server running for as long as the test holds the app.
    _server: MockServer,
}

/// A runtime of its own for tests whose cases run synchronously (proptest) against one server.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::default()).await
}

/// A server with `config`; with `PINGONE_MOCK_TEST_DATABASE` set, on the PostgreSQL store (in a
/// schema of its own) unless `config` names a store or a state file.
pub async fn spawn_app_with(mut config: Config) -> TestApp {
    if let Some(url) = database::test_database()
        && config.store == StoreLocation::Memory
        && config.state_file.is_none()
    {
        config.store = database::fresh_store(&url).await;
    }
    spawn_exactly(config).await
}

/// A server with exactly `config`, whatever `PINGONE_MOCK_TEST_DATABASE` says.
pub async fn spawn_exactly(config: Config) -> TestApp {
    let server = MockServer::start_with(config).await;
    TestApp {
        address: server.base_url().to_owned(),
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state: server.state().clone(),
        _server: server,
    }
}

impl TestApp {
    /// `…/pushCredentials` of the default application.
    pub fn collection_url(&self) -> String {
        self.collection_url_of(ENV_ID, APP_ID)
    }

    pub fn collection_url_of(&self, env: &str, app: &str) -> String {
        format!(
            "{}/v1/environments/{env}/applications/{app}/pushCredentials",
            self.address
        )
    }

    /// `…/pushCredentials/{id}` of the default application.
    pub fn item_url(&self, id: &str) -> String {
        format!("{}/{id}", self.collection_url())
    }

    /// A request with a bearer token, as every PingOne client sends.
    pub fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.client.request(method, url).bearer_auth("test-token")
    }

    pub async fn send_json(&self, method: Method, url: &str, body: &Value) -> Response {
        self.request(method, url)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn create(&self, body: &Value) -> Response {
        self.send_json(Method::POST, &self.collection_url(), body)
            .await
    }

    /// Creates and returns the new credential's id, asserting a 201.
    pub async fn create_ok(&self, body: &Value) -> String {
        let response = self.create(body).await;
        assert_eq!(response.status(), 201, "create {body}");
        let created: Value = response.json().await.unwrap();
        created["id"].as_str().expect("an id").to_owned()
    }

    pub async fn get(&self, url: &str) -> Response {
        self.request(Method::GET, url)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn put(&self, id: &str, body: &Value) -> Response {
        self.send_json(Method::PUT, &self.item_url(id), body).await
    }

    pub async fn delete(&self, id: &str) -> Response {
        self.request(Method::DELETE, &self.item_url(id))
            .send()
            .await
            .expect("request sent")
    }
}

pub fn apns_body() -> Value {
    json!({"type": "APNS", "key": "1U2ZP3G45W", "teamId": "ABCXYZ1234", "token": APNS_KEY})
}

pub fn fcm_body() -> Value {
    json!({"type": "FCM_HTTP_V1", "googleServiceAccountCredentials": SERVICE_ACCOUNT})
}

pub fn hms_body() -> Value {
    json!({"type": "HMS", "clientId": "108046495", "clientSecret": "hms-client-secret-value"})
}

/// Asserts a PingOne error body and returns it.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json");
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["code"], code, "{body}");
    let id = body["id"].as_str().expect("error id");
    assert!(Uuid::parse_str(id).is_ok(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// The `(code, target)` pairs of an error's details.
pub fn details(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .map(|details| {
            details
                .iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap().to_owned(),
                        d["target"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(c, t)| (c.to_string(), t.to_string()))
        .collect()
}
