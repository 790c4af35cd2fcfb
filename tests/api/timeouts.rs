//! Slow or idle clients cannot hold a connection for ever.

use std::time::Duration;

use pingone_push_mock::Config;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{APP_ID, ENV_ID, spawn_app_with};

/// Generous: the server is expected to act within its own (much shorter) limits.
const PATIENCE: Duration = Duration::from_secs(10);

async fn connect(address: &str) -> TcpStream {
    TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .expect("connected")
}

/// Everything the server sends until it closes the connection.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_connection_that_never_sends_headers_is_closed_after_the_header_timeout() {
    // Arrange
    let app = spawn_app_with(Config {
        header_timeout_ms: 200,
        ..Config::default()
    })
    .await;
    let mut stream = connect(&app.address).await;

    // Act: send nothing at all.
    let received = read_until_closed(&mut stream).await;

    // Assert: closed without an answer to a request that was never made.
    assert!(!received.contains("HTTP/1.1 200"), "{received}");
}

#[tokio::test]
async fn a_connection_that_trickles_half_its_headers_is_closed() {
    let app = spawn_app_with(Config {
        header_timeout_ms: 200,
        ..Config::default()
    })
    .await;
    let mut stream = connect(&app.address).await;

    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let received = read_until_closed(&mut stream).await;

    assert!(!received.contains("HTTP/1.1 200"), "{received}");
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_is_answered_408_in_the_error_shape() {
    let app = spawn_app_with(Config {
        request_timeout_ms: 200,
        ..Config::default()
    })
    .await;
    let mut stream = connect(&app.address).await;

    let head = format!(
        "POST /v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials HTTP/1.1\r\n\
         Host: 127.0.0.1\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"type\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let received = read_until_closed(&mut stream).await;

    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(
        received.contains(r#""code":"INVALID_REQUEST""#),
        "{received}"
    );
    assert!(
        received.to_ascii_lowercase().contains("correlation-id:"),
        "{received}"
    );

    // The journal records the 408 too, with the correlation id the client got.
    let journal: Value = app
        .get(&format!("{}/__admin/requests", app.address))
        .await
        .json()
        .await
        .unwrap();
    let entry = journal["requests"]
        .as_array()
        .and_then(|entries| entries.iter().find(|entry| entry["status"] == 408))
        .unwrap_or_else(|| panic!("no 408 in the journal: {journal}"));
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["body"], "<not recorded: request timed out>");
    let correlation_id = entry["correlationId"].as_str().unwrap();
    assert!(
        received.to_ascii_lowercase().contains(correlation_id),
        "{received}"
    );
}

#[tokio::test]
async fn keep_alive_connections_serve_several_requests_within_the_limits() {
    let app = spawn_app_with(Config {
        header_timeout_ms: 2_000,
        ..Config::default()
    })
    .await;
    let mut stream = connect(&app.address).await;

    for _ in 0..3 {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .unwrap();
        let mut buffer = [0u8; 512];
        let read = tokio::time::timeout(PATIENCE, stream.read(&mut buffer))
            .await
            .expect("an answer")
            .unwrap();
        assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
    }
}
