//! Bearer authentication of `/v1` calls.

use pingone_push_mock::Config;
use pingone_push_mock::config::AuthMode;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn calls_without_a_valid_bearer_token_get_the_pingone_401() {
    let app = spawn_app().await;
    let cases: [(&str, Option<&str>); 6] = [
        ("no header", None),
        ("empty", Some("")),
        ("scheme only", Some("Bearer")),
        ("scheme and blank", Some("Bearer   ")),
        ("basic", Some("Basic dXNlcjpwYXNz")),
        ("token only", Some("abc.def.ghi")),
    ];
    for (name, header) in cases {
        for (method, url) in [
            (Method::GET, app.collection_url()),
            (Method::POST, app.collection_url()),
            (Method::GET, app.item_url(ENV_ID)),
            (Method::PUT, app.item_url(ENV_ID)),
            (Method::DELETE, app.item_url(ENV_ID)),
        ] {
            let mut request = app.client.request(method.clone(), &url).json(&hms_body());
            if let Some(header) = header {
                request = request.header("authorization", header);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response
                    .headers()
                    .get("www-authenticate")
                    .map(|v| v.to_str().unwrap()),
                Some("Bearer"),
                "{name}"
            );
            let body = assert_error(response, 401, "ACCESS_FAILED").await;
            assert_eq!(
                body["message"],
                "The request could not be completed. You do not have access to this resource.",
                "{name}"
            );
            assert_eq!(
                body["details"],
                json!([{"code":"INVALID_TOKEN","target":"Authentication Credentials","message":"The authorization token is either missing or invalid, or it has expired."}]),
                "{name} {method}"
            );
        }
    }
    let list = app.get(&app.collection_url()).await;
    assert_eq!(
        list.json::<serde_json::Value>().await.unwrap()["count"],
        0,
        "no unauthenticated create went through"
    );
}

#[tokio::test]
async fn any_non_empty_bearer_token_is_accepted() {
    let app = spawn_app().await;
    for token in ["x", "eyJhbGciOiJSUzI1NiJ9.e30.sig", "bearer-in-lower-case"] {
        let response = app
            .client
            .get(app.collection_url())
            .header("authorization", format!("bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{token}");
    }
}

#[tokio::test]
async fn auth_none_turns_the_check_off() {
    let app = spawn_app_with(Config {
        auth: AuthMode::None,
        ..Default::default()
    })
    .await;
    let response = app
        .client
        .post(app.collection_url())
        .json(&hms_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn unknown_paths_outside_v1_are_404_without_a_token() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/elsewhere", app.address))
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "NOT_FOUND").await;
}
