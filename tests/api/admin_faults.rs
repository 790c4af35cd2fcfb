//! `/__admin/faults`: errors and delays on purpose, matched by operation, route, environment.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    APP_ID, ENV_ID, apns_body, assert_error, details, hms_body, pairs, spawn_app,
};

const OTHER_ENV: &str = "0b6f7e38-2a49-4b2c-9f0e-3c1f2d7a9e11";

#[tokio::test]
async fn a_429_rule_with_times_fails_exactly_the_next_calls_then_lets_them_through() {
    let app = spawn_app().await;
    let rule = app
        .add_fault(&json!({"route": "createPushCredential",
            "error": {"status": 429, "retryAfter": 3}, "times": 2}))
        .await;

    for _ in 0..2 {
        let response = app.create(&apns_body()).await;
        assert_eq!(response.headers()["retry-after"], "3");
        let body = assert_error(response, 429, "REQUEST_LIMITED").await;
        assert_eq!(body["details"][0]["code"], "LIMIT_EXCEEDED");
    }
    app.create_ok(&apns_body()).await;
    // Only the operation it names: reads were never affected.
    assert_eq!(app.get(&app.collection_url()).await.status(), 200);

    let listed = app.admin_ok(Method::GET, "faults", None, 200).await;
    let listed = &listed["faults"][0];
    assert_eq!(listed["id"], rule["id"]);
    assert_eq!(listed["route"], "createMFAPushCredential");
    assert_eq!(
        (listed["hits"].clone(), listed["remaining"].clone()),
        (json!(2), json!(0))
    );
    let journaled: Vec<Value> = app.journal("status=429").await;
    assert_eq!(journaled.len(), 2);
}

#[tokio::test]
async fn a_rule_for_one_environment_leaves_the_others_alone() {
    let app = spawn_app().await;
    app.add_fault(&json!({"route": "*", "environmentId": ENV_ID,
        "error": {"status": 503, "retryAfter": 1}}))
        .await;
    let response = app.get(&app.collection_url()).await;
    assert_eq!(response.headers()["retry-after"], "1");
    assert_error(response, 503, "UNEXPECTED_ERROR").await;
    let other = app.collection_url_of(OTHER_ENV, APP_ID);
    assert_eq!(app.get(&other).await.status(), 200);
}

#[tokio::test]
async fn a_path_template_rule_applies_to_its_method_only() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    app.add_fault(&json!({
        "route": "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}",
        "method": "DELETE", "error": {"status": 500, "code": "UNEXPECTED_ERROR"}}))
        .await;
    assert_eq!(app.get(&app.item_url(&id)).await.status(), 200);
    assert_error(app.delete(&id).await, 500, "UNEXPECTED_ERROR").await;
    assert_eq!(
        app.get(&app.item_url(&id)).await.status(),
        200,
        "not deleted"
    );
}

#[tokio::test]
async fn authentication_is_checked_before_any_fault() {
    let app = spawn_app().await;
    app.add_fault(&json!({"route": "*", "error": {"status": 500}}))
        .await;
    let response = app.client.get(app.collection_url()).send().await.unwrap();
    assert_error(response, 401, "ACCESS_FAILED").await;
}

#[tokio::test]
async fn a_delay_slows_its_calls_without_blocking_other_calls() {
    let app = spawn_app().await;
    app.add_fault(&json!({"route": "readAllPushCredentials", "delayMs": 600}))
        .await;
    let slow_app = &app;
    let slow = async move {
        let started = Instant::now();
        let response = slow_app.get(&slow_app.collection_url()).await;
        (response.status(), started.elapsed())
    };
    let fast = async {
        // Start while the slow call is waiting; it must not wait for it.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let id = app.create_ok(&hms_body()).await;
        (id, started.elapsed())
    };
    let ((status, slow_took), (_, fast_took)) = tokio::join!(slow, fast);
    assert_eq!(status, 200);
    assert!(slow_took >= Duration::from_millis(600), "{slow_took:?}");
    assert!(fast_took < Duration::from_millis(400), "{fast_took:?}");
}

