//! The error envelope for everything that is not a validation problem.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn unknown_routes_are_404_in_pingone_shape() {
    let app = spawn_app().await;
    for path in [
        "/".to_owned(),
        "/nope".to_owned(),
        "/v1".to_owned(),
        format!("/v1/environments/{ENV_ID}/users"),
        format!("/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredential"),
        format!("/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials/{APP_ID}/extra"),
        format!("/v2/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials"),
    ] {
        let response = app.get(&format!("{}{path}", app.address)).await;
        let body = assert_error(response, 404, "NOT_FOUND").await;
        assert_eq!(
            body["message"],
            "The request could not be completed. The requested resource was not found.",
            "{path}"
        );
        assert!(
            body.get("details").is_none(),
            "{path}: details omitted when empty"
        );
    }
}

#[tokio::test]
async fn path_ids_that_are_not_uuids_are_404() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let bad = [
        "not-a-uuid",
        "40de73deba62494cb6054da440421fee",
        "%7B40de73de-ba62-494c-b605-4da440421fee%7D",
        "%FF%FE",
        "0",
    ];
    for bad_id in bad {
        let collections = [
            app.collection_url_of(bad_id, APP_ID),
            app.collection_url_of(ENV_ID, bad_id),
        ];
        for url in &collections {
            assert_error(app.get(url).await, 404, "NOT_FOUND").await;
            assert_error(
                app.send_json(Method::POST, url, &hms_body()).await,
                404,
                "NOT_FOUND",
            )
            .await;
        }
        let items = [
            app.item_url(bad_id),
            format!("{}/{id}", collections[0]),
            format!("{}/{id}", collections[1]),
        ];
        for url in &items {
            assert_error(app.get(url).await, 404, "NOT_FOUND").await;
            assert_error(
                app.send_json(Method::PUT, url, &hms_body()).await,
                404,
                "NOT_FOUND",
            )
            .await;
            assert_error(
                app.request(Method::DELETE, url).send().await.unwrap(),
                404,
                "NOT_FOUND",
            )
            .await;
        }
    }
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(
        list["count"], 1,
        "nothing was created or deleted through a bad path"
    );
}

#[tokio::test]
async fn an_unknown_credential_id_is_404() {
    let app = spawn_app().await;
    let url = app.item_url(&uuid::Uuid::new_v4().to_string());
    assert_error(app.get(&url).await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn wrong_methods_are_405_with_an_allow_header() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let cases = [
        (
            Method::PATCH,
            app.collection_url(),
            ["GET", "HEAD", "POST"].as_slice(),
        ),
        (
            Method::DELETE,
            app.collection_url(),
            &["GET", "HEAD", "POST"],
        ),
        (Method::PUT, app.collection_url(), &["GET", "HEAD", "POST"]),
        (
            Method::POST,
            app.item_url(&id),
            &["GET", "HEAD", "PUT", "DELETE"],
        ),
        (
            Method::PATCH,
            app.item_url(&id),
            &["GET", "HEAD", "PUT", "DELETE"],
        ),
        (
            Method::OPTIONS,
            app.item_url(&id),
            &["GET", "HEAD", "PUT", "DELETE"],
        ),
    ];
    for (method, url, allowed) in cases {
        let response = app.request(method.clone(), &url).send().await.unwrap();
        let allow = response
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = assert_error(response, 405, "INVALID_REQUEST").await;
        let mut got: Vec<&str> = allow.split(',').map(str::trim).collect();
        let mut want = allowed.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{method} {url}");
        assert_eq!(
            details(&body),
            pairs(&[("INVALID_VALUE", "method")]),
            "{method}"
        );
    }
}

#[tokio::test]
async fn bodies_that_are_not_a_json_object_are_400_invalid_request() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let cases = [
        "",
        "   ",
        "{",
        "{\"type\":\"HMS\",}",
        "nope",
        "[]",
        "[{\"type\":\"HMS\"}]",
        "\"HMS\"",
        "42",
        "null",
        "true",
        "{\"type\":\"HMS\"} trailing",
    ];
    for raw in cases {
        for (method, url) in [
            (Method::POST, app.collection_url()),
            (Method::PUT, app.item_url(&id)),
        ] {
            let response = app
                .request(method.clone(), &url)
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            let body = assert_error(response, 400, "INVALID_REQUEST").await;
            assert_eq!(
                body["message"],
                "The request could not be completed. The request was malformed or invalid.",
                "{raw:?}"
            );
            assert_eq!(
                details(&body),
                pairs(&[("INVALID_VALUE", "body")]),
                "{method} {raw:?}"
            );
        }
    }
}

#[tokio::test]
async fn deeply_nested_json_is_a_400_not_a_crash() {
    let app = spawn_app().await;
    let raw = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let response = app
        .request(Method::POST, &app.collection_url())
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "INVALID_REQUEST").await;
}

#[tokio::test]
async fn a_wrong_or_missing_content_type_is_415() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let body = serde_json::to_string(&hms_body()).unwrap();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/hal+json"),
        Some("application/jsonp"),
    ] {
        for (method, url) in [
            (Method::POST, app.collection_url()),
            (Method::PUT, app.item_url(&id)),
        ] {
            let mut request = app.request(method.clone(), &url).body(body.clone());
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            let error = assert_error(request.send().await.unwrap(), 415, "INVALID_REQUEST").await;
            assert_eq!(
                details(&error),
                pairs(&[("INVALID_VALUE", "Content-Type")]),
                "{content_type:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_content_type_with_a_charset_is_accepted() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, &app.collection_url())
        .header("content-type", "application/json; charset=UTF-8")
        .body(serde_json::to_string(&hms_body()).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = spawn_app().await;
    let mut body = hms_body();
    body["padding"] = json!("x".repeat(1024 * 1024));
    let error = assert_error(app.create(&body).await, 413, "INVALID_REQUEST").await;
    assert_eq!(details(&error), pairs(&[("INVALID_VALUE", "body")]));

    let mut just_under = hms_body();
    just_under["padding"] = json!("x".repeat(1024 * 1024 - 200));
    assert_eq!(app.create(&just_under).await.status(), 201);
}

#[tokio::test]
async fn every_error_id_is_fresh() {
    let app = spawn_app().await;
    let first = assert_error(app.get(&app.item_url("x")).await, 404, "NOT_FOUND").await;
    let second = assert_error(app.get(&app.item_url("x")).await, 404, "NOT_FOUND").await;
    assert_ne!(first["id"], second["id"]);
}
