//! Secret fields are write-only: no response and no log line ever carries one.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::helpers::*;

/// Every field PingOne treats as a secret, with the value shapes worth trying.
fn bodies_with_marked_secrets() -> Vec<(Value, Vec<String>)> {
    let mut bodies = Vec::new();
    let mut n = 0;
    let mut mark = |field: &str| {
        n += 1;
        format!("S3CRET-{field}-{n}")
    };
    for ty in ["APNS", "FCM_HTTP_V1", "HMS", "FCM", "WNS", "", "apns"] {
        // Every subset of the secret fields, each either a plain marker or the valid content
        // carrying a marker, so both accepted and rejected bodies are covered.
        let fields = [
            "key",
            "teamId",
            "token",
            "googleServiceAccountCredentials",
            "clientSecret",
        ];
        for mask in 0u32..(1 << fields.len()) {
            for valid_content in [false, true] {
                let mut body = Map::new();
                let mut secrets = Vec::new();
                body.insert("type".into(), json!(ty));
                body.insert("clientId".into(), json!("public-client-id"));
                for (i, field) in fields.iter().enumerate() {
                    if mask & (1 << i) == 0 {
                        continue;
                    }
                    let marker = mark(field);
                    let value = match (*field, valid_content) {
                        ("token", true) => {
                            secrets.push(APNS_KEY.lines().nth(1).unwrap().to_owned());
                            APNS_KEY.to_owned()
                        }
                        ("googleServiceAccountCredentials", true) => {
                            secrets.push("TEST-ONLY-NOT-A-REAL-KEY".to_owned());
                            SERVICE_ACCOUNT.replace("mock-project", &marker)
                        }
                        _ => marker.clone(),
                    };
                    secrets.push(marker);
                    body.insert((*field).into(), json!(value));
                }
                bodies.push((Value::Object(body), secrets));
            }
        }
    }
    bodies
}

fn assert_no_secret(text: &str, secrets: &[String], context: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{context}: leaked {secret:?} in {text}"
        );
    }
}

#[tokio::test]
async fn no_response_ever_contains_a_secret_value() {
    let app = spawn_app_with(pingone_push_mock::Config {
        allow_legacy_fcm: true,
        ..Default::default()
    })
    .await;
    let cases = bodies_with_marked_secrets();
    assert!(cases.len() > 400, "a broad sample: {}", cases.len());
    let (mut accepted, mut rejected) = (0, 0);
    let mut all_secrets = Vec::new();
    for (body, secrets) in cases {
        let response = app.create(&body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_no_secret(&text, &secrets, "create");
        if status == 201 {
            accepted += 1;
            let id = serde_json::from_str::<Value>(&text).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
            for text in [
                app.get(&app.item_url(&id)).await.text().await.unwrap(),
                app.get(&app.collection_url()).await.text().await.unwrap(),
                app.put(&id, &body).await.text().await.unwrap(),
            ] {
                assert_no_secret(&text, &secrets, "read/list/replace");
            }
            assert_eq!(app.delete(&id).await.status(), 204);
        } else {
            rejected += 1;
            // A rejected body as a replace of an existing credential: the errors must not echo it.
            let existing = app.create_ok(&hms_body()).await;
            assert_no_secret(
                &app.put(&existing, &body).await.text().await.unwrap(),
                &secrets,
                "replace error",
            );
            app.delete(&existing).await;
        }
        all_secrets.extend(secrets);
    }
    assert!(
        accepted >= 4 && rejected >= 100,
        "accepted {accepted}, rejected {rejected}"
    );
    let list = app.get(&app.collection_url()).await.text().await.unwrap();
    assert_no_secret(&list, &all_secrets, "final list");
}

#[tokio::test]
async fn hms_client_id_is_echoed_and_client_secret_never() {
    let app = spawn_app().await;
    let created: Value = app.create(&hms_body()).await.json().await.unwrap();
    assert_eq!(created["clientId"], "108046495");
    assert!(created.get("clientSecret").is_none());
    let fields: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        [
            "_links",
            "id",
            "environment",
            "application",
            "createdAt",
            "updatedAt",
            "clientId",
            "type"
        ]
    );
}

/// Runs the real binary with every log level on and checks its output for secrets.
#[tokio::test]
async fn log_lines_never_contain_secrets_or_tokens() {
    let mut args = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
    args.extend(["--log-format".to_owned(), "json".to_owned()]);
    // On the PostgreSQL store too, when the suite runs there, with a password in its URL (the
    // throwaway cluster trusts loopback, so any password does).
    let password = "DATABASE-PASSWORD-SHOULD-NOT-BE-LOGGED";
    if let Some(url) = crate::helpers::database::test_database() {
        let url = crate::helpers::database::fresh_schema(&url).await;
        let url = url.replacen("postgres@", &format!("postgres:{password}@"), 1);
        assert!(url.contains(password), "{url}");
        args.extend(["--store".to_owned(), url]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_pingone-push-mock"))
        .args(&args)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    // Drain both pipes on threads so the child never blocks on a full pipe.
    let (lines, received) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let stdout_lines = lines.clone();
    let readers = [
        std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(stdout_lines.send(l)))
        }),
        {
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                    .for_each(|l| drop(lines.send(l)))
            })
        },
    ];
    let mut output = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let address = loop {
        let line = received
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no start-up line: {output}"));
        output.push_str(&line);
        output.push('\n');
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on ".len()..];
            break rest.split(['"', ' ']).next().unwrap().to_owned();
        }
    };
    let client = reqwest::Client::new();
    let url = format!("{address}/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials");
    let token = "BEARER-TOKEN-SHOULD-NOT-BE-LOGGED";
    let mut secrets = vec![token.to_owned(), password.to_owned()];
    for (body, marked) in bodies_with_marked_secrets().into_iter().step_by(7) {
        let response = client
            .post(&url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        if response.status() == 201 {
            let id = response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
            client
                .request(Method::PUT, format!("{url}/{id}"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            client
                .delete(format!("{url}/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
        }
        secrets.extend(marked);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for reader in readers {
        reader.join().unwrap();
    }
    output.extend(received.try_iter().map(|line| line + "\n"));
    assert!(
        output.contains("/pushCredentials"),
        "requests were logged: {output}"
    );
    assert_no_secret(&output, &secrets, "logs");
}
