//! The token endpoint, the JWKS, and `--auth jwt`.

use base64::Engine;
use pingone_push_mock::Config;
use pingone_push_mock::config::{AuthMode, Tenancy};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn a_token_is_an_rs256_jwt_with_the_pingone_claims() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let response = token(&app, ADMIN_ENV, WORKER_ID, WORKER_SECRET).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["access_token", "token_type", "expires_in"]
    );
    let jwt = body["access_token"].as_str().unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |part: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    let (header, claims) = (decode(parts[0]), decode(parts[1]));
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["iss"], format!("{}/{ADMIN_ENV}/as", app.address));
    assert_eq!(claims["env"], ADMIN_ENV);
    assert_eq!(claims["client_id"], WORKER_ID);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let jwks: Value = app
        .client
        .get(format!("{}/{ADMIN_ENV}/as/jwks", app.address))
        .fetch_json()
        .await;
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    assert!(jwks["keys"][0].get("d").is_none(), "no private part");
}

#[tokio::test]
async fn bad_token_requests_get_oauth_errors() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let url = format!("{}/{ADMIN_ENV}/as/token", app.address);
    let basic = |id: &str, secret: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "wrong secret",
            app.client
                .post(&url)
                .header("authorization", basic(WORKER_ID, "nope"))
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            "unknown client",
            app.client
                .post(&url)
                .header("authorization", basic(ENV_ID, WORKER_SECRET))
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            "no client authentication",
            app.client
                .post(&url)
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            "form auth for a basic client",
            app.client.post(&url).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", WORKER_ID),
                ("client_secret", WORKER_SECRET),
            ]),
            401,
            "invalid_client",
        ),
        (
            "wrong environment",
            app.client
                .post(format!("{}/{ENV_ID}/as/token", app.address))
                .header("authorization", basic(WORKER_ID, WORKER_SECRET))
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            "other grant",
            app.client
                .post(&url)
                .header("authorization", basic(WORKER_ID, WORKER_SECRET))
                .form(&[("grant_type", "password")]),
            400,
            "unsupported_grant_type",
        ),
        (
            "no grant",
            app.client
                .post(&url)
                .header("authorization", basic(WORKER_ID, WORKER_SECRET))
                .form(&[("scope", "x")]),
            400,
            "invalid_request",
        ),
        (
            "JSON body",
            app.client
                .post(&url)
                .header("authorization", basic(WORKER_ID, WORKER_SECRET))
                .json(&serde_json::json!({"grant_type":"client_credentials"})),
            400,
            "invalid_request",
        ),
        (
            "malformed basic",
            app.client
                .post(&url)
                .header("authorization", "Basic %%%")
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
    ];
    for (name, request, status, error) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{name}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "{name}: {body}");
        assert!(
            body["error_description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{name}"
        );
        assert!(!body.to_string().contains(WORKER_SECRET), "{name}");
    }
}

