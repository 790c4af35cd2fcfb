//! Create, list, read, replace and delete, for every type.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn timestamp(body: &Value, field: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(body[field].as_str().expect(field))
        .expect(field)
        .with_timezone(&Utc)
}

#[tokio::test]
async fn each_type_is_created_with_201_and_read_back() {
    let app = spawn_app().await;
    for (body, ty) in [
        (apns_body(), "APNS"),
        (fcm_body(), "FCM_HTTP_V1"),
        (hms_body(), "HMS"),
    ] {
        let response = app.create(&body).await;
        assert_eq!(response.status(), 201, "{ty}");
        let created: Value = response.json().await.unwrap();
        assert_eq!(created["type"], ty);
        assert_eq!(created["environment"]["id"], ENV_ID);
        assert_eq!(created["application"]["id"], APP_ID);
        assert_eq!(
            created["createdAt"], created["updatedAt"],
            "{ty}: createdAt == updatedAt on create"
        );

        let id = created["id"].as_str().unwrap();
        let read = app.get(&app.item_url(id)).await;
        assert_eq!(read.status(), 200);
        assert_eq!(
            read.json::<Value>().await.unwrap(),
            created,
            "{ty}: read equals create"
        );
    }
}

#[tokio::test]
async fn ids_are_lowercase_hyphenated_uuids() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    assert_eq!(id.len(), 36);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-'),
        "{id}"
    );
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().to_string(), id);
}

#[tokio::test]
async fn a_list_of_an_unseen_application_is_200_and_empty() {
    let app = spawn_app().await;
    let response = app.get(&app.collection_url()).await;
    assert_eq!(response.status(), 200);
    let list: Value = response.json().await.unwrap();
    assert_eq!(list["count"], 0);
    assert_eq!(list["size"], 0);
    assert_eq!(list["_embedded"]["pushCredentials"], json!([]));
    assert!(list["_links"].get("next").is_none());
}

#[tokio::test]
async fn a_list_holds_the_application_credentials_in_creation_order() {
    let app = spawn_app().await;
    let hms = app.create_ok(&hms_body()).await;
    let apns = app.create_ok(&apns_body()).await;
    let fcm = app.create_ok(&fcm_body()).await;
    let other_app = "0d4b3c2a-1e6f-4a8b-9c0d-1e2f3a4b5c6d";
    let response = app
        .send_json(
            Method::POST,
            &app.collection_url_of(ENV_ID, other_app),
            &hms_body(),
        )
        .await;
    assert_eq!(response.status(), 201);

    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    let ids: Vec<&str> = list["_embedded"]["pushCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![hms.as_str(), apns.as_str(), fcm.as_str()]);
    assert_eq!(list["count"], 3);
    assert_eq!(list["size"], 3);
}

#[tokio::test]
async fn several_types_may_share_an_application_but_not_the_same_type_twice() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    app.create_ok(&hms_body()).await;
    let body = assert_error(app.create(&apns_body()).await, 400, "INVALID_DATA").await;
    assert_eq!(details(&body), pairs(&[("UNIQUENESS_VIOLATION", "type")]));
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(list["count"], 2, "the refused create stored nothing");
}

