//! Exact wire format: bodies (snapshots with ids and timestamps redacted), field order, headers, links.

use pingone_push_mock::Config;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

async fn spawn_pingone_like() -> TestApp {
    spawn_app_with(Config {
        public_url: Some("https://api.pingone.com".into()),
        ..Default::default()
    })
    .await
}

fn keys(value: &Value) -> Vec<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn resource_bodies_match_pingone_exactly() {
    let app = spawn_pingone_like().await;
    for (name, body) in [
        ("apns", apns_body()),
        ("fcm_http_v1", fcm_body()),
        ("hms", hms_body()),
    ] {
        let created: Value = app.create(&body).await.json().await.unwrap();
        insta::assert_json_snapshot!(format!("create_{name}"), created, {
            ".id" => "[id]",
            "._links.self.href" => insta::dynamic_redaction(|value, _| {
                assert!(value.as_str().unwrap().starts_with(&format!("https://api.pingone.com/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials/")));
                "[self]"
            }),
            ".createdAt" => "[timestamp]",
            ".updatedAt" => "[timestamp]",
        });
    }
}

#[tokio::test]
async fn the_collection_body_matches_pingone_exactly() {
    let app = spawn_pingone_like().await;
    app.create_ok(&apns_body()).await;
    app.create_ok(&hms_body()).await;
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    insta::assert_json_snapshot!("list_two", list, {
        "._embedded.pushCredentials[].id" => "[id]",
        "._embedded.pushCredentials[]._links.self.href" => "[self]",
        "._embedded.pushCredentials[].createdAt" => "[timestamp]",
        "._embedded.pushCredentials[].updatedAt" => "[timestamp]",
    });
}

#[tokio::test]
async fn error_bodies_match_pingone_exactly() {
    let app = spawn_pingone_like().await;
    let cases = [
        (
            "error_validation",
            app.create(&serde_json::json!({"type":"APNS","key":"","teamId":null,"token":"x"}))
                .await,
        ),
        (
            "error_unknown_type",
            app.create(&serde_json::json!({"type":"WNS"})).await,
        ),
        ("error_not_found", app.get(&app.item_url("nope")).await),
        (
            "error_unauthorized",
            app.client.get(app.collection_url()).send().await.unwrap(),
        ),
        (
            "error_method",
            app.request(Method::PATCH, &app.collection_url())
                .send()
                .await
                .unwrap(),
        ),
        (
            "error_content_type",
            app.request(Method::POST, &app.collection_url())
                .body("{}")
                .send()
                .await
                .unwrap(),
        ),
        (
            "error_malformed",
            app.request(Method::POST, &app.collection_url())
                .header("content-type", "application/json")
                .body("{")
                .send()
                .await
                .unwrap(),
        ),
    ];
    for (name, response) in cases {
        let body: Value = response.json().await.unwrap();
        insta::assert_json_snapshot!(name, body, { ".id" => "[id]" });
    }
}

#[tokio::test]
async fn fields_come_in_pingone_order() {
    let app = spawn_app().await;
    let created: Value = app.create(&apns_body()).await.json().await.unwrap();
    assert_eq!(
        keys(&created),
        [
            "_links",
            "id",
            "environment",
            "application",
            "createdAt",
            "updatedAt",
            "type"
        ]
    );
    assert_eq!(
        keys(&created["_links"]),
        ["self", "environment", "application"]
    );
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(keys(&list), ["_links", "_embedded", "count", "size"]);
    let error: Value = app
        .create(&serde_json::json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&error), ["id", "code", "message", "details"]);
    assert_eq!(keys(&error["details"][0]), ["code", "target", "message"]);
}

#[tokio::test]
async fn hrefs_are_absolute_and_built_from_the_host() {
    let app = spawn_app().await;
    let created: Value = app.create(&hms_body()).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let base = format!("{}/v1/environments/{ENV_ID}", app.address);
    assert_eq!(
        created["_links"]["self"]["href"],
        format!("{base}/applications/{APP_ID}/pushCredentials/{id}")
    );
    assert_eq!(created["_links"]["environment"]["href"], base);
    assert_eq!(
        created["_links"]["application"]["href"],
        format!("{base}/applications/{APP_ID}")
    );
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(list["_links"]["self"]["href"], app.collection_url());
}

#[tokio::test]
async fn forwarded_headers_set_the_href_base_behind_a_proxy() {
    let app = spawn_app().await;
    let response = app
        .request(Method::GET, &app.collection_url())
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "mock.example.test")
        .send()
        .await
        .unwrap();
    let list: Value = response.json().await.unwrap();
    assert_eq!(
        list["_links"]["self"]["href"],
        format!(
            "https://mock.example.test/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials"
        )
    );
}

#[tokio::test]
async fn a_configured_public_url_wins_over_request_headers() {
    let app = spawn_pingone_like().await;
    let response = app
        .request(Method::GET, &app.collection_url())
        .header("x-forwarded-host", "ignored.test")
        .send()
        .await
        .unwrap();
    let list: Value = response.json().await.unwrap();
    assert!(
        list["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://api.pingone.com/v1/environments/")
    );
}

