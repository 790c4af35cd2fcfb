//! The binary itself: the `healthcheck` subcommand and graceful shutdown.

use std::process::Command;

use crate::helpers::*;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pingone-push-mock"))
}

#[tokio::test]
async fn healthcheck_exits_0_for_a_ready_server_and_1_otherwise() {
    let app = spawn_app().await;
    let listen = app.address.trim_start_matches("http://").to_owned();
    let ready = tokio::task::spawn_blocking(move || {
        binary()
            .args(["healthcheck", "--listen", &listen])
            .status()
            .unwrap()
    });
    assert_eq!(ready.await.unwrap().code(), Some(0));

    // A port nobody listens on: bind one, learn its number, close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let status = tokio::task::spawn_blocking(move || {
        binary()
            .arg("healthcheck")
            .env("PINGONE_MOCK_LISTEN", &closed)
            .output()
            .unwrap()
    });
    let output = status.await.unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not ready"));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_gracefully_with_exit_code_0() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = binary()
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let rest: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}
