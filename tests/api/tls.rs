//! HTTPS (`--tls-listen`), reached the way Terraform reaches PingOne: TLS to `api.pingone.test`
//! and `auth.pingone.test`, trusting only the emulator's CA.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use pingone_push_mock::config::{AuthMode, Tenancy};
use pingone_push_mock::{Config, MockServer};
use reqwest::{Certificate, Client, Method};
use serde_json::Value;

use crate::helpers::process::{self, Process};
use crate::helpers::*;

const API_HOST: &str = "api.pingone.test";
const AUTH_HOST: &str = "auth.pingone.test";

fn with_tls(config: Config) -> Config {
    Config {
        tls_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..config
    }
}

/// A client that trusts only `ca_pem` and finds both PingOne host names at `address`.
fn client_trusting(ca_pem: &str, address: SocketAddr) -> Client {
    Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .resolve(API_HOST, address)
        .resolve(AUTH_HOST, address)
        .resolve("custom.test", address)
        .build()
        .unwrap()
}

fn https_port(server: &MockServer) -> u16 {
    server.https_address().expect("an HTTPS listener").port()
}

#[tokio::test]
async fn the_terraform_flow_runs_over_https_at_the_pingone_host_names() {
    let server = MockServer::start_with(with_tls(Config {
        tenancy: Tenancy::Strict,
        auth: AuthMode::Jwt,
        // The seed of examples/terraform: the worker the provider authenticates as.
        seed_file: Some(fixture("examples/terraform/seed.json")),
        signing_key: Some(fixture("tests/fixtures/signing-key.pem")),
        ..Default::default()
    }))
    .await;
    let address = server.https_address().unwrap();
    let client = client_trusting(server.ca_pem().expect("a generated CA"), address);
    let (auth, api) = (
        format!("https://{AUTH_HOST}:{}", address.port()),
        format!("https://{API_HOST}:{}", address.port()),
    );

    // The token at the auth host name, with HTTP Basic as x/oauth2 tries first.
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{WORKER_ID}:{WORKER_SECRET}"));
    let response = client
        .post(format!("{auth}/{ADMIN_ENV}/as/token"))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token = response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let call = |method: Method, path: String, body: Option<Value>| {
        let mut request = client
            .request(method, format!("{api}{path}"))
            .bearer_auth(&token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    let (status, environment) = call(
        Method::POST,
        "/v1/environments".into(),
        Some(environment_body("Over TLS")),
    )
    .await;
    assert_eq!(status, 201, "{environment}");
    let env = environment["id"].as_str().unwrap().to_owned();
    let (status, application) = call(
        Method::POST,
        format!("/v1/environments/{env}/applications"),
        Some(native_app_body("Authenticator")),
    )
    .await;
    assert_eq!(status, 201, "{application}");
    let app_id = application["id"].as_str().unwrap().to_owned();
    let credentials = format!("/v1/environments/{env}/applications/{app_id}/pushCredentials");
    let mut ids = Vec::new();
    for body in [apns_body(), fcm_body(), hms_body()] {
        let (status, created) = call(Method::POST, credentials.clone(), Some(body.clone())).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(
            created["_links"]["self"]["href"],
            format!("{api}{credentials}/{id}"),
            "https links at the host name the client used"
        );
        let (status, read) = call(Method::GET, format!("{credentials}/{id}"), None).await;
        assert_eq!((status, &read), (200, &created));
        let (status, _) = call(Method::PUT, format!("{credentials}/{id}"), Some(body)).await;
        assert_eq!(status, 200);
        ids.push(id);
    }
    let (status, list) = call(Method::GET, credentials.clone(), None).await;
    assert_eq!((status, list["count"].as_u64()), (200, Some(3)));
    assert!(
        list["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{api}/v1/")),
        "{list}"
    );
    for id in &ids {
        let (status, _) = call(Method::DELETE, format!("{credentials}/{id}"), None).await;
        assert_eq!(status, 204);
    }
    let (status, list) = call(Method::GET, credentials, None).await;
    assert_eq!((status, list["count"].as_u64()), (200, Some(0)));
}

#[tokio::test]
async fn http_and_https_are_served_at_once_each_with_its_own_links() {
    let server = MockServer::start_with(with_tls(Config::default())).await;
    let client = client_trusting(server.ca_pem().unwrap(), server.https_address().unwrap());
    let plain = Client::new();
    let path = format!("/v1/environments/{ENV_ID}/applications/{APP_ID}/pushCredentials");
    let https = format!("https://{API_HOST}:{}", https_port(&server));

    let over_tls: Value = client
        .post(format!("{https}{path}"))
        .bearer_auth("t")
        .json(&hms_body())
        .fetch_json()
        .await;
    let id = over_tls["id"].as_str().unwrap();
    assert_eq!(
        over_tls["_links"]["self"]["href"],
        format!("{https}{path}/{id}")
    );
    let plain_read: Value = plain
        .get(format!("{}{path}/{id}", server.base_url()))
        .bearer_auth("t")
        .fetch_json()
        .await;
    assert_eq!(
        plain_read["_links"]["self"]["href"],
        format!("{}{path}/{id}", server.base_url()),
        "the same state, plain links on the plain listener"
    );
    // A proxy's X-Forwarded-Proto still wins over the connection's scheme.
    let forwarded: Value = client
        .get(format!("{https}{path}/{id}"))
        .bearer_auth("t")
        .header("x-forwarded-proto", "http")
        .fetch_json()
        .await;
    assert_eq!(
        forwarded["_links"]["self"]["href"],
        format!("http://{API_HOST}:{}{path}/{id}", https_port(&server))
    );
}

#[tokio::test]
async fn tls_1_2_and_1_3_are_both_spoken() {
    let server = MockServer::start_with(with_tls(Config::default())).await;
    let ca = Certificate::from_pem(server.ca_pem().unwrap().as_bytes()).unwrap();
    for version in [
        reqwest::tls::Version::TLS_1_2,
        reqwest::tls::Version::TLS_1_3,
    ] {
        let client = Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca.clone())
            .min_tls_version(version)
            .max_tls_version(version)
            .build()
            .unwrap();
        let response = client
            .get(format!("https://localhost:{}/healthz", https_port(&server)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{version:?}");
    }
}

#[tokio::test]
async fn the_ca_in_tls_dir_is_reused_across_restarts_and_served_without_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        with_tls(Config {
            tls_dir: Some(dir.path().join("tls")),
            ..Default::default()
        })
    };
    let first = MockServer::start_with(config()).await;
    let ca = first.ca_pem().unwrap().to_owned();
    drop(first);
    let written = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();
    assert_eq!(written, ca);
    assert!(!written.contains("PRIVATE KEY"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = std::fs::metadata(dir.path().join("tls/ca-key.pem")).unwrap();
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }

    let second = MockServer::start_with(config()).await;
    assert_eq!(second.ca_pem().unwrap(), ca, "the same CA");
    // A client that trusted the first start's CA trusts the second start's certificate.
    let client = client_trusting(&ca, second.https_address().unwrap());
    let served = client
        .get(format!(
            "https://{API_HOST}:{}/__admin/tls/ca.pem",
            https_port(&second)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/x-pem-file");
    assert_eq!(served.text().await.unwrap(), ca);

    // Without a directory every start makes a CA of its own.
    let (one, two) = (
        MockServer::start_with(with_tls(Config::default())).await,
        MockServer::start_with(with_tls(Config::default())).await,
    );
    assert_ne!(one.ca_pem(), two.ca_pem());
}

/// A self-signed certificate for `name` and its key, PEM, valid from `from` to `until` (days
/// from today).
fn certificate(name: &str, from: i64, until: i64) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
    let day = |offset: i64| {
        let when = chrono::Utc::now() + chrono::Duration::days(offset);
        use chrono::Datelike;
        rcgen::date_time_ymd(when.year(), when.month() as u8, when.day() as u8)
    };
    params.not_before = day(from);
    params.not_after = day(until);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[tokio::test]
async fn a_user_supplied_certificate_is_presented() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate("custom.test", -1, 30);
    let server = MockServer::start_with(with_tls(Config {
        tls_cert: Some(write(dir.path(), "cert.pem", &cert)),
        tls_key: Some(write(dir.path(), "key.pem", &key)),
        ..Default::default()
    }))
    .await;
    assert!(server.ca_pem().is_none(), "no CA of the emulator's own");
    let client = client_trusting(&cert, server.https_address().unwrap());
    let response = client
        .get(format!(
            "https://custom.test:{}/readyz",
            https_port(&server)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let ca = client
        .get(format!(
            "https://custom.test:{}/__admin/tls/ca.pem",
            https_port(&server)
        ))
        .send()
        .await
        .unwrap();
    assert_error(ca, 404, "NOT_FOUND").await;
    // The certificate names custom.test only: the PingOne names are not covered.
    let wrong_name = client
        .get(format!("https://{API_HOST}:{}/readyz", https_port(&server)))
        .send()
        .await;
    assert!(wrong_name.is_err());
}

#[tokio::test]
async fn bad_certificates_and_keys_stop_the_start_with_a_message_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate("custom.test", -1, 30);
    let (_, other_key) = certificate("custom.test", -1, 30);
    let (expired, expired_key) = certificate("custom.test", -30, -1);
    let (future, future_key) = certificate("custom.test", 2, 30);
    let cert_path = write(dir.path(), "cert.pem", &cert);
    let key_path = write(dir.path(), "key.pem", &key);
    let missing = dir.path().join("missing.pem");
    let garbage = write(dir.path(), "garbage.pem", "not a PEM file");
    let cases = [
        (
            "missing cert",
            missing.clone(),
            key_path.clone(),
            "--tls-cert",
            "missing.pem",
        ),
        (
            "missing key",
            cert_path.clone(),
            missing.clone(),
            "--tls-key",
            "missing.pem",
        ),
        (
            "unreadable cert",
            dir.path().to_owned(),
            key_path.clone(),
            "--tls-cert",
            "cannot read",
        ),
        (
            "not a certificate",
            garbage.clone(),
            key_path.clone(),
            "--tls-cert",
            "no PEM certificate",
        ),
        (
            "not a key",
            cert_path.clone(),
            garbage.clone(),
            "--tls-key",
            "no PEM private key",
        ),
        (
            "mismatched key",
            cert_path.clone(),
            write(dir.path(), "other.pem", &other_key),
            "--tls-key",
            "does not match",
        ),
        (
            "expired",
            write(dir.path(), "expired.pem", &expired),
            write(dir.path(), "expired-key.pem", &expired_key),
            "--tls-cert",
            "expired",
        ),
        (
            "not yet valid",
            write(dir.path(), "future.pem", &future),
            write(dir.path(), "future-key.pem", &future_key),
            "--tls-cert",
            "not valid before",
        ),
    ];
    for (case, cert, key, flag, says) in cases {
        let started = MockServer::try_start_with(with_tls(Config {
            tls_cert: Some(cert.clone()),
            tls_key: Some(key.clone()),
            ..Default::default()
        }))
        .await;
        let message = started.expect_err(case).to_string();
        assert!(message.starts_with(flag), "{case}: {message}");
        assert!(message.contains(says), "{case}: {message}");
        let named = if flag == "--tls-cert" { &cert } else { &key };
        assert!(
            message.contains(named.to_str().unwrap()),
            "{case}: {message}"
        );
    }
}

#[tokio::test]
async fn a_tls_dir_with_half_a_ca_or_a_foreign_key_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let tls_dir = dir.path().join("tls");
    let config = || {
        with_tls(Config {
            tls_dir: Some(tls_dir.clone()),
            ..Default::default()
        })
    };
    drop(MockServer::start_with(config()).await);
    let key_path = tls_dir.join("ca-key.pem");
    let key = std::fs::read_to_string(&key_path).unwrap();

    std::fs::remove_file(&key_path).unwrap();
    let message = MockServer::try_start_with(config())
        .await
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("--tls-dir"), "{message}");
    assert!(
        message.contains("ca-key.pem") && message.contains("missing"),
        "{message}"
    );

    let (_, foreign) = certificate("x.test", -1, 30);
    std::fs::write(&key_path, foreign).unwrap();
    let message = MockServer::try_start_with(config())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("ca-key.pem") && message.contains("does not match"),
        "{message}"
    );

    std::fs::write(&key_path, key).unwrap();
    assert!(
        MockServer::try_start_with(config()).await.is_ok(),
        "restored"
    );
}