/// Which of 24 reads fail under a seeded 50% rule.
async fn outcomes(seed: u64) -> Vec<bool> {
    let app = spawn_app().await;
    app.add_fault(
        &json!({"route": "*", "error": {"status": 500}, "probability": 0.5, "seed": seed}),
    )
    .await;
    let mut failed = Vec::new();
    for _ in 0..24 {
        failed.push(app.get(&app.collection_url()).await.status() == 500);
    }
    failed
}

#[tokio::test]
async fn a_seeded_probability_gives_the_same_failures_every_run() {
    let first = outcomes(42).await;
    assert_eq!(outcomes(42).await, first);
    let failures = first.iter().filter(|failed| **failed).count();
    assert!((4..=20).contains(&failures), "{failures} of 24 at p=0.5");
    assert_ne!(outcomes(7).await, first, "another seed, another sequence");
}

#[tokio::test]
async fn without_rules_no_call_answers_a_5xx() {
    let app = spawn_app().await;
    let id = app.create_ok(&hms_body()).await;
    app.put(&id, &hms_body()).await;
    app.get(&app.item_url(&id)).await;
    app.delete(&id).await;
    app.create(&json!({"type": "nope"})).await;
    let server_errors = app.journal("status=5xx").await;
    assert!(server_errors.is_empty(), "{server_errors:?}");
}

#[tokio::test]
async fn rules_are_removed_one_by_one_or_all_at_once() {
    let app = spawn_app().await;
    let first = app.add_fault(&json!({"route": "*", "delayMs": 1})).await;
    app.add_fault(&json!({"route": "*", "delayMs": 2})).await;
    let path = format!("faults/{}", first["id"].as_str().unwrap());
    app.admin_ok(Method::DELETE, &path, None, 204).await;
    assert_error(
        app.admin(Method::DELETE, &path, None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_error(
        app.admin(Method::DELETE, "faults/not-an-id", None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let listed = app.admin_ok(Method::GET, "faults", None, 200).await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 1);
    app.admin_ok(Method::DELETE, "faults", None, 204).await;
    assert_eq!(
        app.admin_ok(Method::GET, "faults", None, 200).await,
        json!({"faults": []})
    );
}

#[tokio::test]
async fn an_invalid_rule_is_refused_with_every_problem() {
    let app = spawn_app().await;
    let cases = [
        (json!({"delayMs": 5}), vec![("REQUIRED_VALUE", "route")]),
        (
            json!({"route": "createUser", "delayMs": 5}),
            vec![("INVALID_VALUE", "route")],
        ),
        (json!({"route": "*"}), vec![("REQUIRED_VALUE", "error")]),
        (
            json!({"route": "*", "error": {"status": 200}}),
            vec![("INVALID_VALUE", "error.status")],
        ),
        (
            json!({"route": "*", "error": {"status": 404, "retryAfter": 5}}),
            vec![("INVALID_VALUE", "error.retryAfter")],
        ),
        (
            json!({"route": "*", "delayMs": 10, "probability": -0.1, "times": 0}),
            vec![("INVALID_VALUE", "probability"), ("INVALID_VALUE", "times")],
        ),
        (
            json!({"route": "deletePushCredential", "method": "POST", "delayMs": 10}),
            vec![("INVALID_VALUE", "method")],
        ),
    ];
    for (rule, expected) in cases {
        let response = app.admin(Method::POST, "faults", Some(&rule)).await;
        let error = assert_error(response, 400, "INVALID_DATA").await;
        assert_eq!(details(&error), pairs(&expected), "{rule}");
    }
    let response = app
        .client
        .post(app.admin_url("faults"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "INVALID_REQUEST").await;
    assert_eq!(
        app.admin_ok(Method::GET, "faults", None, 200).await,
        json!({"faults": []})
    );
}
