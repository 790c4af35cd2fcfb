//! Random bodies, valid or not: the answer is never a 5xx and never contains a secret.

use std::sync::OnceLock;

use proptest::prelude::*;
use reqwest::Method;
use serde_json::{Map, Value, json};
use tokio::runtime::Runtime;
use uuid::Uuid;

use crate::helpers::{APNS_KEY, ENV_ID, TestApp, runtime, spawn_app};

/// Every secret value this test sends contains it; no answer may.
const MARKER: &str = "zqx-secret-";
const SECRET_FIELDS: [&str; 5] = [
    "key",
    "teamId",
    "token",
    "googleServiceAccountCredentials",
    "clientSecret",
];
const OTHER_FIELDS: [&str; 4] = ["type", "clientId", "id", "environment"];

/// One server for all cases, on a runtime of its own (proptest bodies are synchronous).
fn server() -> &'static (Runtime, TestApp, String) {
    static SERVER: OnceLock<(Runtime, TestApp, String)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = runtime();
        let (app, existing) = runtime.block_on(async {
            let app = spawn_app().await;
            let created: Value = app
                .create(&json!({"type": "HMS", "clientId": "1", "clientSecret": "s"}))
                .await
                .json()
                .await
                .unwrap();
            let id = created["id"].as_str().unwrap().to_owned();
            (app, id)
        });
        (runtime, app, existing)
    })
}

fn secret() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}".prop_map(|s| Value::String(format!("{MARKER}{s}"))),
        Just(Value::String(format!("{MARKER}\n{APNS_KEY}"))),
        Just(Value::String(format!(
            r#"{{"type":"service_account","private_key":"{MARKER}"}}"#
        ))),
    ]
}

/// Any JSON value; its strings never contain the marker by accident.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9 _\\-\u{e9}\u{1F600}]{0,16}".prop_map(Value::String),
        prop::sample::select(vec!["APNS", "FCM_HTTP_V1", "HMS", "FCM", "apns", ""])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z]{1,8}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A request body: an object mixing the real fields (secret ones carrying the marker, or odd
/// values) with anything else.
fn body() -> impl Strategy<Value = Map<String, Value>> {
    let secret_field = (
        prop::sample::select(SECRET_FIELDS.to_vec()),
        prop_oneof![
            3 => secret(),
            1 => any_json(),
        ],
    );
    let other_field = (prop::sample::select(OTHER_FIELDS.to_vec()), any_json());
    let ty = prop::sample::select(vec!["APNS", "FCM_HTTP_V1", "HMS", "FCM"]);
    (
        prop::option::of(ty),
        prop::collection::vec(secret_field, 0..5),
        prop::collection::vec(other_field, 0..3),
        prop::collection::vec(("[a-zA-Z]{1,10}", any_json()), 0..3),
    )
        .prop_map(|(ty, secrets, others, extra)| {
            let mut object = Map::new();
            for (name, value) in others {
                object.insert(name.to_owned(), value);
            }
            for (name, value) in extra {
                object.insert(name, value);
            }
            for (name, value) in secrets {
                object.insert(name.to_owned(), value);
            }
            if let Some(ty) = ty {
                object.insert("type".to_owned(), Value::from(ty));
            }
            object
        })
}

/// Sends `payload` and returns the status and everything the answer showed (headers and body).
fn send(method: Method, url: &str, payload: Vec<u8>) -> (u16, String) {
    let (runtime, app, _) = server();
    runtime.block_on(async {
        let response = app
            .request(method, url)
            .header("Content-Type", "application/json")
            .body(payload)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap_or_default();
        (status, format!("{headers}\n{body}"))
    })
}

fn check(status: u16, shown: &str) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "answered {status}: {shown}");
    prop_assert!(!shown.contains(MARKER), "a secret was echoed: {shown}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn creating_with_any_body_is_never_a_5xx_and_never_echoes_a_secret(object in body()) {
        let (_, app, _) = server();
        let url = app.collection_url_of(ENV_ID, &Uuid::new_v4().to_string());
        let (status, shown) = send(Method::POST, &url, serde_json::to_vec(&object).unwrap());
        check(status, &shown)?;
    }

    #[test]
    fn replacing_with_any_body_is_never_a_5xx_and_never_echoes_a_secret(object in body()) {
        let (_, app, existing) = server();
        let (status, shown) =
            send(Method::PUT, &app.item_url(existing), serde_json::to_vec(&object).unwrap());
        check(status, &shown)?;
    }

    #[test]
    fn any_json_value_or_broken_text_as_a_body_is_never_a_5xx(
        value in any_json(),
        cut in any::<prop::sample::Index>(),
        secret in secret(),
    ) {
        let (_, app, _) = server();
        let url = app.collection_url_of(ENV_ID, &Uuid::new_v4().to_string());
        let (status, shown) = send(Method::POST, &url, serde_json::to_vec(&value).unwrap());
        check(status, &shown)?;
        // A body that is cut short in the middle of a secret.
        let text = serde_json::to_string(&json!({"type": "APNS", "token": secret})).unwrap();
        let broken = text[..cut.index(text.len())].to_owned();
        let (status, shown) = send(Method::POST, &url, broken.into_bytes());
        check(status, &shown)?;
    }
}
