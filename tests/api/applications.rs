//! Applications round-trip as Terraform needs them: every attribute sent comes back, with
//! PingOne's defaults for the rest, in PingOne's order; on create, read, list and export.

use pingone_push_mock::Config;
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::helpers::*;

/// The members of `body` that are attributes: not the links, ids and timestamps.
fn attributes(body: &Value) -> Map<String, Value> {
    without(
        body,
        &[
            "_links",
            "environment",
            "id",
            "createdAt",
            "updatedAt",
            "clientId",
        ],
    )
}

/// `body` without `keys`, in its order.
fn without(body: &Value, keys: &[&str]) -> Map<String, Value> {
    body.as_object()
        .unwrap()
        .iter()
        .filter(|(key, _)| !keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// The attributes of the application `created` in a state export, in their order.
fn exported_attributes(state: &Value, created: &Value) -> Value {
    let exported = state["environments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|env| env["applications"].as_array().unwrap())
        .find(|exported| exported["id"] == created["id"])
        .expect("exported");
    Value::Object(without(
        exported,
        &[
            "id",
            "createdAt",
            "updatedAt",
            "pushCredentials",
            "clientSecret",
        ],
    ))
}

/// Keys in order, nested objects as `parent.child`, for order-sensitive comparisons.
fn ordered_keys(value: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Object(object) = value {
        for (key, value) in object {
            let path = format!("{prefix}{key}");
            out.push(path.clone());
            ordered_keys(value, &format!("{path}."), out);
        }
    }
}

fn keys_of(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    ordered_keys(value, "", &mut out);
    out
}

/// Keys sorted, the way the Go SDK sends them (it marshals through a map).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|key| (key.clone(), sorted(&object[key])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Every optional attribute of a native app set, as PingOne returns it (its order).
fn full_native_app() -> Value {
    json!({
        "name": "Authenticator",
        "description": "Every attribute set",
        "enabled": true,
        "hiddenFromAppPortal": true,
        "type": "NATIVE_APP",
        "protocol": "OPENID_CONNECT",
        "loginPageUrl": "https://app.example.com/login",
        "icon": {"id": "6f4c4f5e-3f6e-4c59-8f4b-6b1e1b1e1b1e", "href": "https://example.com/icon.png"},
        "accessControl": {"role": {"type": "ADMIN_USERS_ONLY"},
                          "group": {"type": "ANY_GROUP", "groups": [{"id": "0b1e1b1e-1b1e-4b1e-8b1e-1b1e1b1e1b1e"}]}},
        "assignActorRoles": true,
        "mobile": {
            "bundleId": "com.example.authenticator",
            "packageName": "com.example.authenticator",
            "huaweiAppId": "108046495",
            "huaweiPackageName": "com.example.authenticator.huawei",
            "integrityDetection": {"mode": "ENABLED", "excludedPlatforms": ["IOS"],
                                   "cacheDuration": {"amount": 30, "units": "MINUTES"},
                                   "googlePlay": {"verificationType": "INTERNAL"}},
            "passcodeRefreshDuration": {"duration": 45, "timeUnit": "SECONDS"},
            "passcodeGracePeriod": 3,
            "uriPrefix": "https://www.example.com",
            "push": {"numberMatching": {"type": "SELECT_NUMBER"}}
        },
        "responseTypes": ["CODE", "TOKEN", "ID_TOKEN"],
        "pkceEnforcement": "S256_REQUIRED",
        "requestScopesForMultipleResourcesEnabled": true,
        "redirectUris": ["com.example.authenticator://callback", "https://app.example.com/callback"],
        "deviceTimeout": 900,
        "grantTypes": ["AUTHORIZATION_CODE", "IMPLICIT", "REFRESH_TOKEN", "DEVICE_CODE"],
        "idpSignoff": true,
        "additionalRefreshTokenReplayProtectionEnabled": false,
        "tokenEndpointAuthMethod": "NONE",
        "parRequirement": "REQUIRED",
        "devicePollingInterval": 10,
        "parTimeout": 120,
        "postLogoutRedirectUris": ["https://app.example.com/logout"],
        "allowWildcardInRedirectUris": true,
        "devicePathId": "authenticator-device",
        "deviceCustomVerificationUri": "https://app.example.com/device",
        "refreshTokenDuration": 2592000,
        "refreshTokenRollingDuration": 15552000,
        "refreshTokenRollingGracePeriodDuration": 60,
        "refreshTokenType": "JSON_WEB_TOKEN",
        "opSessionCheckEnabled": true,
        "includeX5t": true,
        "supportUnsignedRequestObject": true,
        "requireSignedRequestObject": false,
        "homePageUrl": "https://app.example.com/home",
        "initiateLoginUri": "https://app.example.com/initiate",
        "targetLinkUri": "https://app.example.com/target",
        "tags": ["PING_FED_CONNECTION_INTEGRATION"],
        "corsSettings": {"behavior": "ALLOW_SPECIFIC_ORIGINS", "origins": ["https://app.example.com", "https://*.example.org"]},
        "kerberos": {"key": {"id": "1b1e1b1e-1b1e-4b1e-8b1e-1b1e1b1e1b1e"}},
        "signing": {"keyRotationPolicy": {"id": "2b1e1b1e-1b1e-4b1e-8b1e-1b1e1b1e1b1e"}}
    })
}

async fn strict_app() -> TestApp {
    spawn_app_with(Config {
        reject_unknown_fields: true,
        ..Default::default()
    })
    .await
}

fn applications_url(app: &TestApp) -> String {
    format!("{}/v1/environments/{ENV_ID}/applications", app.address)
}

async fn call(app: &TestApp, method: Method, url: &str, body: Option<&Value>) -> (u16, Value) {
    let request = app.request(method, url);
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates `sent`, asserting 201, and checks the answer's frame; returns it.
async fn create(app: &TestApp, sent: &Value) -> Value {
    let (status, created) = call(app, Method::POST, &applications_url(app), Some(sent)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["clientId"], id, "clientId is the application's id");
    assert_eq!(
        keys_of(&created)[..3].to_vec(),
        ["_links", "_links.self", "_links.self.href"]
    );
    created
}

#[tokio::test]
async fn every_attribute_sent_comes_back_in_pingones_order_on_create_read_list_and_export() {
    let app = strict_app().await;
    let expected = full_native_app();
    // Sent as the SDK sends it: keys sorted, with write-only Google Play keys.
    let mut sent = sorted(&expected);
    sent["mobile"]["integrityDetection"]["googlePlay"]["decryptionKey"] = json!("dec-key-s3cret");
    sent["mobile"]["integrityDetection"]["googlePlay"]["verificationKey"] = json!("ver-key-s3cret");

    let created = create(&app, &sent).await;
    let got = Value::Object(attributes(&created));
    assert_eq!(got, expected);
    assert_eq!(keys_of(&got), keys_of(&expected), "PingOne's order");
    let created_text = created.to_string();
    assert!(
        !created_text.contains("s3cret"),
        "write-only keys never come back"
    );
    let base_order: Vec<String> = keys_of(&created)
        .into_iter()
        .filter(|key| !key.contains('.'))
        .take(14)
        .collect();
    assert_eq!(
        base_order,
        [
            "_links",
            "environment",
            "id",
            "name",
            "description",
            "enabled",
            "hiddenFromAppPortal",
            "type",
            "protocol",
            "createdAt",
            "updatedAt",
            "loginPageUrl",
            "icon",
            "accessControl"
        ]
    );

    let item = format!(
        "{}/{}",
        applications_url(&app),
        created["id"].as_str().unwrap()
    );
    let (status, read) = call(&app, Method::GET, &item, None).await;
    assert_eq!((status, &read), (200, &created));
    let (_, list) = call(&app, Method::GET, &applications_url(&app), None).await;
    let listed = list["_embedded"]["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|listed| listed["id"] == created["id"])
        .expect("listed");
    assert_eq!(listed, &created);

    let state = app.exported_state(true).await;
    assert!(!state.to_string().contains("s3cret"));
    let exported = exported_attributes(&state, &created);
    assert_eq!(exported, expected);
    assert_eq!(keys_of(&exported), keys_of(&expected));
}

/// `(type, body members besides the required ones, members PingOne adds)`, per type.
fn minimal_cases() -> Vec<(&'static str, Value, Value)> {
    let common = json!({"enabled": false, "hiddenFromAppPortal": false, "assignActorRoles": false,
        "pkceEnforcement": "OPTIONAL", "requestScopesForMultipleResourcesEnabled": false,
        "deviceTimeout": 600, "idpSignoff": false, "additionalRefreshTokenReplayProtectionEnabled": true,
        "parRequirement": "OPTIONAL", "devicePollingInterval": 5, "parTimeout": 60});
    let with = |extra: Value| {
        let mut all = common.clone();
        all.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        all
    };
    vec![
        (
            "NATIVE_APP",
            json!({"tokenEndpointAuthMethod": "NONE"}),
            with(json!({
            "grantTypes": ["AUTHORIZATION_CODE", "IMPLICIT"],
            "mobile": {"integrityDetection": {"mode": "DISABLED"},
                       "passcodeRefreshDuration": {"duration": 30, "timeUnit": "SECONDS"},
                       "passcodeGracePeriod": 5}})),
        ),
        (
            "WEB_APP",
            json!({"tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC"}),
            with(json!({"grantTypes": ["AUTHORIZATION_CODE"]})),
        ),
        (
            "SINGLE_PAGE_APP",
            json!({"tokenEndpointAuthMethod": "NONE"}),
            with(json!({"grantTypes": ["IMPLICIT"]})),
        ),
        (
            "WORKER",
            json!({"tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC"}),
            with(json!({
            "grantTypes": ["CLIENT_CREDENTIALS"],
            "accessControl": {"role": {"type": "ADMIN_USERS_ONLY"}}})),
        ),
        (
            "SERVICE",
            json!({"tokenEndpointAuthMethod": "CLIENT_SECRET_POST", "grantTypes": ["CLIENT_CREDENTIALS"]}),
            with(json!({})),
        ),
        (
            "CUSTOM_APP",
            json!({"tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC", "mobile": {"bundleId": "ignored"}}),
            with(json!({"grantTypes": ["AUTHORIZATION_CODE"]})),
        ),
    ]
}

#[tokio::test]
async fn a_minimal_body_of_each_type_gets_pingones_defaults() {
    let app = strict_app().await;
    for (application_type, members, added) in minimal_cases() {
        let mut sent = json!({"name": application_type, "protocol": "OPENID_CONNECT", "type": application_type});
        sent.as_object_mut()
            .unwrap()
            .extend(members.as_object().unwrap().clone());
        let created = create(&app, &sent).await;
        let got = attributes(&created);
        let mut expected = sent.as_object().unwrap().clone();
        expected.extend(added.as_object().unwrap().clone());
        if application_type != "NATIVE_APP" {
            expected.remove("mobile");
        }
        assert_eq!(
            Value::Object(got.clone()),
            Value::Object(expected),
            "{application_type}"
        );
        assert_eq!(
            created["_links"]["pushCredentials"].is_object(),
            application_type == "NATIVE_APP",
            "{application_type}"
        );
    }
}

#[tokio::test]
async fn a_put_replaces_every_attribute_and_what_it_leaves_out_returns_to_the_default() {
    let app = strict_app().await;
    let created = create(&app, &full_native_app()).await;
    let item = format!(
        "{}/{}",
        applications_url(&app),
        created["id"].as_str().unwrap()
    );

    // Every attribute changed.
    let mut changed = full_native_app();
    for (key, value) in [
        ("name", json!("Renamed")),
        ("description", json!("Changed")),
        ("enabled", json!(false)),
        ("hiddenFromAppPortal", json!(false)),
        ("loginPageUrl", json!("https://other.example.com/login")),
        (
            "icon",
            json!({"id": "7f4c4f5e-3f6e-4c59-8f4b-6b1e1b1e1b1e", "href": "https://example.com/other.png"}),
        ),
        (
            "accessControl",
            json!({"group": {"type": "ALL_GROUPS", "groups": [{"id": "3b1e1b1e-1b1e-4b1e-8b1e-1b1e1b1e1b1e"}]}}),
        ),
        (
            "mobile",
            json!({"bundleId": "com.example.other", "integrityDetection": {"mode": "DISABLED"},
            "passcodeRefreshDuration": {"duration": 60, "timeUnit": "SECONDS"}, "passcodeGracePeriod": 10}),
        ),
        ("responseTypes", json!(["CODE"])),
        ("pkceEnforcement", json!("REQUIRED")),
        ("requestScopesForMultipleResourcesEnabled", json!(false)),
        (
            "redirectUris",
            json!(["https://other.example.com/callback"]),
        ),
        ("deviceTimeout", json!(3600)),
        ("grantTypes", json!(["AUTHORIZATION_CODE"])),
        ("idpSignoff", json!(false)),
        ("additionalRefreshTokenReplayProtectionEnabled", json!(true)),
        ("tokenEndpointAuthMethod", json!("CLIENT_SECRET_POST")),
        ("parRequirement", json!("OPTIONAL")),
        ("devicePollingInterval", json!(60)),
        ("parTimeout", json!(600)),
        (
            "postLogoutRedirectUris",
            json!(["https://other.example.com/logout"]),
        ),
        ("allowWildcardInRedirectUris", json!(false)),
        ("devicePathId", json!("other-device")),
        (
            "deviceCustomVerificationUri",
            json!("https://other.example.com/device"),
        ),
        ("refreshTokenDuration", json!(60)),
        ("refreshTokenRollingDuration", json!(120)),
        ("refreshTokenRollingGracePeriodDuration", json!(0)),
        ("refreshTokenType", json!("OPAQUE_TOKEN")),
        ("opSessionCheckEnabled", json!(false)),
        ("includeX5t", json!(false)),
        ("supportUnsignedRequestObject", json!(false)),
        ("requireSignedRequestObject", json!(true)),
        ("homePageUrl", json!("https://other.example.com/home")),
        (
            "initiateLoginUri",
            json!("https://other.example.com/initiate"),
        ),
        ("targetLinkUri", json!("https://other.example.com/target")),
        ("corsSettings", json!({"behavior": "ALLOW_NO_ORIGINS"})),
        (
            "kerberos",
            json!({"key": {"id": "4b1e1b1e-1b1e-4b1e-8b1e-1b1e1b1e1b1e"}}),
        ),
        (
            "signing",
            json!({"keyRotationPolicy": {"id": "5b1e1b1e-1b1e-4b1e-8b1e-1b1e1b1e1b1e"}}),
        ),
    ] {
        assert_ne!(changed[key], value, "{key} is changed");
        changed[key] = value;
    }
    changed.as_object_mut().unwrap().remove("tags");
    let (status, replaced) = call(&app, Method::PUT, &item, Some(&changed)).await;
    assert_eq!(status, 200, "{replaced}");
    let mut expected = changed.clone();
    // assignActorRoles is taken on create only; the rest is what was sent.
    expected["assignActorRoles"] = json!(true);
    assert_eq!(Value::Object(attributes(&replaced)), expected);
    assert_eq!(replaced["createdAt"], created["createdAt"]);

    // A minimal PUT: everything left out is back to PingOne's defaults (or gone).
    let minimal = json!({"name": "Min", "protocol": "OPENID_CONNECT", "type": "NATIVE_APP",
        "tokenEndpointAuthMethod": "NONE", "grantTypes": ["AUTHORIZATION_CODE"]});
    let (status, replaced) = call(&app, Method::PUT, &item, Some(&minimal)).await;
    assert_eq!(status, 200, "{replaced}");
    let got = attributes(&replaced);
    assert_eq!(got["deviceTimeout"], 600);
    assert_eq!(got["mobile"]["passcodeGracePeriod"], 5);
    assert_eq!(got["assignActorRoles"], true);
    for gone in [
        "description",
        "redirectUris",
        "corsSettings",
        "icon",
        "signing",
        "refreshTokenDuration",
    ] {
        assert!(!got.contains_key(gone), "{gone}: {replaced}");
    }
    let (_, read) = call(&app, Method::GET, &item, None).await;
    assert_eq!(read, replaced);
}

/// `(case, members added to a valid body, the (code, target) pairs of the answer)`.
type BadCase = (&'static str, Value, Vec<(&'static str, &'static str)>);

#[tokio::test]
async fn bad_values_are_refused_with_every_problem_and_its_path() {
    let app = strict_app().await;
    let cases: Vec<BadCase> = vec![
        (
            "out of range",
            json!({"deviceTimeout": 3601, "parTimeout": 0, "devicePollingInterval": 61,
            "refreshTokenDuration": 59, "refreshTokenRollingGracePeriodDuration": 86401}),
            vec![
                ("INVALID_VALUE", "deviceTimeout"),
                ("INVALID_VALUE", "devicePollingInterval"),
                ("INVALID_VALUE", "parTimeout"),
                ("INVALID_VALUE", "refreshTokenDuration"),
                ("INVALID_VALUE", "refreshTokenRollingGracePeriodDuration"),
            ],
        ),
        (
            "wrong types",
            json!({"enabled": "true", "redirectUris": "https://x", "tags": "PING_FED_CONNECTION_INTEGRATION", "icon": "x"}),
            vec![
                ("INVALID_VALUE", "enabled"),
                ("INVALID_VALUE", "icon"),
                ("INVALID_VALUE", "redirectUris"),
                ("INVALID_VALUE", "tags"),
            ],
        ),
        (
            "unknown enum values",
            json!({"pkceEnforcement": "S512", "responseTypes": ["CODE", "JWT"], "refreshTokenType": "JWT"}),
            vec![
                ("INVALID_VALUE", "responseTypes"),
                ("INVALID_VALUE", "pkceEnforcement"),
                ("INVALID_VALUE", "refreshTokenType"),
            ],
        ),
        (
            "nested",
            json!({"mobile": {"passcodeGracePeriod": 0, "passcodeRefreshDuration": {"duration": 29},
            "integrityDetection": {"mode": "ON", "cacheDuration": {"amount": 49, "units": "HOURS"}, "googlePlay": {}},
            "push": {"numberMatching": {}}}}),
            vec![
                ("INVALID_VALUE", "mobile.integrityDetection.mode"),
                (
                    "REQUIRED_VALUE",
                    "mobile.integrityDetection.googlePlay.verificationType",
                ),
                ("INVALID_VALUE", "mobile.passcodeRefreshDuration.duration"),
                ("INVALID_VALUE", "mobile.passcodeGracePeriod"),
                ("REQUIRED_VALUE", "mobile.push.numberMatching.type"),
                (
                    "INVALID_VALUE",
                    "mobile.integrityDetection.cacheDuration.amount",
                ),
            ],
        ),
        (
            "unknown members, strictly",
            json!({"color": "blue", "mobile": {"flavor": 1}}),
            vec![
                ("INVALID_VALUE", "mobile.flavor"),
                ("INVALID_VALUE", "color"),
            ],
        ),
        (
            "together",
            json!({"corsSettings": {"behavior": "ALLOW_SPECIFIC_ORIGINS", "origins": []},
            "jwks": "{}", "jwksUrl": "https://x.example/jwks"}),
            vec![
                ("INVALID_VALUE", "jwksUrl"),
                ("REQUIRED_VALUE", "corsSettings.origins"),
            ],
        ),
        (
            "too many",
            json!({"corsSettings": {"behavior": "ALLOW_SPECIFIC_ORIGINS",
            "origins": (0..21).map(|i| format!("https://{i}.example.com")).collect::<Vec<_>>()}}),
            vec![("INVALID_VALUE", "corsSettings.origins")],
        ),
    ];
    for (case, members, expected) in cases {
        let mut body = json!({"name": "Bad", "protocol": "OPENID_CONNECT", "type": "NATIVE_APP",
            "tokenEndpointAuthMethod": "NONE"});
        body.as_object_mut()
            .unwrap()
            .extend(members.as_object().unwrap().clone());
        let response = app
            .send_json(Method::POST, &applications_url(&app), &body)
            .await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(details(&error), pairs(&expected), "{case}");
    }
}

mod properties {
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use proptest::sample::{select, subsequence};
    use tokio::runtime::Runtime;

    use super::*;

    /// One strict server for every case, on a runtime of its own (proptest is synchronous).
    fn server() -> &'static (Runtime, TestApp) {
        static SERVER: OnceLock<(Runtime, TestApp)> = OnceLock::new();
        SERVER.get_or_init(|| {
            let runtime = runtime();
            let app = runtime.block_on(strict_app());
            (runtime, app)
        })
    }

    /// Whether everything `part` says is in `whole` (objects there may hold defaults too).
    fn holds(whole: &Value, part: &Value) -> bool {
        match (whole, part) {
            (Value::Object(whole), Value::Object(part)) => part
                .iter()
                .all(|(key, value)| whole.get(key).is_some_and(|there| holds(there, value))),
            _ => whole == part,
        }
    }

    fn optional(
        key: &'static str,
        value: impl Strategy<Value = Value>,
    ) -> impl Strategy<Value = Option<(String, Value)>> {
        proptest::option::of(value.prop_map(move |value| (key.to_owned(), value)))
    }

    /// A valid application body: the required members and any subset of the others.
    fn body() -> impl Strategy<Value = Value> {
        let flags = proptest::collection::vec(
            (
                select(vec![
                    "enabled",
                    "hiddenFromAppPortal",
                    "idpSignoff",
                    "additionalRefreshTokenReplayProtectionEnabled",
                    "requestScopesForMultipleResourcesEnabled",
                    "allowWildcardInRedirectUris",
                    "opSessionCheckEnabled",
                    "includeX5t",
                ]),
                any::<bool>(),
            ),
            0..6,
        );
        let numbers = (
            optional("deviceTimeout", (1..=3600i64).prop_map(Value::from)),
            optional("parTimeout", (1..=600i64).prop_map(Value::from)),
            optional("devicePollingInterval", (1..=60i64).prop_map(Value::from)),
            proptest::option::of((60..=100_000i64, 0..=100_000i64)),
        );
        let texts = (
            optional("description", "[a-zA-Z0-9 ]{1,20}".prop_map(Value::from)),
            optional(
                "homePageUrl",
                "https://[a-z]{1,8}\\.example\\.com/[a-z]{0,5}".prop_map(Value::from),
            ),
            optional(
                "pkceEnforcement",
                select(vec!["OPTIONAL", "REQUIRED", "S256_REQUIRED"]).prop_map(Value::from),
            ),
            optional(
                "parRequirement",
                select(vec!["OPTIONAL", "REQUIRED"]).prop_map(Value::from),
            ),
            optional(
                "responseTypes",
                subsequence(vec!["TOKEN", "ID_TOKEN", "CODE"], 0..=3).prop_map(|v| json!(v)),
            ),
            optional(
                "redirectUris",
                proptest::collection::vec("https://[a-z]{1,8}\\.example\\.com/cb", 0..3)
                    .prop_map(|v| json!(v)),
            ),
        );
        let native = (
            optional("passcodeGracePeriod", (1..=10i64).prop_map(Value::from)),
            optional("duration", (30..=60i64).prop_map(Value::from)),
            optional(
                "bundleId",
                "com\\.example\\.[a-z]{1,8}".prop_map(Value::from),
            ),
        );
        (
            select(vec![
                "NATIVE_APP",
                "WEB_APP",
                "SINGLE_PAGE_APP",
                "WORKER",
                "SERVICE",
                "CUSTOM_APP",
            ]),
            select(vec!["NONE", "CLIENT_SECRET_BASIC", "CLIENT_SECRET_POST"]),
            proptest::option::of(subsequence(
                vec![
                    "AUTHORIZATION_CODE",
                    "IMPLICIT",
                    "REFRESH_TOKEN",
                    "CLIENT_CREDENTIALS",
                    "DEVICE_CODE",
                ],
                1..=5,
            )),
            flags,
            numbers,
            texts,
            native,
        )
            .prop_map(|(ty, method, grants, flags, numbers, texts, native)| {
                let mut body = json!({"name": "Property", "protocol": "OPENID_CONNECT", "type": ty,
                    "tokenEndpointAuthMethod": method});
                let object = body.as_object_mut().unwrap();
                if let Some(grants) = grants {
                    object.insert("grantTypes".into(), json!(grants));
                }
                for (flag, value) in flags {
                    object.insert(flag.into(), json!(value));
                }
                let (device, par, polling, refresh) = numbers;
                let (description, home, pkce, par_requirement, responses, redirects) = texts;
                for (key, value) in [
                    device,
                    par,
                    polling,
                    description,
                    home,
                    pkce,
                    par_requirement,
                    responses,
                    redirects,
                ]
                .into_iter()
                .flatten()
                {
                    object.insert(key, value);
                }
                if let Some((duration, extra)) = refresh {
                    object.insert("refreshTokenDuration".into(), json!(duration));
                    object.insert(
                        "refreshTokenRollingDuration".into(),
                        json!(duration + extra),
                    );
                }
                if ty == "NATIVE_APP" {
                    let (grace, duration, bundle) = native;
                    let mut mobile = Map::new();
                    if let Some((_, grace)) = grace {
                        mobile.insert("passcodeGracePeriod".into(), grace);
                    }
                    if let Some((_, duration)) = duration {
                        mobile.insert(
                            "passcodeRefreshDuration".into(),
                            json!({"duration": duration, "timeUnit": "SECONDS"}),
                        );
                    }
                    if let Some((_, bundle)) = bundle {
                        mobile.insert("bundleId".into(), bundle);
                    }
                    object.insert("mobile".into(), Value::Object(mobile));
                }
                body
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn any_valid_attribute_set_round_trips_through_create_read_list_and_export(sent in body()) {
            let (runtime, app) = server();
            runtime.block_on(async {
                let created = create(app, &sent).await;
                let got = Value::Object(attributes(&created));
                assert!(holds(&got, &sent), "sent {sent}\ngot {got}");
                let item = format!("{}/{}", applications_url(app), created["id"].as_str().unwrap());
                let (status, read) = call(app, Method::GET, &item, None).await;
                assert_eq!((status, &read), (200, &created));
                let (_, list) = call(app, Method::GET, &applications_url(app), None).await;
                let listed = list["_embedded"]["applications"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|listed| listed["id"] == created["id"]);
                assert_eq!(listed, Some(&created));
                let exported = exported_attributes(&app.exported_state(true).await, &created);
                assert_eq!(keys_of(&exported), keys_of(&got));
                assert_eq!(exported, got);
                let (status, _) = call(app, Method::DELETE, &item, None).await;
                assert_eq!(status, 204);
            });
        }
    }
}
