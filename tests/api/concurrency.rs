//! 64 clients creating, replacing and deleting on a handful of shared applications at once; the
//! final state is checked against the journal of every acknowledged call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rand::Rng;
use rand::seq::SliceRandom;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{APNS_KEY, ENV_ID, SERVICE_ACCOUNT, TestApp, spawn_app};

const CLIENTS: usize = 64;
const OPERATIONS_PER_CLIENT: usize = 30;
const APPLICATIONS: [&str; 4] = [
    "0c4c2a86-0000-4000-8000-000000000001",
    "0c4c2a86-0000-4000-8000-000000000002",
    "0c4c2a86-0000-4000-8000-000000000003",
    "0c4c2a86-0000-4000-8000-000000000004",
];
const TYPES: [&str; 3] = ["APNS", "FCM_HTTP_V1", "HMS"];

/// One acknowledged call: what was asked, what came back, and when (sent and answered).
#[derive(Clone, Debug)]
struct Ack {
    operation: Operation,
    app: &'static str,
    credential_type: &'static str,
    id: String,
    /// The answer's body (empty for a delete).
    body: Value,
    sent: Instant,
    answered: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Create,
    Replace,
    Delete,
}

/// A body whose HMS `clientId` is unique to this call, so a replace can be traced to the end.
fn body(credential_type: &str, tag: &str) -> Value {
    match credential_type {
        "APNS" => json!({"type": "APNS", "key": tag, "teamId": "ABCXYZ1234", "token": APNS_KEY}),
        "FCM_HTTP_V1" => {
            json!({"type": "FCM_HTTP_V1", "googleServiceAccountCredentials": SERVICE_ACCOUNT})
        }
        _ => json!({"type": "HMS", "clientId": tag, "clientSecret": "hms-secret"}),
    }
}

/// Ids clients have seen created, by (application, type): what replaces and deletes aim at.
type Known = Arc<Mutex<HashMap<(&'static str, &'static str), String>>>;

