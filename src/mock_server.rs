//! A mock server handle for Rust integration tests: random port, shut down when dropped.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::config::Config;
use crate::server::{Listeners, run_on};
use crate::state::{AppState, StartupError};
use crate::store::Store;

/// A running emulator on `127.0.0.1` and a port of its own, for one test.
///
/// Each handle has its own store, so many can run in one test process without seeing each
/// other. Dropping the handle stops the server (requests in flight are finished first).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use pingone_push_mock::MockServer;
///
/// let mock = MockServer::start().await;
/// let url = mock.push_credentials_url(uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
/// let response = reqwest::Client::new()
///     .post(&url)
///     .bearer_auth("any-token")
///     .json(&serde_json::json!({"type": "HMS", "clientId": "123", "clientSecret": "s3cr3t"}))
///     .send()
///     .await
///     .unwrap();
/// assert_eq!(response.status(), 201);
/// assert!(url.starts_with(mock.base_url()));
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    base_url: String,
    https_address: Option<SocketAddr>,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Starts a server with the binary's default options.
    ///
    /// # Panics
    /// If it cannot start (see [`MockServer::try_start_with`]).
    pub async fn start() -> Self {
        Self::start_with(Config::default()).await
    }

    /// Starts a server with these options. It always binds `127.0.0.1:0`, and with
    /// `config.tls_listen` set it serves HTTPS on another `127.0.0.1:0` as well
    /// ([`MockServer::https_address`]); `config.listen` and `config.tls_listen` still say
    /// whether the admin API behaves as on a shared network (an address other than loopback).
    ///
    /// # Panics
    /// If it cannot start (see [`MockServer::try_start_with`]).
    pub async fn start_with(config: Config) -> Self {
        match Self::try_start_with(config).await {
            Ok(server) => server,
            Err(error) => panic!("pingone-push-mock could not start: {error}"),
        }
    }

    /// Starts a server with these options, or says why it could not (a signing key or seed
    /// file that cannot be loaded, no port to bind).
    pub async fn try_start_with(config: Config) -> Result<Self, StartupError> {
        let state = AppState::start(&config).await?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let mut listeners = Listeners::http(listener);
        let mut https_address = None;
        if config.tls_listen.is_some() {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            https_address = Some(listener.local_addr()?);
            listeners.https = Some(listener);
        }
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(run_on(listeners, state.clone(), async {
            // Completes when the handle sends or is dropped.
            let _ = stopped.await;
        }));
        Ok(Self {
            address,
            base_url: format!("http://{address}"),
            https_address,
            state,
            shutdown: Some(shutdown),
        })
    }

    /// `http://127.0.0.1:<port>`: the origin to point a client at (paths start with `/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The socket address of the HTTPS listener, when `config.tls_listen` was set.
    pub fn https_address(&self) -> Option<SocketAddr> {
        self.https_address
    }

    /// The local CA's certificate (PEM) that signs the HTTPS certificate, for a client to trust;
    /// `None` without HTTPS or with `config.tls_cert`.
    pub fn ca_pem(&self) -> Option<&str> {
        self.state.tls().and_then(|identity| identity.ca_pem())
    }

    /// `…/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials`
    pub fn push_credentials_url(&self, environment_id: Uuid, application_id: Uuid) -> String {
        format!(
            "{}/v1/environments/{environment_id}/applications/{application_id}/pushCredentials",
            self.base_url
        )
    }

    /// The server's store, to seed records (such as legacy `FCM` ones) or to inspect state.
    pub fn store(&self) -> &Store {
        self.state.store()
    }

    /// The server's shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
