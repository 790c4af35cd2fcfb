//! Two replicas on one PostgreSQL database answer as one emulator. These need PostgreSQL and
//! are ignored otherwise: `scripts/test-postgres.sh` runs them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use pingone_push_mock::Config;
use pingone_push_mock::config::{AuthMode, StoreLocation};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::database::{fresh_store, replica_database};
use crate::helpers::*;

/// Two servers sharing one empty database schema.
async fn replicas_with(config: Config) -> (TestApp, TestApp) {
    let store = fresh_store(&replica_database()).await;
    let replica = |store: StoreLocation| {
        spawn_app_with(Config {
            store,
            ..config.clone()
        })
    };
    (replica(store.clone()).await, replica(store).await)
}

async fn replicas() -> (TestApp, TestApp) {
    replicas_with(Config::default()).await
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn replicas_starting_together_on_an_empty_database_share_one_schema() {
    let store = fresh_store(&replica_database()).await;
    let start = || {
        spawn_app_with(Config {
            store: store.clone(),
            ..Config::default()
        })
    };
    let (a, b, c, d) = tokio::join!(start(), start(), start(), start());
    let created = a.create(&hms_body()).await;
    assert_eq!(created.status(), 201);
    let id = id_of(&created.json().await.unwrap());
    for other in [&b, &c, &d] {
        assert_eq!(other.listed_ids().await, std::slice::from_ref(&id));
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn secrets_deleted_ids_and_the_state_document_are_the_same_on_both_replicas() {
    let (a, b) = replicas().await;
    // A worker's client secret, made on A, is the one B hands out and accepts.
    let (worker, secret) = create_with_secret(
        &a,
        &json!({"name": "W", "enabled": true,
        "protocol": "OPENID_CONNECT", "type": "WORKER", "grantTypes": ["CLIENT_CREDENTIALS"],
        "tokenEndpointAuthMethod": "CLIENT_SECRET_POST"}),
    )
    .await;
    let applications = format!("{}/v1/environments/{ENV_ID}/applications", b.address);
    let on_b: Value = b
        .get(&format!("{applications}/{worker}/secret"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on_b["secret"], json!(secret));
    assert_eq!(
        token_posted(&b, ENV_ID, &worker, &secret).await.status(),
        200
    );

    // An application deleted on A is not provisioned again by B (auto tenancy).
    let native = Uuid::new_v4();
    assert_eq!(
        a.get(&a.collection_url_of(ENV_ID, &native.to_string()))
            .await
            .status(),
        200
    );
    let deleted = a
        .request(
            Method::DELETE,
            &format!(
                "{}/v1/environments/{ENV_ID}/applications/{native}",
                a.address
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        b.get(&b.collection_url_of(ENV_ID, &native.to_string()))
            .await
            .status(),
        404
    );

    // A state document put on B is what A exports.
    let document = state_document(json!([{"id": Uuid::new_v4(), "type": "HMS",
        "clientId": "imported", "clientSecret": "imported-secret"}]));
    b.admin_ok(Method::PUT, "state", Some(&document), 200).await;
    let exported = a.exported_state(true).await;
    assert_eq!(exported, b.exported_state(true).await);
    let credential = &exported["environments"][0]["applications"][0]["pushCredentials"][0];
    assert_eq!(credential["clientSecret"], "imported-secret");
}

#[tokio::test]
async fn a_state_file_with_a_database_store_is_refused_before_connecting() {
    let refused = pingone_push_mock::AppState::start(&Config {
        store: StoreLocation::Postgres(pingone_push_mock::domain::Secret::new(
            "postgres://mock:pa55word@127.0.0.1:1/none",
        )),
        state_file: Some(std::path::PathBuf::from("state.json")),
        ..Config::default()
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(refused.contains("--state-file"), "{refused}");
    assert!(!refused.contains("pa55word"), "{refused}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn a_credential_created_on_one_replica_is_read_listed_replaced_and_deleted_on_the_other() {
    let (a, b) = replicas().await;
    let created = a.create(&hms_body()).await;
    assert_eq!(created.status(), 201);
    let id = id_of(&created.json().await.unwrap());

    let read = b.get(&b.item_url(&id)).await;
    assert_eq!(read.status(), 200);
    assert_eq!(b.listed_ids().await, std::slice::from_ref(&id));
    let mut replacement = hms_body();
    replacement["clientId"] = json!("replaced-on-b");
    assert_eq!(b.put(&id, &replacement).await.status(), 200);
    let seen_on_a: Value = a.get(&a.item_url(&id)).await.json().await.unwrap();
    assert_eq!(seen_on_a["clientId"], "replaced-on-b");
    // The uniqueness rule holds across replicas: B cannot add a second HMS credential.
    assert_error(b.create(&hms_body()).await, 400, "INVALID_DATA").await;

    assert_eq!(b.delete(&id).await.status(), 204);
    assert_eq!(a.get(&a.item_url(&id)).await.status(), 404);
    assert!(a.listed_ids().await.is_empty());
}

/// What one racing client saw acknowledged.
#[derive(Default)]
struct Acknowledged {
    created: HashSet<String>,
    deleted: HashSet<String>,
    /// The last `clientId` each of its HMS credentials was given.
    client_ids: HashMap<String, String>,
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn racing_clients_on_both_replicas_leave_exactly_what_was_acknowledged() {
    const CLIENTS: usize = 64;
    const ROUNDS: usize = 8;
    let (a, b) = replicas().await;
    let apps: Vec<String> = (0..4).map(|_| Uuid::new_v4().to_string()).collect();
    let replicas = [&a, &b];
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let server = replicas[client % 2];
        let (address, http) = (server.address.clone(), server.client.clone());
        let apps = apps.clone();
        clients.push(tokio::spawn(async move {
            let mut seen = Acknowledged::default();
            let mut statuses = Vec::new();
            for round in 0..ROUNDS {
                let app = &apps[(client + round) % apps.len()];
                let collection = format!(
                    "{address}/v1/environments/{ENV_ID}/applications/{app}/pushCredentials"
                );
                let body = [hms_body(), apns_body(), fcm_body()][(client * 7 + round) % 3].clone();
                let send = |method: Method, url: String, body: Option<Value>| {
                    let request = http.request(method, url).bearer_auth("t");
                    let request = match body {
                        Some(body) => request.json(&body),
                        None => request,
                    };
                    async move { request.send().await.expect("request sent") }
                };
                let created = send(Method::POST, collection.clone(), Some(body.clone())).await;
                statuses.push(created.status().as_u16());
                if created.status() != 201 {
                    continue;
                }
                let id = id_of(&created.json().await.unwrap());
                seen.created.insert(id.clone());
                let item = format!("{collection}/{id}");
                let mut replacement = body;
                if replacement["type"] == "HMS" {
                    replacement["clientId"] = json!(format!("client-{client}-round-{round}"));
                }
                let replaced = send(Method::PUT, item.clone(), Some(replacement.clone())).await;
                statuses.push(replaced.status().as_u16());
                if replaced.status() == 200 && replacement["type"] == "HMS" {
                    let client_id = replacement["clientId"].as_str().unwrap().to_owned();
                    seen.client_ids.insert(id.clone(), client_id);
                }
                if round % 2 == 0 {
                    let deleted = send(Method::DELETE, item, None).await;
                    statuses.push(deleted.status().as_u16());
                    if deleted.status() == 204 {
                        seen.deleted.insert(id);
                    }
                }
            }
            (seen, statuses)
        }));
    }
    let mut expected = HashSet::new();
    let mut client_ids = HashMap::new();
    let mut answered = 0;
    for client in clients {
        let (seen, statuses) = client.await.unwrap();
        for status in &statuses {
            assert!(
                [200, 201, 204, 400].contains(status),
                "unexpected status {status}"
            );
        }
        answered += statuses.len();
        expected.extend(seen.created.difference(&seen.deleted).cloned());
        client_ids.extend(
            seen.client_ids
                .into_iter()
                .filter(|(id, _)| !seen.deleted.contains(id)),
        );
    }
    assert!(answered >= CLIENTS * ROUNDS, "{answered} answers");

    let mut stored = HashSet::new();
    for app in &apps {
        let list: Value = b
            .get(&b.collection_url_of(ENV_ID, app))
            .await
            .json()
            .await
            .unwrap();
        let items = list["_embedded"]["pushCredentials"].as_array().unwrap();
        let types: HashSet<&str> = items
            .iter()
            .map(|item| item["type"].as_str().unwrap())
            .collect();
        assert_eq!(types.len(), items.len(), "one credential per type: {list}");
        for item in items {
            let id = id_of(item);
            if let Some(client_id) = client_ids.get(&id) {
                assert_eq!(
                    item["clientId"],
                    json!(client_id),
                    "the last replace stands"
                );
            }
            stored.insert(id);
        }
    }
    assert_eq!(
        stored, expected,
        "exactly the acknowledged creates not deleted"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn a_fault_rule_counts_its_calls_across_both_replicas() {
    let (a, b) = replicas().await;
    a.add_fault(&json!({"route": "*", "error": {"status": 503}, "times": 3}))
        .await;
    let mut failed = 0;
    for call in 0..10 {
        let server = if call % 2 == 0 { &a } else { &b };
        let status = server.get(&server.collection_url()).await.status();
        if status == 503 {
            failed += 1;
        } else {
            assert_eq!(status, 200);
        }
    }
    assert_eq!(failed, 3, "times: 3 fires exactly three times in all");
    let listed = b.admin_ok(Method::GET, "faults", None, 200).await;
    assert_eq!(listed["faults"][0]["hits"], 3);
    assert_eq!(listed["faults"][0]["remaining"], 0);

    // A seeded probability gives the same outcomes as on one memory server.
    let rule = json!({"route": "*", "error": {"status": 429, "retryAfter": 1}, "probability": 0.5, "seed": 7});
    b.admin_ok(Method::DELETE, "faults", None, 204).await;
    b.add_fault(&rule).await;
    let memory = spawn_exactly(Config::default()).await;
    memory.add_fault(&rule).await;
    let mut shared = Vec::new();
    let mut alone = Vec::new();
    for call in 0..16 {
        let server = if call % 2 == 0 { &a } else { &b };
        shared.push(server.get(&server.collection_url()).await.status().as_u16());
        alone.push(memory.get(&memory.collection_url()).await.status().as_u16());
    }
    assert!(shared.contains(&429) && shared.contains(&200), "{shared:?}");
    assert_eq!(shared, alone);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn a_token_from_one_replica_is_accepted_by_the_other() {
    let (a, b) = replicas_with(Config {
        auth: AuthMode::Jwt,
        seed_file: Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed.json"),
        ),
        ..Config::default()
    })
    .await;
    let issued = token(
        &a,
        "a0b1c2d3-0000-4000-8000-000000000001",
        "a0b1c2d3-0000-4000-8000-0000000000a1",
        "example-worker-secret-change-me",
    )
    .await;
    assert_eq!(issued.status(), 200);
    let bearer = issued.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/v1/environments", b.address);
    let listed = b
        .client
        .get(&url)
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let unsigned = b
        .client
        .get(&url)
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    let jwks = |server: &TestApp| {
        let url = format!(
            "{}/a0b1c2d3-0000-4000-8000-000000000001/as/jwks",
            server.address
        );
        server.client.get(url).fetch_json()
    };
    assert_eq!(jwks(&a).await, jwks(&b).await, "one signing key");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn the_clock_and_a_reset_set_on_one_replica_apply_on_the_other() {
    let (a, b) = replicas().await;
    let frozen = "2031-02-03T04:05:06.789Z";
    a.admin_ok(
        Method::PUT,
        "clock",
        Some(&json!({"frozenAt": frozen})),
        200,
    )
    .await;
    let clock = b.admin_ok(Method::GET, "clock", None, 200).await;
    assert_eq!(
        (clock["mode"].clone(), clock["now"].clone()),
        (json!("frozen"), json!(frozen))
    );
    let created: Value = b.create(&hms_body()).await.json().await.unwrap();
    assert_eq!(created["createdAt"], frozen, "B stamps with A's clock");

    let reset = a.admin_ok(Method::POST, "reset", None, 200).await;
    assert_eq!(reset["removed"]["pushCredentials"], 1);
    assert!(b.listed_ids().await.is_empty());
    let clock = b.admin_ok(Method::GET, "clock", None, 200).await;
    assert_eq!(clock["mode"], "real");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn the_journal_on_one_replica_holds_the_calls_the_other_served() {
    let (a, b) = replicas().await;
    let created = a.create(&hms_body()).await;
    let correlation = created.headers()["correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let id = id_of(&created.json().await.unwrap());
    assert_eq!(b.get(&b.item_url(&id)).await.status(), 200);
    let journal = b.journal("").await;
    let served_by_a = journal
        .iter()
        .find(|entry| entry["correlationId"] == json!(correlation))
        .expect("A's call is in B's journal");
    assert_eq!(served_by_a["status"], 201);
    assert_eq!(served_by_a["body"]["clientSecret"], "***");
    let methods: Vec<&str> = journal
        .iter()
        .filter(|entry| entry["path"].as_str().unwrap().starts_with("/v1/"))
        .map(|entry| entry["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["POST", "GET"],
        "one ordered record of both replicas' calls"
    );
}

/// A PostgreSQL cluster of the test's own, stopped when dropped.
struct Cluster {
    dir: tempfile::TempDir,
}

impl Cluster {
    fn script(&self, command: &str) -> String {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/postgres.sh");
        let output = std::process::Command::new("bash")
            .arg(script)
            .arg(command)
            .arg(self.dir.path())
            .output()
            .expect("scripts/postgres.sh runs");
        assert!(
            output.status.success(),
            "postgres.sh {command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.script("stop");
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run scripts/test-postgres.sh"]
async fn a_database_stopped_and_restarted_under_load_loses_nothing_acknowledged() {
    replica_database();
    let cluster = Cluster {
        dir: tempfile::tempdir().unwrap(),
    };
    let url = cluster.script("start");
    let app = spawn_exactly(Config {
        store: StoreLocation::Postgres(pingone_push_mock::domain::Secret::new(url)),
        request_timeout_ms: 10_000,
        ..Config::default()
    })
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (address, http) = (app.address.clone(), app.client.clone());
        clients.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut statuses = Vec::new();
            while tokio::time::Instant::now() < deadline {
                let app_id = Uuid::new_v4();
                let url = format!(
                    "{address}/v1/environments/{ENV_ID}/applications/{app_id}/pushCredentials"
                );
                let response = http
                    .post(&url)
                    .bearer_auth("t")
                    .json(&hms_body())
                    .send()
                    .await
                    .expect("request sent");
                let status = response.status().as_u16();
                if status == 503 {
                    assert_eq!(response.headers()["retry-after"], "1");
                    let body: Value = response.json().await.unwrap();
                    assert_eq!(body["code"], "UNEXPECTED_ERROR", "{body}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                } else {
                    assert_eq!(status, 201);
                    acknowledged.push(format!("{url}/{}", id_of(&response.json().await.unwrap())));
                }
                statuses.push(status);
            }
            (acknowledged, statuses)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.script("stop");
    let readyz = format!("{}/readyz", app.address);
    let ready = app.client.get(&readyz).send().await.unwrap();
    assert_eq!(ready.status(), 503, "not ready without the database");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.script("start");

    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    for client in clients {
        let (urls, seen) = client.await.unwrap();
        acknowledged.extend(urls);
        unavailable += seen.iter().filter(|status| **status == 503).count();
        assert_eq!(
            seen.last(),
            Some(&201),
            "each client succeeds again once it is back"
        );
    }
    assert!(unavailable > 0, "calls during the outage were answered 503");
    let ready = app.client.get(&readyz).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    for url in &acknowledged {
        let read = app.get(url).await;
        assert_eq!(read.status(), 200, "acknowledged, so committed: {url}");
    }
    assert!(
        acknowledged.len() > 100,
        "{} acknowledged",
        acknowledged.len()
    );
}
