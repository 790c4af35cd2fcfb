//! Running the real binary, for what only a process can show: start-up, signals, `kill -9`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_pingone-push-mock");

/// A running emulator process on a free loopback port; killed when dropped.
pub struct Process {
    pub child: Child,
    /// `http://127.0.0.1:<port>`, empty with `--no-http`.
    pub address: String,
    /// `https://127.0.0.1:<port>` with `--tls-listen`.
    https: Option<String>,
    output: Arc<Mutex<String>>,
}

/// A command for the binary with quiet, machine-readable logs.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .env_clear()
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Collects a stream's lines into `output`, announcing each line on `lines`.
fn drain(
    stream: impl std::io::Read + Send + 'static,
    output: Arc<Mutex<String>>,
    lines: mpsc::Sender<String>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            output.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = lines.send(line);
        }
    });
}

impl Process {
    /// Starts the server with `args` (plus `--listen 127.0.0.1:0 --log-format json`) and waits
    /// until it says where it listens. Panics with its output if it does not within 20 s.
    pub fn start(args: &[&str]) -> Self {
        let mut all = vec!["--listen", "127.0.0.1:0", "--log-format", "json"];
        all.extend_from_slice(args);
        Self::start_exactly(&all)
    }

    /// Starts the server with HTTPS only (`--no-http --tls-listen 127.0.0.1:0`) and `args`.
    pub fn start_tls_only(args: &[&str]) -> Self {
        let mut all = vec![
            "--no-http",
            "--tls-listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ];
        all.extend_from_slice(args);
        Self::start_exactly(&all)
    }

    fn start_exactly(all: &[&str]) -> Self {
        let mut child = command(all).spawn().expect("the binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        let (lines, received) = mpsc::channel();
        drain(child.stdout.take().unwrap(), output.clone(), lines.clone());
        drain(child.stderr.take().unwrap(), output.clone(), lines);
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = received.recv_timeout(left) else {
                break;
            };
            if let Some(at) = line.find("listening on ") {
                // `http://A and https://B`, either alone, up to the end of the JSON string.
                let rest = &line[at + "listening on ".len()..];
                let rest = rest.split('"').next().unwrap_or(rest);
                let mut addresses = rest.split(" and ").map(str::trim);
                let (mut address, mut https) = (String::new(), None);
                for found in addresses.by_ref() {
                    if found.starts_with("https://") {
                        https = Some(found.to_owned());
                    } else {
                        address = found.to_owned();
                    }
                }
                return Self {
                    child,
                    address,
                    https,
                    output,
                };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the server did not start:\n{}",
            output.lock().unwrap().as_str()
        );
    }

    /// `127.0.0.1:<port>` of the HTTPS listener.
    pub fn https_address(&self) -> &str {
        self.https
            .as_deref()
            .and_then(|url| url.strip_prefix("https://"))
            .expect("an HTTPS listener")
    }

    /// Waits (at most 20 s) until `/readyz` answers 200.
    pub async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let url = format!("{}/readyz", self.address);
        for _ in 0..400 {
            if let Ok(response) = client.get(&url).send().await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{url} never became ready:\n{}", self.output());
    }

    /// Everything the process printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL sent");
        self.child.wait().expect("the process is reaped");
    }

    /// Asks for a graceful stop (SIGTERM) and waits at most 20 s for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        wait_with_deadline(&mut self.child)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for an exit, killing the process after 20 s.
fn wait_with_deadline(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the process did not exit within 20 s");
}

/// Runs the binary to completion (at most 20 s) and returns its status and output.
pub fn run_to_exit(args: &[&str]) -> (ExitStatus, String) {
    let mut child = command(args).spawn().expect("the binary starts");
    let output = Arc::new(Mutex::new(String::new()));
    let (lines, _received) = mpsc::channel();
    drain(child.stdout.take().unwrap(), output.clone(), lines.clone());
    drain(child.stderr.take().unwrap(), output.clone(), lines);
    let status = wait_with_deadline(&mut child);
    // Give the reader threads a moment to copy the last lines.
    std::thread::sleep(Duration::from_millis(50));
    let text = output.lock().unwrap().clone();
    (status, text)
}

/// The state file's path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}