#[test]
fn the_binary_refuses_a_missing_certificate_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere/cert.pem");
    let (status, output) = process::run_to_exit(&[
        "--listen",
        "127.0.0.1:0",
        "--tls-listen",
        "127.0.0.1:0",
        "--tls-cert",
        missing.to_str().unwrap(),
        "--tls-key",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(
        output.contains("--tls-cert") && output.contains("nowhere/cert.pem"),
        "{output}"
    );
    assert!(!output.contains("listening on"), "{output}");
}

#[tokio::test]
async fn the_binary_serves_https_alone_with_no_http() {
    let dir = tempfile::tempdir().unwrap();
    let process = tokio::task::spawn_blocking({
        let tls_dir = dir.path().join("tls");
        move || Process::start_tls_only(&["--tls-dir", tls_dir.to_str().unwrap()])
    })
    .await
    .unwrap();
    let address: SocketAddr = process.https_address().parse().unwrap();
    let ca = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();
    let client = client_trusting(&ca, address);
    let response = client
        .get(format!("https://{API_HOST}:{}/readyz", address.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        !process.output().contains("http://"),
        "{}",
        process.output()
    );
}

/// Reads what the server sends until it closes the connection, for at most 5 s.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return received,
            Err(error) => panic!("the connection was not closed: {error}"),
        }
    }
}

