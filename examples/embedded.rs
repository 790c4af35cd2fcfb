//! Embeds the emulator in a program the way an integration test would:
//! `cargo run --example embedded`.

use pingone_push_mock::MockServer;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let mock = MockServer::start().await;
    let url = mock.push_credentials_url(Uuid::new_v4(), Uuid::new_v4());
    let client = reqwest::Client::new();

    let created: Value = client
        .post(&url)
        .bearer_auth("any-token")
        .json(&json!({"type": "HMS", "clientId": "108046495", "clientSecret": "s3cr3t"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!(
        "created {} at {}",
        created["type"], created["_links"]["self"]["href"]
    );

    let list: Value = client
        .get(&url)
        .bearer_auth("any-token")
        .send()
        .await?
        .json()
        .await?;
    println!(
        "the application now holds {} push credential(s)",
        list["count"]
    );
    Ok(())
    // `mock` is dropped here and the server stops.
}