#[tokio::test]
async fn every_response_has_json_content_type_and_a_fresh_correlation_id() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let mut seen = std::collections::HashSet::new();
    let responses = [
        app.get(&app.item_url(&id)).await,
        app.get(&app.collection_url()).await,
        app.get(&app.item_url("nope")).await,
        app.client.get(app.collection_url()).send().await.unwrap(),
        app.put(&id, &hms_body()).await,
    ];
    for response in responses {
        let status = response.status();
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{status}"
        );
        let correlation = response.headers()["correlation-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(uuid::Uuid::parse_str(&correlation).is_ok(), "{correlation}");
        assert!(seen.insert(correlation), "correlation ids are fresh");
    }
    let deleted = app.delete(&id).await;
    assert!(deleted.headers().contains_key("correlation-id"));
}

/// An answer carries the `X-Ping-External-Transaction-ID` and `X-Ping-External-Session-ID` the
/// client sent, with characters PingOne does not allow made `_` and cut to 100 characters, and
/// none the client did not send. Errors and answers given before routing too.
#[tokio::test]
async fn external_transaction_and_session_ids_sent_are_echoed() {
    let app = spawn_app().await;
    let id = app.create_ok(&apns_body()).await;
    let long = "t".repeat(130);
    for url in [
        app.item_url(&id),
        app.collection_url(),
        app.item_url("nope"),
        format!("{}/v1/environments", app.address),
    ] {
        let sent = app
            .request(Method::GET, &url)
            .header("x-ping-external-transaction-id", "tx 42;ok")
            .header("x-ping-external-session-id", &long)
            .send()
            .await
            .unwrap();
        assert_eq!(
            sent.headers()["x-ping-external-transaction-id"],
            "tx_42_ok",
            "{url}"
        );
        assert_eq!(
            sent.headers()["x-ping-external-session-id"],
            long[..100],
            "{url}"
        );
        let unsent = app.get(&url).await;
        for name in [
            "x-ping-external-transaction-id",
            "x-ping-external-session-id",
        ] {
            assert!(!unsent.headers().contains_key(name), "{url}: {name}");
        }
    }
    let unauthorized = app
        .client
        .get(app.collection_url())
        .header("x-ping-external-session-id", "s-1")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_eq!(unauthorized.headers()["x-ping-external-session-id"], "s-1");
    assert!(
        !unauthorized
            .headers()
            .contains_key("x-ping-external-transaction-id")
    );
}

#[tokio::test]
async fn hal_json_is_served_only_to_clients_that_ask_for_it() {
    let app = spawn_app().await;
    let content_type = |accept: &'static str| {
        let request = app
            .request(Method::GET, &app.collection_url())
            .header("accept", accept);
        async move {
            request.send().await.unwrap().headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(
        content_type("application/hal+json").await,
        "application/hal+json"
    );
    assert_eq!(content_type("application/json").await, "application/json");
    assert_eq!(
        content_type("application/hal+json, application/json").await,
        "application/json"
    );
    assert_eq!(content_type("*/*").await, "application/json");
}

#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    app.create_ok(&hms_body()).await;
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let response = raw
        .get(app.collection_url())
        .bearer_auth("t")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    // reqwest with gzip on decodes it transparently, as the Go SDK's client does.
    let decoded: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(decoded["count"], 2);
}

