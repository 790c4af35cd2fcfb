//! `GET /v1/environments` as the SDK's iterator and the provider's data source use it (`limit`,
//! `_links.next`, `filter`), environments' own attributes, and the token retry x/oauth2 makes.

use base64::Engine;
use pingone_push_mock::Config;
use pingone_push_mock::config::{AuthMode, Tenancy};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const OTHER_LICENSE: &str = "22222222-2222-4333-8444-555555555555";

/// A strict server with `names` created in order (the first two under [`OTHER_LICENSE`]).
async fn with_environments(names: &[&str]) -> (TestApp, Vec<String>) {
    let app = spawn_app_with(Config {
        tenancy: Tenancy::Strict,
        ..Default::default()
    })
    .await;
    let mut ids = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let mut body = environment_body(name);
        if index < 2 {
            body["license"] = json!({"id": OTHER_LICENSE});
        }
        let response = app
            .send_json(
                Method::POST,
                &format!("{}/v1/environments", app.address),
                &body,
            )
            .await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    (app, ids)
}

async fn list(app: &TestApp, query: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .request(Method::GET, &format!("{}/v1/environments", app.address))
        .query(query)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn names(page: &Value) -> Vec<String> {
    page["_embedded"]["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|env| env["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn limit_pages_through_next_links_as_the_sdk_iterator_follows_them() {
    let (app, _) = with_environments(&["TEST-a", "TEST-b", "prod", "TEST-c", "test-d"]).await;
    let (status, first) = list(&app, &[("limit", "2")]).await;
    assert_eq!(status, 200);
    assert_eq!(names(&first), ["TEST-a", "TEST-b"]);
    assert_eq!(
        (first["count"].as_u64(), first["size"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(
        first["_links"]["self"]["href"],
        format!("{}/v1/environments?limit=2", app.address)
    );

    // The iterator GETs each absolute next href as it is, with the same token.
    let mut seen = names(&first);
    let mut next = first["_links"]["next"]["href"].as_str().map(str::to_owned);
    let mut pages = 1;
    while let Some(href) = next {
        assert!(href.starts_with(&app.address), "{href}");
        let page: Value = app.get(&href).await.json().await.unwrap();
        assert!(page["size"].as_u64().unwrap() <= 2);
        seen.extend(names(&page));
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages <= 5, "paging never ends");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["TEST-a", "TEST-b", "prod", "TEST-c", "test-d"]);

    // Without a limit: one page, no next.
    let (_, all) = list(&app, &[]).await;
    assert_eq!(names(&all).len(), 5);
    assert!(all["_links"].get("next").is_none());
    assert_eq!(
        (all["count"].as_u64(), all["size"].as_u64()),
        (Some(5), Some(5))
    );
}

#[tokio::test]
async fn filters_select_as_pingone_documents_and_limit_applies_only_where_documented() {
    let (app, ids) = with_environments(&["TEST-a", "TEST-b", "prod", "TEST-c", "test-d"]).await;
    let organization = {
        let (_, all) = list(&app, &[]).await;
        all["_embedded"]["environments"][0]["organization"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let name_sw = r#"name sw "TEST-""#.to_owned();
    let id_eq = format!(r#"id eq "{}""#, ids[2]);
    let license = format!(r#"license.id eq "{OTHER_LICENSE}""#);
    let org = format!(r#"organization.id eq "{organization}""#);
    let both = format!(r#"({name_sw}) and ({license})"#);
    for (filter, limit, expected) in [
        // SCIM `sw` is case-insensitive.
        (&name_sw, None, vec!["TEST-a", "TEST-b", "TEST-c", "test-d"]),
        (
            &name_sw,
            Some("1"),
            vec!["TEST-a", "TEST-b", "TEST-c", "test-d"],
        ),
        (&id_eq, Some("1"), vec!["prod"]),
        (&license, None, vec!["TEST-a", "TEST-b"]),
        (&license, Some("1"), vec!["TEST-a"]),
        (&org, Some("3"), vec!["TEST-a", "TEST-b", "prod"]),
        (&both, None, vec!["TEST-a", "TEST-b"]),
    ] {
        let mut query = vec![("filter", filter.as_str())];
        if let Some(limit) = limit {
            query.push(("limit", limit));
        }
        let (status, page) = list(&app, &query).await;
        assert_eq!(status, 200, "{filter}: {page}");
        assert_eq!(names(&page), expected, "{filter} limit {limit:?}");
    }
    // The next link keeps the filter.
    let (_, page) = list(&app, &[("filter", &license), ("limit", "1")]).await;
    let next: Value = app
        .get(page["_links"]["next"]["href"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&next), ["TEST-b"]);
    assert!(next["_links"].get("next").is_none());
}

#[tokio::test]
async fn unsupported_filters_and_bad_limits_are_clear_400s() {
    let (app, _) = with_environments(&["one"]).await;
    for (parameter, value, target, says) in [
        (
            "filter",
            r#"name eq "one""#,
            "filter",
            "Unsupported operator `eq` for `name`",
        ),
        (
            "filter",
            r#"region eq "EU""#,
            "filter",
            "Unsupported filter attribute `region`",
        ),
        ("filter", r#"name sw "a" or name sw "b""#, "filter", "`and`"),
        (
            "filter",
            r#"name sw "unterminated"#,
            "filter",
            "ends inside a string",
        ),
        ("filter", r#"name sw "a" and"#, "filter", "ends too soon"),
        ("limit", "0", "limit", "1 to 500"),
        ("limit", "501", "limit", "1 to 500"),
        ("limit", "ten", "limit", "1 to 500"),
        ("cursor", "x", "cursor", "_links.next"),
    ] {
        let response = app
            .request(Method::GET, &format!("{}/v1/environments", app.address))
            .query(&[(parameter, value)])
            .send()
            .await
            .unwrap();
        let error = assert_error(response, 400, "INVALID_REQUEST").await;
        assert_eq!(error["details"][0]["target"], target, "{value}");
        let message = error["details"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{value}: {message}");
    }
}

#[tokio::test]
async fn in_strict_jwt_tenancy_the_filter_applies_to_what_the_token_may_see() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let admin = Api {
        token: access_token(&app).await,
        app: &app,
    };
    let limited = Api {
        token: limited_worker_token(&admin).await,
        app: &app,
    };
    admin
        .expect(
            Method::POST,
            "/v1/environments",
            Some(environment_body("TEST-admin")),
            201,
        )
        .await;
    limited
        .expect(
            Method::POST,
            "/v1/environments",
            Some(environment_body("TEST-mine")),
            201,
        )
        .await;

    let filtered = "/v1/environments?filter=name%20sw%20%22test-%22";
    let mine = limited.expect(Method::GET, filtered, None, 200).await;
    assert_eq!(names(&mine), ["TEST-mine"]);
    assert_eq!(mine["count"], 1);
    let all = admin.expect(Method::GET, filtered, None, 200).await;
    assert_eq!(names(&all), ["TEST-admin", "TEST-mine"]);
}

#[tokio::test]
async fn environments_round_trip_their_attributes_and_region_sg_is_accepted() {
    let app = spawn_app_with(Config {
        reject_unknown_fields: true,
        ..Default::default()
    })
    .await;
    let sent = json!({"name": "Singapore", "description": "Every attribute", "type": "PRODUCTION",
        "region": "SG", "license": {"id": LICENSE}, "icon": "https://example.com/icon.png"});
    let response = app
        .send_json(
            Method::POST,
            &format!("{}/v1/environments", app.address),
            &sent,
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    for key in ["name", "description", "type", "region", "license", "icon"] {
        assert_eq!(created[key], sent[key], "{key}");
    }
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "_links",
            "id",
            "name",
            "description",
            "organization",
            "type",
            "region",
            "createdAt",
            "updatedAt",
            "license",
            "icon"
        ]
    );
    // What a client read it can send back, read-only members included.
    let url = format!(
        "{}/v1/environments/{}",
        app.address,
        created["id"].as_str().unwrap()
    );
    let mut back = created.clone();
    back["name"] = json!("Renamed");
    let replaced: Value = app
        .send_json(Method::PUT, &url, &back)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replaced["name"], "Renamed");
    assert_eq!(replaced["icon"], sent["icon"]);
    let exported = app.exported_state(false).await;
    let in_export = exported["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|env| env["id"] == created["id"])
        .unwrap();
    assert_eq!(in_export["icon"], sent["icon"]);
    assert_eq!(in_export["region"], "SG");
}

/// `POST /{env}/as/token` the way x/oauth2 tries: HTTP Basic, or the secret in the form.
async fn token_with(app: &TestApp, basic: bool) -> reqwest::Response {
    let url = format!("{}/{ADMIN_ENV}/as/token", app.address);
    let request = app.client.post(url);
    let request = if basic {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{WORKER_ID}:{WORKER_SECRET}"));
        request
            .header("authorization", format!("Basic {encoded}"))
            .form(&[("grant_type", "client_credentials")])
    } else {
        request.form(&[
            ("grant_type", "client_credentials"),
            ("client_id", WORKER_ID),
            ("client_secret", WORKER_SECRET),
        ])
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_x_oauth2_client_gets_its_token_after_a_429_as_the_sdk_retries() {
    let app = spawn_app_with(Config {
        tenancy: Tenancy::Strict,
        auth: AuthMode::Jwt,
        seed_file: Some(fixture("examples/seed.json")),
        ..Default::default()
    })
    .await;
    app.add_fault(&json!({"route": "createToken", "error": {"status": 429}, "times": 1}))
        .await;

    // x/oauth2, auto-detecting: Basic first, which the fault rule fails...
    let first = token_with(&app, true).await;
    assert_eq!(first.status(), 429);
    // ... then the form, after any failure: the worker authenticates with Basic.
    let second = token_with(&app, false).await;
    assert_eq!(second.status(), 401);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let description = body["error_description"].as_str().unwrap();
    // The SDK retries the token call when the error text holds these words.
    assert!(
        description
            .to_lowercase()
            .contains("unsupported authentication method"),
        "{description}"
    );
    // The SDK's retry starts over with Basic, and gets its token.
    let third = token_with(&app, true).await;
    assert_eq!(third.status(), 200);
    let token: Value = third.json().await.unwrap();
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
}

#[tokio::test]
async fn a_wrong_secret_is_still_plain_invalid_client() {
    let app = spawn_seeded(Tenancy::Strict).await;
    let response = token(&app, ADMIN_ENV, WORKER_ID, "not-the-secret").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert!(
        !body["error_description"]
            .as_str()
            .unwrap()
            .contains("Unsupported")
    );
}