/// A TLS ClientHello offering only `version` (no supported_versions extension), with the
/// ECDHE-ECDSA suites of TLS 1.2 and 1.1 and the extensions a TLS 1.2 server needs.
fn client_hello(version: [u8; 2]) -> Vec<u8> {
    fn with_len16(bytes: &[u8]) -> Vec<u8> {
        let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(bytes);
        out
    }
    fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut out = kind.to_be_bytes().to_vec();
        out.extend(with_len16(data));
        out
    }
    let host = b"localhost";
    let mut server_name = vec![0];
    server_name.extend(with_len16(host));
    let mut extensions = extension(0x0000, &with_len16(&server_name));
    extensions.extend(extension(0x000a, &with_len16(&[0x00, 0x17, 0x00, 0x1d])));
    extensions.extend(extension(0x000b, &[1, 0]));
    extensions.extend(extension(0x000d, &with_len16(&[0x04, 0x03, 0x08, 0x04])));
    let mut body = version.to_vec();
    body.extend([0x42; 32]); // random
    body.push(0); // no session id
    body.extend(with_len16(&[
        0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x09, 0xc0, 0x13,
    ]));
    body.extend([1, 0]); // null compression
    body.extend(with_len16(&extensions));
    let mut handshake = vec![1];
    handshake.extend(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend(with_len16(&handshake));
    record
}

