//! Stored legacy `FCM` records, and the switch that lets clients create them.

use pingone_push_mock::Config;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

/// Stores a legacy `FCM` record in the default application, as a state import does (the API
/// refuses to create one).
async fn store_legacy(app: &TestApp, id: Uuid, key: &str) {
    let document = state_document(json!([{"id": id, "type": "FCM", "key": key}]));
    app.admin_ok(reqwest::Method::PUT, "state", Some(&document), 200)
        .await;
}

#[tokio::test]
async fn a_stored_legacy_fcm_record_can_be_listed_read_and_deleted() {
    let app = spawn_app().await;
    let id = Uuid::new_v4();
    store_legacy(&app, id, "AAAA-legacy-server-key").await;

    let list: Value = app.get(&app.collection_url()).await.json().await.unwrap();
    assert_eq!(list["_embedded"]["pushCredentials"][0]["type"], "FCM");
    let read = app.get(&app.item_url(&id.to_string())).await;
    assert_eq!(read.status(), 200);
    let text = read.text().await.unwrap();
    assert!(
        text.contains("\"type\":\"FCM\"") && !text.contains("AAAA-legacy-server-key"),
        "{text}"
    );
    assert_eq!(app.delete(&id.to_string()).await.status(), 204);
    assert_eq!(app.get(&app.item_url(&id.to_string())).await.status(), 404);
}

#[tokio::test]
async fn a_stored_legacy_record_cannot_be_replaced_with_fcm_unless_allowed() {
    let app = spawn_app().await;
    let id = Uuid::new_v4();
    store_legacy(&app, id, "k").await;
    for (body, said) in [
        (json!({"type":"FCM","key":"k2"}), "FCM_HTTP_V1"),
        (fcm_body(), "immutable"),
    ] {
        let error = assert_error(app.put(&id.to_string(), &body).await, 400, "INVALID_DATA").await;
        let message = error["details"][0]["message"].as_str().unwrap();
        assert!(message.contains(said), "{error}");
    }
}

#[tokio::test]
async fn the_legacy_switch_allows_creating_and_replacing_fcm() {
    let app = spawn_app_with(Config {
        allow_legacy_fcm: true,
        ..Default::default()
    })
    .await;
    let response = app
        .create(&json!({"type":"FCM","key":"AAAA-server-key"}))
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["type"], "FCM");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        app.put(id, &json!({"type":"FCM","key":"BBBB"}))
            .await
            .status(),
        200
    );
    // The legacy API wanted teamId and token left empty for FCM.
    let error = assert_error(
        app.put(id, &json!({"type":"FCM","key":"B","teamId":"T"}))
            .await,
        400,
        "INVALID_DATA",
    )
    .await;
    assert_eq!(details(&error), pairs(&[("INVALID_VALUE", "teamId")]));
    // FCM and FCM_HTTP_V1 are different types: both may exist on one application.
    assert_eq!(app.create(&fcm_body()).await.status(), 201);
}
