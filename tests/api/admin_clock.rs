//! `/__admin/clock`: frozen and shifted time reaches the timestamps PingOne returns.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{apns_body, assert_error, details, hms_body, pairs, spawn_app};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_frozen_clock_stamps_every_write_with_the_frozen_time() {
    let app = spawn_app().await;
    let setting = app
        .admin_ok(
            Method::PUT,
            "clock",
            Some(&json!({"frozenAt": "2030-01-01T00:00:00Z"})),
            200,
        )
        .await;
    assert_eq!(
        setting,
        json!({"mode": "frozen", "frozenAt": "2030-01-01T00:00:00.000Z",
               "now": "2030-01-01T00:00:00.000Z"})
    );
    let response = app.create(&hms_body()).await;
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["createdAt"], "2030-01-01T00:00:00.000Z");
    assert_eq!(created["updatedAt"], "2030-01-01T00:00:00.000Z");
    assert_eq!(app.admin_ok(Method::GET, "clock", None, 200).await, setting);
}

#[tokio::test]
async fn an_offset_clock_runs_ahead_and_delete_returns_to_real_time() {
    let app = spawn_app().await;
    let setting = app
        .admin_ok(
            Method::PUT,
            "clock",
            Some(&json!({"offsetMs": 3_600_000})),
            200,
        )
        .await;
    assert_eq!(setting["mode"], "offset");
    assert_eq!(setting["offsetMs"], 3_600_000);
    let created: Value = app.create(&apns_body()).await.json().await.unwrap();
    let ahead = at(created["createdAt"].as_str().unwrap()) - Utc::now();
    assert!(
        ahead > Duration::minutes(59) && ahead <= Duration::hours(1),
        "{ahead}"
    );

    let real = app.admin_ok(Method::DELETE, "clock", None, 200).await;
    assert_eq!(real["mode"], "real");
    let drift = at(real["now"].as_str().unwrap()) - Utc::now();
    assert!(drift.num_seconds().abs() < 5, "{drift}");
}

#[tokio::test]
async fn an_invalid_clock_setting_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), ("REQUIRED_VALUE", "frozenAt")),
        (
            json!({"frozenAt": "2030-01-01T00:00:00Z", "offsetMs": 1}),
            ("REQUIRED_VALUE", "frozenAt"),
        ),
        (
            json!({"frozenAt": "tomorrow"}),
            ("INVALID_VALUE", "frozenAt"),
        ),
        (
            json!({"frozenAt": 1_700_000_000}),
            ("INVALID_VALUE", "frozenAt"),
        ),
        (json!({"offsetMs": "1h"}), ("INVALID_VALUE", "offsetMs")),
        (json!({"offsetMs": 1.5}), ("INVALID_VALUE", "offsetMs")),
        (
            json!({"offsetMs": 9_000_000_000_000_000i64}),
            ("INVALID_VALUE", "offsetMs"),
        ),
    ];
    for (body, expected) in cases {
        let response = app.admin(Method::PUT, "clock", Some(&body)).await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(details(&error), pairs(&[expected]), "{body}");
    }
    let response = app.admin(Method::PUT, "clock", None).await;
    assert_error(response, 415, "INVALID_REQUEST").await;
    let clock = app.admin_ok(Method::GET, "clock", None, 200).await;
    assert_eq!(clock["mode"], "real");
}