#[tokio::test]
async fn the_same_type_may_exist_once_in_each_application() {
    let app = spawn_app().await;
    app.create_ok(&apns_body()).await;
    let other = app.collection_url_of(ENV_ID, "0d4b3c2a-1e6f-4a8b-9c0d-1e2f3a4b5c6d");
    assert_eq!(
        app.send_json(Method::POST, &other, &apns_body())
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn replace_keeps_id_and_created_at_and_moves_updated_at() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let created: Value = app.get(&app.item_url(&id)).await.json().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let response = app
        .put(
            &id,
            &json!({"type":"HMS","clientId":"new-client","clientSecret":"new-secret"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let replaced: Value = response.json().await.unwrap();
    assert_eq!(replaced["id"], created["id"]);
    assert_eq!(replaced["createdAt"], created["createdAt"]);
    assert!(
        timestamp(&replaced, "updatedAt") > timestamp(&created, "updatedAt"),
        "{replaced}"
    );
    assert_eq!(replaced["clientId"], "new-client");
    let read: Value = app.get(&app.item_url(&id)).await.json().await.unwrap();
    assert_eq!(read, replaced);
}

#[tokio::test]
async fn replace_with_another_type_is_rejected_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_ok(&apns_body()).await;
    let before: Value = app.get(&app.item_url(&id)).await.json().await.unwrap();
    for other in [
        hms_body(),
        fcm_body(),
        json!({"type":"FCM","key":"k"}),
        json!({"type":"HMS"}),
    ] {
        let body = assert_error(app.put(&id, &other).await, 400, "INVALID_DATA").await;
        assert_eq!(
            details(&body)[0],
            ("INVALID_VALUE".to_owned(), "type".to_owned()),
            "{other}: {body}"
        );
        assert!(
            body["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("immutable"),
            "{body}"
        );
    }
    let after: Value = app.get(&app.item_url(&id)).await.json().await.unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn replace_needs_the_whole_body() {
    let app = spawn_app().await;
    let id = app.create_ok(&apns_body()).await;
    let body = assert_error(
        app.put(&id, &json!({"type":"APNS","key":"only-the-key"}))
            .await,
        400,
        "INVALID_DATA",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[("REQUIRED_VALUE", "teamId"), ("REQUIRED_VALUE", "token")])
    );
}

#[tokio::test]
async fn replace_of_an_unknown_credential_is_404_even_with_a_bad_body() {
    let app = spawn_app().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_error(app.put(&unknown, &hms_body()).await, 404, "NOT_FOUND").await;
    assert_error(
        app.put(&unknown, &json!({"type":"HMS"})).await,
        404,
        "NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn delete_answers_204_with_no_body_and_the_credential_is_gone() {
    let app = spawn_app().await;
    let id = app.create_ok(&fcm_body()).await;
    let response = app.delete(&id).await;
    assert_eq!(response.status(), 204);
    assert!(response.headers().get("content-type").is_none());
    assert!(response.bytes().await.unwrap().is_empty());
    assert_error(app.get(&app.item_url(&id)).await, 404, "NOT_FOUND").await;
    assert_error(app.delete(&id).await, 404, "NOT_FOUND").await;
    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn after_a_delete_the_type_can_be_created_again() {
    let app = spawn_app().await;
    let id = app.create_ok(&apns_body()).await;
    assert_eq!(app.delete(&id).await.status(), 204);
    let again = app.create_ok(&apns_body()).await;
    assert_ne!(again, id);
}

#[tokio::test]
async fn a_credential_is_not_reachable_through_another_application_or_environment() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let other = "0d4b3c2a-1e6f-4a8b-9c0d-1e2f3a4b5c6d";
    for url in [
        format!("{}/{id}", app.collection_url_of(ENV_ID, other)),
        format!("{}/{id}", app.collection_url_of(other, APP_ID)),
    ] {
        assert_error(app.get(&url).await, 404, "NOT_FOUND").await;
        let response = app.request(Method::DELETE, &url).send().await.unwrap();
        assert_error(response, 404, "NOT_FOUND").await;
    }
    assert_eq!(app.get(&app.item_url(&id)).await.status(), 200);
}

#[tokio::test]
async fn timestamps_are_utc_with_milliseconds() {
    let app = spawn_app().await;
    let id = app.create_ok(&apns_body()).await;
    let body: Value = app.get(&app.item_url(&id)).await.json().await.unwrap();
    for field in ["createdAt", "updatedAt"] {
        let text = body[field].as_str().unwrap();
        assert_eq!(text.len(), "2022-01-06T15:44:10.669Z".len(), "{text}");
        assert!(text.ends_with('Z') && text.as_bytes()[19] == b'.', "{text}");
        let parsed = timestamp(&body, field);
        assert!((Utc::now() - parsed).num_seconds().abs() < 60, "{text}");
    }
}

#[tokio::test]
async fn head_on_a_resource_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    let response = app
        .request(Method::HEAD, &app.item_url(&id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().is_empty());
}