#[tokio::test]
async fn a_tls_1_1_only_client_is_refused_where_tls_1_2_is_answered() {
    let server = MockServer::start_with(with_tls(Config::default())).await;
    let address = server.https_address().unwrap();
    let answers = tokio::task::spawn_blocking(move || {
        [[3, 3], [3, 2]].map(|version| {
            let mut stream = TcpStream::connect(address).unwrap();
            stream.write_all(&client_hello(version)).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut head = [0u8; 6];
            stream.read_exact(&mut head).map(|()| head).ok()
        })
    })
    .await
    .unwrap();
    // TLS 1.2: a handshake record holding a ServerHello.
    let tls12 = answers[0].expect("an answer to TLS 1.2");
    assert_eq!((tls12[0], tls12[5]), (0x16, 0x02), "{tls12:?}");
    // TLS 1.1: an alert record (fatal protocol_version), or nothing but a close.
    if let Some(tls11) = answers[1] {
        assert_eq!(tls11[0], 0x15, "an alert, not a handshake: {tls11:?}");
    }
}

#[tokio::test]
async fn plain_http_garbage_and_stalled_handshakes_on_the_tls_port_are_closed() {
    let server = MockServer::start_with(with_tls(Config {
        header_timeout_ms: 200,
        ..Default::default()
    }))
    .await;
    let address = server.https_address().unwrap();
    let received = tokio::task::spawn_blocking(move || {
        let mut sent = Vec::new();
        for bytes in [
            &b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"[..],
            b"\x00\x01\x02 garbage \xff\xfe",
            // The first bytes of a handshake, then nothing: stalled.
            &client_hello([3, 3])[..20],
            // Nothing at all.
            b"",
        ] {
            let mut stream = TcpStream::connect(address).unwrap();
            stream.write_all(bytes).unwrap();
            sent.push(read_until_closed(&mut stream));
        }
        sent
    })
    .await
    .unwrap();
    for answer in received {
        assert!(
            !answer.starts_with(b"HTTP/"),
            "no plain HTTP answer on the TLS port: {answer:?}"
        );
        assert!(
            answer.is_empty() || answer[0] == 0x15,
            "an alert at most: {answer:?}"
        );
    }
    // The listener still serves proper clients.
    let client = client_trusting(server.ca_pem().unwrap(), address);
    let response = client
        .get(format!("https://{API_HOST}:{}/healthz", address.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
