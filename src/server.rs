//! Shared state, the full application with its middleware, and the serve loop.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::clock::Clock;
use crate::config::{AuthMode, Config, Tenancy};
use crate::domain::ParseOptions;
use crate::error::ApiError;
use crate::middleware::CorrelationId;
use crate::seed::{self, SeedError};
use crate::store::Store;
use crate::tokens::TokenAuthority;
use crate::{middleware, routes};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The settings handlers read, fixed at start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Authentication of `/v1` calls.
    pub auth: AuthMode,
    /// Whether unknown environments and applications are provisioned.
    pub tenancy: Tenancy,
    /// Base for `href`s, if configured.
    pub public_url: Option<String>,
    /// What request bodies may contain.
    pub parse_options: ParseOptions,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// How long a request may take, body included.
    pub request_timeout: Duration,
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Self {
            auth: config.auth,
            tenancy: config.tenancy,
            public_url: config.public_url.clone(),
            parse_options: ParseOptions {
                allow_legacy_fcm: config.allow_legacy_fcm,
                reject_unknown_fields: config.reject_unknown_fields,
            },
            header_timeout: Duration::from_millis(config.header_timeout_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
        }
    }
}

/// Everything a handler can reach; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    settings: Settings,
    clock: Clock,
    tokens: TokenAuthority,
    ready: AtomicBool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The signing key file could not be read or used.
    #[error("--signing-key {path}: {reason}")]
    SigningKey {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The seed file could not be read, parsed or validated.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The listening socket could not be bound.
    #[error("cannot listen: {0}")]
    Bind(#[from] std::io::Error),
}

impl AppState {
    /// A state built from `config`: signing key and seed file loaded, not ready until
    /// [`AppState::set_ready`].
    pub fn try_new(config: &Config) -> Result<Self, StartupError> {
        let tokens = match &config.signing_key {
            None => TokenAuthority::generated(),
            Some(path) => {
                let failed = |reason: String| StartupError::SigningKey {
                    path: path.display().to_string(),
                    reason,
                };
                let pem =
                    std::fs::read_to_string(path).map_err(|error| failed(error.to_string()))?;
                TokenAuthority::from_pem(&pem).map_err(|error| failed(error.to_string()))?
            }
        };
        let store = Store::with_tenancy(config.tenancy);
        let clock = Clock;
        if let Some(path) = &config.seed_file {
            seed::load_file(path)?.apply(&store, clock.now());
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                settings: Settings::from(config),
                clock,
                tokens,
                ready: AtomicBool::new(false),
            }),
        })
    }

    /// A state with an empty store and no files to load.
    ///
    /// # Panics
    /// If `config` names a signing key or seed file that cannot be loaded; use
    /// [`AppState::try_new`] for those.
    pub fn new(config: &Config) -> Self {
        Self::try_new(config).unwrap_or_else(|error| panic!("{error}"))
    }

    /// The token authority that signs and verifies access tokens.
    pub fn tokens(&self) -> &TokenAuthority {
        &self.inner.tokens
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Whether `/readyz` answers 200.
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire)
    }

    /// Marks the server ready (start-up work is done).
    pub fn set_ready(&self) {
        self.inner.ready.store(true, Ordering::Release);
    }
}

/// The whole application: routes plus middleware. Tests and embedders use this seam.
pub fn app(state: AppState) -> Router {
    routes::router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::require_bearer,
        ))
        .layer(axum::middleware::from_fn(middleware::negotiate_hal))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::request_timeout,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Unexpected.into_response()
        }))
        .layer(
            // The span names method, path and correlation id only: never headers (bearer tokens),
            // query strings or bodies (secrets).
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    // Formatted only if the span is logged.
                    let correlation_id = request
                        .extensions()
                        .get::<CorrelationId>()
                        .map(|id| tracing::field::display(id.0));
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        correlation_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(axum::middleware::from_fn(middleware::correlation_id))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then drains in-flight requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(state.clone());
    let header_timeout = state.settings().header_timeout;
    state.set_ready();
    crate::serve::serve(listener, router, header_timeout, shutdown).await
}