async fn client(app: Arc<TestApp>, known: Known, number: usize) -> Vec<Ack> {
    let mut journal = Vec::new();
    for step in 0..OPERATIONS_PER_CLIENT {
        let (application, credential_type, roll, target) = {
            let mut rng = rand::thread_rng();
            let application = *APPLICATIONS.choose(&mut rng).unwrap();
            let credential_type = *TYPES.choose(&mut rng).unwrap();
            let target = known
                .lock()
                .unwrap()
                .get(&(application, credential_type))
                .cloned();
            (application, credential_type, rng.gen_range(0..10), target)
        };
        let collection = app.collection_url_of(ENV_ID, application);
        let tag = format!("client-{number}-{step}");
        let (operation, request) = match (roll, target.clone()) {
            (0..=3, _) | (_, None) => (
                Operation::Create,
                app.request(Method::POST, &collection)
                    .json(&body(credential_type, &tag)),
            ),
            (4..=8, Some(id)) => (
                Operation::Replace,
                app.request(Method::PUT, &format!("{collection}/{id}"))
                    .json(&body(credential_type, &tag)),
            ),
            (_, Some(id)) => (
                Operation::Delete,
                app.request(Method::DELETE, &format!("{collection}/{id}")),
            ),
        };
        let sent = Instant::now();
        let response = request.send().await.expect("request sent");
        let answered = Instant::now();
        let status = response.status().as_u16();
        let body: Value = if status == 204 {
            Value::Null
        } else {
            response.json().await.expect("a JSON body")
        };
        let acknowledged = match (operation, status) {
            (Operation::Create, 201) | (Operation::Replace, 200) | (Operation::Delete, 204) => true,
            // Lost races, not failures: the type is taken, or someone deleted it first.
            (Operation::Create, 400) => {
                assert_eq!(body["details"][0]["code"], "UNIQUENESS_VIOLATION", "{body}");
                false
            }
            (Operation::Replace | Operation::Delete, 404) => false,
            _ => panic!("{operation:?} answered {status}: {body}"),
        };
        if !acknowledged {
            continue;
        }
        let id = match operation {
            Operation::Create => {
                let id = body["id"].as_str().expect("an id").to_owned();
                known
                    .lock()
                    .unwrap()
                    .insert((application, credential_type), id.clone());
                id
            }
            // The id the call aimed at.
            _ => target.expect("replaces and deletes have a target"),
        };
        journal.push(Ack {
            operation,
            app: application,
            credential_type,
            id,
            body,
            sent,
            answered,
        });
    }
    journal
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_clients_leave_a_state_that_agrees_with_every_acknowledged_call() {
    // Arrange
    let app = Arc::new(spawn_app().await);
    let known: Known = Arc::default();

    // Act
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|number| tokio::spawn(client(app.clone(), known.clone(), number)))
        .collect();
    let mut journal = Vec::new();
    for task in tasks {
        journal.extend(task.await.expect("client finished"));
    }
    let mut final_state: HashMap<String, (&'static str, Value)> = HashMap::new();
    for application in APPLICATIONS {
        let list: Value = app
            .get(&app.collection_url_of(ENV_ID, application))
            .await
            .json()
            .await
            .unwrap();
        let items = list["_embedded"]["pushCredentials"].as_array().unwrap();
        // Assert: one credential per type per application.
        let mut types: Vec<&str> = items.iter().map(|c| c["type"].as_str().unwrap()).collect();
        types.sort_unstable();
        let before = types.len();
        types.dedup();
        assert_eq!(
            types.len(),
            before,
            "duplicate types in {application}: {list}"
        );
        for item in items {
            final_state.insert(
                item["id"].as_str().unwrap().to_owned(),
                (application, item.clone()),
            );
        }
    }

    // Assert against the journal.
    assert!(
        journal.len() > CLIENTS,
        "too few acknowledged calls to mean anything"
    );
    let mut by_id: HashMap<&str, Vec<&Ack>> = HashMap::new();
    for ack in &journal {
        by_id.entry(ack.id.as_str()).or_default().push(ack);
    }
    for (id, acks) in &by_id {
        let creates = acks
            .iter()
            .filter(|a| a.operation == Operation::Create)
            .count();
        let deletes: Vec<_> = acks
            .iter()
            .filter(|a| a.operation == Operation::Delete)
            .collect();
        assert_eq!(creates, 1, "{id} was acknowledged created {creates} times");
        assert!(deletes.len() <= 1, "{id} was acknowledged deleted twice");
        let created = acks
            .iter()
            .find(|a| a.operation == Operation::Create)
            .unwrap();
        match (deletes.first(), final_state.get(*id)) {
            (Some(_), Some(_)) => panic!("{id} was acknowledged deleted but is still listed"),
            (None, None) => panic!("{id} was acknowledged created, never deleted, but is gone"),
            (None, Some((application, item))) => {
                assert_eq!(*application, created.app, "{id} moved");
                assert_eq!(item["type"], created.credential_type, "{id} changed type");
                check_writes(id, acks, item);
            }
            (Some(_), None) => {}
        }
    }
    for id in final_state.keys() {
        assert!(
            by_id.contains_key(id.as_str()),
            "{id} is listed but was never created"
        );
    }
}

/// For a credential still listed: `createdAt` never changed; `updatedAt` never went back between
/// calls that did not overlap in time; the final content is that of a write no other write
/// strictly followed (no replace was lost).
fn check_writes(id: &str, acks: &[&Ack], listed: &Value) {
    let writes: Vec<&&Ack> = acks
        .iter()
        .filter(|a| a.operation != Operation::Delete)
        .collect();
    for write in &writes {
        assert_eq!(
            write.body["createdAt"], listed["createdAt"],
            "{id}: createdAt changed"
        );
    }
    for earlier in &writes {
        for later in &writes {
            if earlier.answered < later.sent {
                assert!(
                    later.body["updatedAt"].as_str() >= earlier.body["updatedAt"].as_str(),
                    "{id}: updatedAt went back from {} to {}",
                    earlier.body["updatedAt"],
                    later.body["updatedAt"]
                );
            }
        }
    }
    let last_writes: Vec<&&&Ack> = writes
        .iter()
        .filter(|write| !writes.iter().any(|other| write.answered < other.sent))
        .collect();
    assert!(
        last_writes.iter().any(|write| write.body == *listed),
        "{id}: the listed state {listed} is none of the last acknowledged writes {:?}",
        last_writes.iter().map(|w| &w.body).collect::<Vec<_>>()
    );
}
