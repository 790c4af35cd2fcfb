//! Helpers for the `/__admin` endpoints.

use reqwest::{Method, Response};
use serde_json::Value;

use crate::helpers::TestApp;

impl TestApp {
    /// `{address}/__admin/{path}`.
    pub fn admin_url(&self, path: &str) -> String {
        format!("{}/__admin/{path}", self.address)
    }

    /// An admin call without any `Authorization` header.
    pub async fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let request = self.client.request(method, self.admin_url(path));
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        request.send().await.expect("request sent")
    }

    /// An admin call that must answer `status`; returns its JSON body (`null` when empty).
    pub async fn admin_ok(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        status: u16,
    ) -> Value {
        let response = self.admin(method.clone(), path, body).await;
        assert_eq!(response.status(), status, "{method} /__admin/{path}");
        let text = response.text().await.unwrap();
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("a JSON body")
        }
    }

    /// The journal, filtered by `query` (e.g. `method=POST&limit=2`).
    pub async fn journal(&self, query: &str) -> Vec<Value> {
        let body = self
            .admin_ok(Method::GET, &format!("requests?{query}"), None, 200)
            .await;
        assert_eq!(body["count"], body["requests"].as_array().unwrap().len());
        body["requests"].as_array().unwrap().clone()
    }

    /// The whole state, with or without secrets.
    pub async fn exported_state(&self, include_secrets: bool) -> Value {
        let path = format!("state?includeSecrets={include_secrets}");
        self.admin_ok(Method::GET, &path, None, 200).await
    }

    /// Adds a fault rule, asserting 201, and returns it.
    pub async fn add_fault(&self, rule: &Value) -> Value {
        self.admin_ok(Method::POST, "faults", Some(rule), 201).await
    }

    /// The ids of the default application's credentials, in order.
    pub async fn listed_ids(&self) -> Vec<String> {
        self.listed_ids_of(&self.collection_url()).await
    }

    /// The ids listed at a collection URL.
    pub async fn listed_ids_of(&self, url: &str) -> Vec<String> {
        let response = self.get(url).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["_embedded"]["pushCredentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|credential| credential["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// An environment entry of a state document, with every required attribute.
pub fn environment_entry(id: &str, applications: Value) -> Value {
    serde_json::json!({"id": id, "name": "Test", "region": "NA", "type": "SANDBOX",
        "license": {"id": "11111111-2222-4333-8444-555555555555"}, "applications": applications})
}

/// A native application entry of a state document, holding `credentials`.
pub fn native_entry(id: &str, credentials: Value) -> Value {
    serde_json::json!({"id": id, "name": "App", "enabled": true, "protocol": "OPENID_CONNECT",
        "type": "NATIVE_APP", "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
        "pushCredentials": credentials})
}

/// A state document of one environment (`ENV_ID`) with one native application (`APP_ID`).
pub fn state_document(credentials: Value) -> Value {
    serde_json::json!({"schemaVersion": 1, "environments": [environment_entry(
        crate::helpers::ENV_ID,
        serde_json::json!([native_entry(crate::helpers::APP_ID, credentials)]),
    )]})
}
