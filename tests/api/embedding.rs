//! `MockServer`, the handle Rust integration tests embed.

use pingone_push_mock::config::AuthMode;
use pingone_push_mock::{Config, MockServer};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn many_mocks_run_at_once_without_seeing_each_other() {
    let mocks = start_mocks(8).await;
    let client = reqwest::Client::new();
    let (env, app) = (Uuid::new_v4(), Uuid::new_v4());
    let ports: std::collections::HashSet<u16> = mocks.iter().map(|m| m.address().port()).collect();
    assert_eq!(ports.len(), mocks.len(), "each mock has its own port");

    for (i, mock) in mocks.iter().enumerate() {
        let mut body = hms_body();
        body["clientId"] = Value::from(format!("client-{i}"));
        let response = client
            .post(mock.push_credentials_url(env, app))
            .bearer_auth("t")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    for (i, mock) in mocks.iter().enumerate() {
        let list: Value = client
            .get(mock.push_credentials_url(env, app))
            .bearer_auth("t")
            .fetch_json()
            .await;
        assert_eq!(list["count"], 1, "mock {i} holds only its own credential");
        assert_eq!(
            list["_embedded"]["pushCredentials"][0]["clientId"],
            format!("client-{i}")
        );
    }
}

async fn start_mocks(n: usize) -> Vec<MockServer> {
    let handles: Vec<_> = (0..n).map(|_| tokio::spawn(MockServer::start())).collect();
    let mut mocks = Vec::with_capacity(n);
    for handle in handles {
        mocks.push(handle.await.unwrap());
    }
    mocks
}

#[tokio::test]
async fn a_dropped_mock_stops_listening() {
    let mock = MockServer::start().await;
    let address = mock.address();
    assert!(tokio::net::TcpStream::connect(address).await.is_ok());
    drop(mock);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still listening after drop"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_mock_takes_the_same_options_as_the_binary() {
    let mock = MockServer::start_with(Config {
        auth: AuthMode::None,
        public_url: Some("https://api.pingone.eu".into()),
        ..Default::default()
    })
    .await;
    let url = mock.push_credentials_url(Uuid::new_v4(), Uuid::new_v4());
    let created: Value = reqwest::Client::new()
        .post(&url)
        .json(&hms_body())
        .fetch_json()
        .await;
    assert!(
        created["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://api.pingone.eu/v1/"),
        "{created}"
    );
    assert_eq!(
        mock.store()
            .list(
                pingone_push_mock::store::AppKey {
                    environment_id: created["environment"]["id"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap(),
                    application_id: created["application"]["id"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap(),
                },
                chrono::Utc::now()
            )
            .unwrap()
            .len(),
        1
    );
}
