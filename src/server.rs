//! The full application with its middleware, and the serve loop.

use std::future::Future;
use std::io;

use axum::Router;
use tokio::net::TcpListener;

use crate::persist::{self, Persister};
use crate::serve::{Sockets, serve};
pub use crate::state::{AppState, StartupError};
use crate::{pipeline, routes};

/// The whole application: routes plus middleware, as a [`Router`]. Tests and embedders use
/// this seam; [`run`] serves the same service without the outer router.
pub fn app(state: AppState) -> Router {
    Router::new().fallback_service(service(state))
}

/// The routes behind the cross-cutting steps of [`pipeline`].
fn service(state: AppState) -> pipeline::Pipeline {
    pipeline::wrap(routes::router(&state).with_state(state.clone()), state)
}

/// Serves `state` on `listener` (plain HTTP) until `shutdown` completes, then drains in-flight
/// requests: [`run_on`] with one listener.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    run_on(Listeners::http(listener), state, shutdown).await
}

/// The sockets a server accepts connections on: plain HTTP, HTTPS, or both.
#[derive(Debug, Default)]
pub struct Listeners {
    /// Plain HTTP connections.
    pub http: Option<TcpListener>,
    /// TLS connections, served with the state's [`Identity`] (`--tls-listen`).
    pub https: Option<TcpListener>,
}

impl Listeners {
    /// Plain HTTP on `listener` only.
    pub fn http(listener: TcpListener) -> Self {
        Self {
            http: Some(listener),
            https: None,
        }
    }
}

/// Serves `state` on `listeners` until `shutdown` completes, then drains in-flight requests.
///
/// With a state file, the server answers `/healthz` (and `/readyz` with 503) while the file is
/// loaded, API calls wait for it, and a file that cannot be loaded stops everything with an
/// error before anything is written. Changes are saved from then on, and once more at the end.
pub async fn run_on(
    listeners: Listeners,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let acceptor = match (&listeners.https, state.tls()) {
        (None, _) => None,
        (Some(_), Some(identity)) => Some(identity.acceptor()),
        (Some(_), None) => {
            return Err(io::Error::other(
                "an HTTPS listener needs a state built with --tls-listen",
            ));
        }
    };
    let listener = Sockets {
        http: listeners.http,
        https: listeners.https.zip(acceptor),
    };
    let router = service(state.clone());
    let header_timeout = state.settings().header_timeout;
    let Some(path) = state.settings().state_file.clone() else {
        state.set_ready();
        return serve(listener, router, header_timeout, shutdown).await;
    };
    state.set_loaded(false);
    let server = tokio::spawn(serve(listener, router, header_timeout, shutdown));
    let loading = {
        let (path, now) = (path.clone(), state.clock().now());
        tokio::task::spawn_blocking(move || persist::load(&path, now)).await
    };
    let restored = match loading {
        Ok(Ok(Some(snapshot))) => state
            .store()
            .restore(snapshot)
            .map(|_| ())
            .map_err(|error| format!("cannot load the state file {}: {error}", path.display())),
        Ok(Ok(None)) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(error) => Err(format!("loading the state file failed: {error}")),
    };
    if let Err(message) = restored {
        // Nothing was served yet but health checks: close those connections, write nothing.
        server.abort();
        return Err(io::Error::other(format!(
            "{message}. The file was left untouched; fix it, move it away, or start without --state-file."
        )));
    }
    let persister = Persister::spawn(state.store().clone(), path);
    state.set_loaded(true);
    state.set_ready();
    let served = server.await.map_err(io::Error::other);
    let saved = persister.finish().await;
    served??;
    saved
}
