//! `--state-file`: load at start, save after changes, survive `kill -9`, refuse broken files.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use pingone_push_mock::seed;
use reqwest::{Client, Method};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::process::{Process, arg, run_to_exit};
use crate::helpers::*;

fn collection(address: &str, environment: &str, application: &str) -> String {
    format!("{address}/v1/environments/{environment}/applications/{application}/pushCredentials")
}

async fn create(client: &Client, url: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
    client.post(url).bearer_auth("t").json(body).send().await
}

/// The credentials in a state document, as `(id, type)` pairs in document order.
fn credentials(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for environment in document["environments"].as_array().unwrap() {
        for application in environment["applications"].as_array().unwrap() {
            for credential in application["pushCredentials"].as_array().unwrap() {
                found.push((
                    credential["id"].as_str().unwrap().to_owned(),
                    credential["type"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    found
}

/// Reads the state file and asserts it is a complete, valid state document.
fn read_valid(path: &Path) -> Value {
    let bytes = std::fs::read(path).expect("the state file exists");
    let document: Value = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
        panic!(
            "the state file is not JSON ({error}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    if let Err(problems) = seed::from_document(&document, chrono::Utc::now()) {
        panic!("the state file is not a valid state: {problems:?}");
    }
    document
}

async fn exported(address: &str) -> Value {
    let url = format!("{address}/__admin/state?includeSecrets=true");
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn changes_survive_a_graceful_restart_in_a_file_only_the_owner_can_read() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let mut first = Process::start(&["--state-file", arg(&path)]);
    first.wait_ready().await;
    let client = Client::new();
    let url = collection(&first.address, ENV_ID, APP_ID);
    for body in [apns_body(), fcm_body(), hms_body()] {
        assert_eq!(create(&client, &url, &body).await.unwrap().status(), 201);
    }
    let before = exported(&first.address).await;

    // SIGTERM right after the last change: the final save on shutdown must catch it.
    let status = first.terminate();
    assert!(status.success(), "{status}: {}", first.output());

    assert_eq!(read_valid(&path), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the state file holds secrets");
    }
    let second = Process::start(&["--state-file", arg(&path)]);
    second.wait_ready().await;
    assert_eq!(exported(&second.address).await, before);
}

#[tokio::test]
async fn changes_are_saved_without_waiting_for_shutdown() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let server = Process::start(&["--state-file", arg(&path)]);
    server.wait_ready().await;
    let url = collection(&server.address, ENV_ID, APP_ID);
    let response = create(&Client::new(), &url, &hms_body()).await.unwrap();
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        if path.exists()
            && credentials(&read_valid(&path))
                .iter()
                .any(|(i, _)| *i == id)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the change was not saved within 2 s");
}

/// Waits until the state file satisfies `saved` (at most 2 s).
async fn wait_for_file(path: &Path, what: &str, saved: impl Fn(&Value) -> bool) {
    for _ in 0..100 {
        if path.exists() && saved(&read_valid(path)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} was not saved within 2 s");
}

#[tokio::test]
async fn environment_and_application_changes_are_saved_as_they_happen() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let server = Process::start(&["--state-file", arg(&path)]);
    server.wait_ready().await;
    let client = Client::new();
    let call = |method: Method, url: String, body: Option<Value>| {
        let request = client.request(method, url).bearer_auth("t");
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    let environment = |name: &str| {
        json!({"name": name, "region": "EU", "type": "SANDBOX",
               "license": {"id": "11111111-2222-4333-8444-555555555555"}})
    };
    let environments = format!("{}/v1/environments", server.address);
    let created: Value = call(Method::POST, environments.clone(), Some(environment("One")))
        .await
        .json()
        .await
        .unwrap();
    let env_url = format!("{environments}/{}", created["id"].as_str().unwrap());
    let first = |document: &Value| document["environments"][0].clone();
    wait_for_file(&path, "a created environment", |d| {
        first(d)["name"] == "One"
    })
    .await;

    call(Method::PUT, env_url.clone(), Some(environment("Two"))).await;
    wait_for_file(&path, "a replaced environment", |d| {
        first(d)["name"] == "Two"
    })
    .await;

    let worker = json!({"name": "W", "enabled": true, "protocol": "OPENID_CONNECT", "type": "WORKER",
        "grantTypes": ["CLIENT_CREDENTIALS"], "tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC"});
    let app: Value = call(
        Method::POST,
        format!("{env_url}/applications"),
        Some(worker),
    )
    .await
    .json()
    .await
    .unwrap();
    let app_url = format!("{env_url}/applications/{}", app["id"].as_str().unwrap());
    let secret_of = |document: &Value| first(document)["applications"][0]["clientSecret"].clone();
    wait_for_file(&path, "a created application", |d| secret_of(d).is_string()).await;
    let before = secret_of(&read_valid(&path));

    let regenerated: Value = call(Method::POST, format!("{app_url}/secret"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(regenerated["secret"], before);
    wait_for_file(&path, "a regenerated secret", |d| {
        secret_of(d) == regenerated["secret"]
    })
    .await;

    call(Method::DELETE, app_url, None).await;
    wait_for_file(&path, "a deleted application", |d| {
        first(d)["applications"] == json!([])
    })
    .await;

    call(Method::DELETE, env_url, None).await;
    wait_for_file(&path, "a deleted environment", |d| {
        d["environments"] == json!([])
    })
    .await;
}

/// Keeps creating and deleting credentials until the server goes away (at most 2,000 calls).
async fn keep_writing(address: String) {
    let client = Client::new();
    for round in 0..2_000u32 {
        let environment = Uuid::new_v4().to_string();
        let url = collection(&address, &environment, APP_ID);
        let body = [apns_body(), fcm_body(), hms_body()][round as usize % 3].clone();
        let Ok(response) = create(&client, &url, &body).await else {
            return;
        };
        if round % 4 == 0 {
            let created: Value = response.json().await.unwrap_or_default();
            if let Some(id) = created["id"].as_str() {
                let item = format!("{url}/{id}");
                if client.delete(item).bearer_auth("t").send().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// A state with `count` HMS credentials, one application each: big enough that a save takes
/// a while, so that kills and concurrent reads land in the middle of saves.
fn large_state(count: usize) -> Value {
    let applications: Vec<Value> = (0..count)
        .map(|index| {
            native_entry(
                &Uuid::new_v4().to_string(),
                json!([{
                "id": Uuid::new_v4(), "type": "HMS",
                "createdAt": "2022-01-06T15:44:10.669Z", "updatedAt": "2022-01-06T15:44:10.669Z",
                "clientId": format!("client-{index}"), "clientSecret": format!("secret-{index}")}]),
            )
        })
        .collect();
    json!({"schemaVersion": 1, "environments": [environment_entry(ENV_ID, json!(applications))]})
}

/// Reads the file over and over on its own thread until `stop`, failing on any read that is
/// not complete JSON: with atomic saves no reader can ever see a half-written file. `reads`
/// counts the complete reads.
fn watch_file(
    path: std::path::PathBuf,
    stop: Arc<AtomicBool>,
    reads: Arc<AtomicUsize>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            if let Ok(bytes) = std::fs::read(&path) {
                if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                    panic!(
                        "a reader saw a broken state file ({error}, {} bytes)",
                        bytes.len()
                    );
                }
                reads.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_any_moment_leaves_the_old_or_the_new_state_never_a_broken_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let temporary = directory.path().join("state.json.tmp");
    let initial = large_state(1_000);
    std::fs::write(&path, serde_json::to_vec(&initial).unwrap()).unwrap();
    let mut previous = read_valid(&path);
    let mut killed_mid_save = 0;
    for iteration in 0..20u64 {
        let mut server = Process::start(&["--state-file", arg(&path)]);
        server.wait_ready().await;
        // The restart loaded exactly what the file held.
        let (mut loaded, mut held) = (
            credentials(&exported(&server.address).await),
            credentials(&previous),
        );
        loaded.sort();
        held.sort();
        assert!(
            loaded == held,
            "iteration {iteration}: loaded {} credentials, the file held {}",
            loaded.len(),
            held.len()
        );

        let stop = Arc::new(AtomicBool::new(false));
        let reads = Arc::new(AtomicUsize::new(0));
        let reader = watch_file(path.clone(), stop.clone(), reads.clone());
        let writer = tokio::spawn(keep_writing(server.address.clone()));
        // The reader must have read the file at least once before the kill (bounded wait).
        for _ in 0..5_000 {
            if reads.load(Ordering::Relaxed) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if iteration % 2 == 0 {
            // At a different point of the debounce/save cycle each time.
            tokio::time::sleep(Duration::from_millis(20 + (iteration * 37) % 300)).await;
            server.kill();
        } else {
            // While a save is under way: spin on a blocking thread until its temporary file
            // exists and kill at once, so short saves are not missed (bounded to 5 s).
            let temporary = temporary.clone();
            let (returned, caught) = tokio::task::spawn_blocking(move || {
                let deadline = std::time::Instant::now() + Duration::from_secs(5);
                while std::time::Instant::now() < deadline {
                    if temporary.exists() {
                        server.kill();
                        return (server, true);
                    }
                    std::hint::spin_loop();
                }
                server.kill();
                (server, false)
            })
            .await
            .unwrap();
            server = returned;
            killed_mid_save += usize::from(caught);
        }
        stop.store(true, Ordering::Relaxed);
        let _ = tokio::time::timeout(Duration::from_secs(10), writer).await;
        reader.join().expect("no reader saw a broken file");
        assert!(
            reads.load(Ordering::Relaxed) > 0,
            "iteration {iteration}: the file was never read"
        );
        drop(server);

        previous = read_valid(&path);
    }
    assert!(killed_mid_save > 0, "no kill landed during a save");

    // Whether the random kills above let any save finish depends on timing; this last round
    // does not: write, wait until the save has landed (bounded), then kill.
    let mut server = Process::start(&["--state-file", arg(&path)]);
    server.wait_ready().await;
    let before = credentials(&previous).len();
    let url = collection(&server.address, &Uuid::new_v4().to_string(), APP_ID);
    let response = create(&Client::new(), &url, &hms_body()).await.unwrap();
    assert_eq!(response.status(), 201);
    let mut saved = false;
    for _ in 0..1_000 {
        if credentials(&read_valid(&path)).len() == before + 1 {
            saved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill();
    assert!(saved, "an acknowledged write reaches the file");
    assert_eq!(credentials(&read_valid(&path)).len(), before + 1);
}

#[tokio::test]
async fn a_file_that_cannot_be_loaded_stops_the_start_and_is_left_untouched() {
    let directory = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("garbage", b"\x00\x01not json at all", "is not valid JSON"),
        (
            "truncated",
            b"{\"schemaVersion\": 1, \"environ",
            "is not valid JSON",
        ),
        (
            "unknown version",
            b"{\"schemaVersion\": 2, \"environments\": []}",
            "Unsupported schemaVersion 2",
        ),
        (
            "invalid content",
            b"{\"schemaVersion\": 1, \"environments\": [{\"id\": \"E\", \"applications\": []}]}",
            "environments[0].id",
        ),
    ];
    for (name, bytes, reason) in cases {
        let path = directory
            .path()
            .join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&path, bytes).unwrap();
        let (status, output) =
            run_to_exit(&["--listen", "127.0.0.1:0", "--state-file", arg(&path)]);
        assert!(!status.success(), "{name}: started anyway:\n{output}");
        assert!(
            output.contains(reason),
            "{name}: unclear message:\n{output}"
        );
        assert!(
            output.contains(arg(&path)),
            "{name}: the file is not named:\n{output}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{name}: the file was changed"
        );
    }
    // A directory cannot be read as a file.
    let (status, output) = run_to_exit(&[
        "--listen",
        "127.0.0.1:0",
        "--state-file",
        arg(directory.path()),
    ]);
    assert!(!status.success());
    assert!(output.contains("cannot read the state file"), "{output}");
}

#[tokio::test]
async fn a_stored_legacy_fcm_record_loads_and_can_be_read_and_deleted() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let id = "0e5a1a39-c1f5-4a37-9c42-8bd8a1a0d0f1";
    let document = state_document(json!([{"id": id, "type": "FCM",
            "createdAt": "2021-05-01T10:00:00.000Z", "updatedAt": "2021-05-01T10:00:00.000Z",
            "key": "legacy-server-key"}]));
    std::fs::write(&path, serde_json::to_vec(&document).unwrap()).unwrap();
    let server = Process::start(&["--state-file", arg(&path)]);
    server.wait_ready().await;
    let client = Client::new();
    let item = format!("{}/{id}", collection(&server.address, ENV_ID, APP_ID));
    let read = client.get(&item).bearer_auth("t").send().await.unwrap();
    assert_eq!(read.status(), 200);
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["type"], "FCM");
    assert_eq!(body["createdAt"], "2021-05-01T10:00:00.000Z");
    assert!(!body.to_string().contains("legacy-server-key"));
    let deleted = client
        .request(Method::DELETE, &item)
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

#[tokio::test]
async fn an_existing_state_file_takes_precedence_over_the_seed_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let kept = "0b6f7e38-2a49-4b2c-9f0e-3c1f2d7a9e11";
    let document =
        json!({"schemaVersion": 1, "environments": [environment_entry(kept, json!([]))]});
    std::fs::write(&path, serde_json::to_vec(&document).unwrap()).unwrap();
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed.json");
    let server = Process::start(&["--state-file", arg(&path), "--seed-file", arg(&seed)]);
    server.wait_ready().await;
    let ids: Vec<Value> = exported(&server.address).await["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|environment| environment["id"].clone())
        .collect();
    assert_eq!(ids, [json!(kept)]);
}
