//! `/healthz`, `/readyz` and the `healthcheck` subcommand.

use std::future::IntoFuture;

use pingone_push_mock::{AppState, Config, app};
use serde_json::{Value, json};

use crate::helpers::process::run_to_exit;
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn probes_answer_without_any_token_even_when_admin_is_protected() {
    let app = spawn_app_with(Config {
        admin_token: Some(pingone_push_mock::domain::Secret::new("admin-secret")),
        ..Config::default()
    })
    .await;
    for (path, expected) in [
        ("/healthz", json!({"status": "UP"})),
        ("/readyz", json!({"status": "READY"})),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap(), expected, "{path}");
    }
}

#[tokio::test]
async fn readyz_answers_503_until_start_up_is_done_while_healthz_is_already_up() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(&Config::default());
    // Served through `app` alone: nothing has marked start-up as done.
    tokio::spawn(axum::serve(listener, app(state.clone())).into_future());
    let client = reqwest::Client::new();
    let get = |path: &'static str| client.get(format!("{address}{path}")).send();
    let not_ready = get("/readyz").await.unwrap();
    assert_eq!(not_ready.status(), 503);
    assert_eq!(
        not_ready.json::<Value>().await.unwrap(),
        json!({"status": "STARTING"})
    );
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    state.set_ready();
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
}

// Multi-threaded: the subcommand blocks this thread while the in-process server answers it.
// (The ready and unreachable cases are in cli.rs.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthcheck_subcommand_fails_while_the_server_is_not_ready() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listen = listener.local_addr().unwrap().to_string();
    let state = AppState::new(&Config::default());
    tokio::spawn(axum::serve(listener, app(state)).into_future());
    let (status, _) = run_to_exit(&["healthcheck", "--listen", &listen]);
    assert_eq!(status.code(), Some(1));
}
