//! Who may use `/__admin`: anyone by default, token holders with `--admin-token`, nobody with
//! `--no-admin`.

use pingone_push_mock::Config;
use pingone_push_mock::domain::Secret;
use reqwest::Method;

use crate::helpers::{apns_body, assert_error, spawn_app, spawn_app_with};

const ADMIN_ROUTES: [(&str, &str); 13] = [
    ("POST", "reset"),
    ("GET", "state"),
    ("PUT", "state"),
    ("GET", "requests"),
    ("DELETE", "requests"),
    ("GET", "faults"),
    ("POST", "faults"),
    ("DELETE", "faults"),
    ("DELETE", "faults/0e5a1a39-c1f5-4a37-9c42-8bd8a1a0d0f1"),
    ("GET", "clock"),
    ("PUT", "clock"),
    ("DELETE", "clock"),
    ("GET", "requests?limit=1"),
];

fn protected() -> Config {
    Config {
        admin_token: Some(Secret::new("admin-secret")),
        ..Config::default()
    }
}

#[tokio::test]
async fn with_an_admin_token_every_admin_route_refuses_a_missing_or_wrong_token() {
    let app = spawn_app_with(protected()).await;
    for (method, path) in ADMIN_ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        for token in [None, Some("wrong"), Some("admin-secre"), Some("test-token")] {
            let mut request = app.client.request(method.clone(), app.admin_url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body = assert_error(response, 401, "ACCESS_FAILED").await;
            assert!(!body.to_string().contains("admin-secret"));
        }
    }
}

#[tokio::test]
async fn with_the_right_admin_token_admin_routes_answer() {
    let app = spawn_app_with(protected()).await;
    let response = app
        .client
        .get(app.admin_url("state"))
        .bearer_auth("admin-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_admin_token_does_not_change_pingone_authentication() {
    let app = spawn_app_with(protected()).await;
    // Any bearer token still works on /v1, as it does without an admin token.
    assert_eq!(app.create(&apns_body()).await.status(), 201);
}

#[tokio::test]
async fn without_an_admin_token_admin_routes_need_no_authorization() {
    let app = spawn_app().await;
    let response = app.admin(Method::GET, "state", None).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn with_no_admin_every_admin_route_is_not_found() {
    let app = spawn_app_with(Config {
        no_admin: true,
        ..Config::default()
    })
    .await;
    for (method, path) in ADMIN_ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let response = app.admin(method.clone(), path, None).await;
        assert_error(response, 404, "NOT_FOUND").await;
    }
}