/// Reads with percent-encoded ids answer as with plain ones, headers included.
#[tokio::test]
async fn reads_answer_the_same_whether_answered_before_routing_or_by_the_router() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let encoded_id = id.replacen('-', "%2D", 1);
    let collection = app.collection_url();
    let encoded_collection = collection.replacen("/applications/", "/applications/%35", 1);
    assert_ne!(
        encoded_collection, collection,
        "the application id starts with 5"
    );
    let encoded_collection = {
        // `%35` is `5`: drop the `5` it stands for.
        let at = encoded_collection.find("%35").unwrap() + 3;
        format!(
            "{}{}",
            &encoded_collection[..at],
            &encoded_collection[at + 1..]
        )
    };
    for (plain, encoded) in [
        (app.item_url(&id), format!("{collection}/{encoded_id}")),
        (collection.clone(), encoded_collection),
    ] {
        let direct = app.get(&plain).await;
        let routed = app.get(&encoded).await;
        assert_eq!(
            (direct.status().as_u16(), routed.status().as_u16()),
            (200, 200),
            "{encoded}"
        );
        let header_names = |response: &reqwest::Response| {
            let mut names: Vec<String> = response
                .headers()
                .keys()
                .map(|name| name.to_string())
                .collect();
            names.sort();
            names
        };
        assert_eq!(header_names(&direct), header_names(&routed));
        assert_eq!(
            direct.headers()["content-type"],
            routed.headers()["content-type"]
        );
        assert_eq!(
            direct.text().await.unwrap(),
            routed.text().await.unwrap(),
            "{encoded}"
        );
    }
    // An unknown id is the same 404 both ways.
    let missing = "9f0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b";
    let direct: Value = app.get(&app.item_url(missing)).await.json().await.unwrap();
    let routed: Value = app
        .get(&app.item_url(&missing.replacen('-', "%2D", 1)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(direct["code"], "NOT_FOUND");
    assert_eq!(direct["code"], routed["code"]);
    assert_eq!(direct["message"], routed["message"]);
}

/// A call's status, sorted header names, content type and blanked body.
type Outcome = (u16, Vec<String>, String, String);

/// Status, sorted header names, content type, and the body with what differs from one call
/// to the next (ids, timestamps, an error's fresh id) blanked.
async fn outcome(response: reqwest::Response, ids: &[&str]) -> Outcome {
    let status = response.status().as_u16();
    let mut names: Vec<String> = response.headers().keys().map(|n| n.to_string()).collect();
    names.sort();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let mut text = response.text().await.unwrap();
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    if let Ok(Value::Object(mut body)) = serde_json::from_str::<Value>(&text) {
        if let Some(Value::String(own)) = body.get("id") {
            ids.push(own.clone());
        }
        for field in ["id", "createdAt", "updatedAt"] {
            if body.contains_key(field) {
                body.insert(field.to_owned(), Value::Null);
            }
        }
        text = Value::Object(body).to_string();
    }
    for id in &ids {
        text = text.replace(id.as_str(), "<id>");
    }
    (status, names, content_type, text)
}

/// Every outcome of a write (success, validation, type change, media type, not an object,
/// duplicate, unknown id) on `app`, its ids percent-encoded or not.
async fn write_outcomes(app: &TestApp, encoded: bool) -> Vec<Outcome> {
    let plain_collection = app.collection_url();
    let collection = if encoded {
        plain_collection.replace(APP_ID, &APP_ID.replacen('-', "%2D", 1))
    } else {
        plain_collection.clone()
    };
    let item = |id: &str| {
        if encoded {
            format!("{plain_collection}/{}", id.replacen('-', "%2D", 1))
        } else {
            format!("{plain_collection}/{id}")
        }
    };
    let send = |method: Method, url: String, content_type: &'static str, body: String| {
        app.request(method, &url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let json = "application/json";
    let apns = apns_body().to_string();
    let mut outcomes = Vec::new();
    for round in 0..9 {
        {
            // Each call starts from the same state: one APNS credential, made afresh.
            let id = app.create_ok(&apns_body()).await;
            let response = match round {
                0 => {
                    app.delete(&id).await;
                    send(Method::POST, collection.clone(), json, apns.clone()).await
                }
                1 => send(Method::POST, collection.clone(), json, apns.clone()).await,
                2 => {
                    send(
                        Method::POST,
                        collection.clone(),
                        json,
                        r#"{"type":"HMS"}"#.into(),
                    )
                    .await
                }
                3 => send(Method::POST, collection.clone(), "text/plain", apns.clone()).await,
                4 => send(Method::POST, collection.clone(), json, "[1,2]".into()).await,
                5 => send(Method::PUT, item(&id), json, apns.clone()).await,
                6 => send(Method::PUT, item(&id), json, hms_body().to_string()).await,
                7 => {
                    let missing = "9f0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b";
                    send(Method::PUT, item(missing), json, apns.clone()).await
                }
                _ => app.request(Method::DELETE, &item(&id)).send().await,
            }
            .unwrap();
            let mut answered = outcome(response, &[&id]).await;
            answered.3 = answered.3.replace(&app.address, "<origin>");
            outcomes.push(answered);
            // Back to no credential at all for the next call.
            for listed in app
                .get(&plain_collection)
                .await
                .json::<Value>()
                .await
                .unwrap()["_embedded"]["pushCredentials"]
                .as_array()
                .unwrap()
            {
                app.delete(listed["id"].as_str().unwrap()).await;
            }
        }
    }
    outcomes
}

/// Creates, replaces and deletes answer the same whether their ids are percent-encoded or not,
/// and whether the journal is on or off (it once decided which path a write took): status,
/// headers and body, for every outcome.
#[tokio::test]
async fn writes_answer_the_same_encoded_or_not_and_with_the_journal_on_or_off() {
    let journaled = spawn_app().await;
    let quiet = spawn_app_with(pingone_push_mock::Config {
        journal_size: 0,
        ..Default::default()
    })
    .await;
    let plain = write_outcomes(&journaled, false).await;
    let statuses: Vec<u16> = plain.iter().map(|outcome| outcome.0).collect();
    assert_eq!(statuses, [201, 400, 400, 415, 400, 200, 400, 404, 204]);
    for (label, other) in [
        ("encoded", write_outcomes(&journaled, true).await),
        ("journal off", write_outcomes(&quiet, false).await),
        ("journal off, encoded", write_outcomes(&quiet, true).await),
    ] {
        for (round, (expected, got)) in plain.iter().zip(&other).enumerate() {
            assert_eq!(expected, got, "{label}, round {round}");
        }
    }
}