#[tokio::test]
async fn jwt_auth_refuses_foreign_tampered_and_garbage_tokens() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let good = access_token(&app).await;
    let other = spawn_app_with(Config {
        auth: AuthMode::Jwt,
        seed_file: Some(fixture("examples/seed.json")),
        ..Default::default()
    })
    .await;
    let foreign = access_token(&other).await;
    let mut tampered = good.clone();
    let at = tampered.rfind('.').unwrap() + 3;
    tampered.replace_range(at..at + 1, if &good[at..at + 1] == "A" { "B" } else { "A" });
    let url = format!("{}/v1/environments/{ADMIN_ENV}", app.address);
    for (name, token) in [
        ("foreign key", foreign.as_str()),
        ("tampered", tampered.as_str()),
        ("garbage", "not-a-jwt"),
        ("any bearer", "test-token"),
    ] {
        let response = app
            .client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 401, "ACCESS_FAILED").await;
        assert_eq!(body["details"][0]["code"], "INVALID_TOKEN", "{name}");
    }
    assert_eq!(
        app.client
            .get(&url)
            .bearer_auth(&good)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn strict_tokens_manage_only_their_own_and_granted_environments() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let admin = Api {
        token: access_token(&app).await,
        app: &app,
    };
    let mobile_env = ENV_ID;
    let limited = Api {
        token: limited_worker_token(&admin).await,
        app: &app,
    };

    limited
        .expect(
            Method::GET,
            &format!("/v1/environments/{mobile_env}/applications"),
            None,
            200,
        )
        .await;
    let body = limited
        .expect(
            Method::GET,
            &format!("/v1/environments/{ADMIN_ENV}/applications"),
            None,
            403,
        )
        .await;
    assert_eq!(body["code"], "ACCESS_FAILED");
    assert_eq!(body["details"][0]["code"], "INSUFFICIENT_PERMISSIONS");
    assert_ne!(
        body["message"],
        "The actor attempting to perform the request is not authorized."
    );

    // An environment it creates is its to manage; the admin (manages ["*"]) manages it too.
    let env = limited
        .expect(
            Method::POST,
            "/v1/environments",
            Some(environment_body("mine")),
            201,
        )
        .await;
    let env = env["id"].as_str().unwrap();
    limited
        .expect(Method::GET, &format!("/v1/environments/{env}"), None, 200)
        .await;
    admin
        .expect(Method::GET, &format!("/v1/environments/{env}"), None, 200)
        .await;

    // Listings show what a token may manage: its own and the one it created, not the admin's;
    // the admin sees all three.
    let listed = |body: Value| -> Vec<String> {
        body["_embedded"]["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|environment| environment["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mine = limited
        .expect(Method::GET, "/v1/environments", None, 200)
        .await;
    assert_eq!(listed(mine.clone()), [mobile_env, env]);
    assert_eq!(mine["count"], 2);
    let all = listed(
        admin
            .expect(Method::GET, "/v1/environments", None, 200)
            .await,
    );
    assert_eq!(all.len(), 3, "{all:?}");
    for id in [ADMIN_ENV, mobile_env, env] {
        assert!(all.iter().any(|listed| listed == id), "{id} in {all:?}");
    }
}

#[tokio::test]
async fn in_auto_tenancy_a_token_manages_every_environment() {
    let app = spawn_seeded(Tenancy::Auto).await;
    let api = Api {
        token: access_token(&app).await,
        app: &app,
    };
    let unseen = uuid::Uuid::new_v4();
    api.expect(
        Method::GET,
        &format!("/v1/environments/{unseen}"),
        None,
        200,
    )
    .await;
    api.expect(
        Method::POST,
        &format!(
            "/v1/environments/{unseen}/applications/{}/pushCredentials",
            uuid::Uuid::new_v4()
        ),
        Some(hms_body()),
        201,
    )
    .await;
}

#[tokio::test]
async fn a_regenerated_secret_replaces_the_old_one() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let api = Api {
        token: access_token(&app).await,
        app: &app,
    };
    let path = format!("/v1/environments/{ADMIN_ENV}/applications/{WORKER_ID}/secret");
    let old = api.expect(Method::GET, &path, None, 200).await;
    assert_eq!(old["secret"], WORKER_SECRET);
    let new = api.expect(Method::POST, &path, None, 200).await;
    let new_secret = new["secret"].as_str().unwrap();
    assert_ne!(new_secret, WORKER_SECRET);
    assert_eq!(
        token(&app, ADMIN_ENV, WORKER_ID, WORKER_SECRET)
            .await
            .status(),
        401
    );
    assert_eq!(
        token(&app, ADMIN_ENV, WORKER_ID, new_secret).await.status(),
        200
    );
}

#[tokio::test]
async fn an_unreadable_signing_key_stops_the_start() {
    let error = pingone_push_mock::MockServer::try_start_with(Config {
        signing_key: Some(fixture("tests/fixtures/apns-signing-key.p8")),
        ..Default::default()
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("--signing-key") && error.contains("RSA"),
        "{error}"
    );
}

#[tokio::test]
async fn a_token_expires_when_the_emulator_clock_passes_its_exp() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let api = Api {
        token: access_token(&app).await,
        app: &app,
    };
    let path = format!("/v1/environments/{ADMIN_ENV}");
    api.expect(Method::GET, &path, None, 200).await;
    let clock = format!("{}/__admin/clock", app.address);
    let shifted = app
        .client
        .put(&clock)
        .json(&serde_json::json!({"offsetMs": 3_600_000}))
        .send()
        .await
        .unwrap();
    assert_eq!(shifted.status(), 200);
    let body = api.expect(Method::GET, &path, None, 401).await;
    assert_eq!(body["details"][0]["code"], "INVALID_TOKEN");
    // A token issued on the shifted clock is valid on it.
    let fresh = Api {
        token: access_token(&app).await,
        app: &app,
    };
    fresh.expect(Method::GET, &path, None, 200).await;
    assert_eq!(
        app.client
            .delete(&clock)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
            / 100,
        2
    );
    api.expect(Method::GET, &path, None, 200).await;
}
