//! Shared state, the full application with its middleware, and the serve loop.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::clock::Clock;
use crate::config::{AuthMode, Config};
use crate::domain::ParseOptions;
use crate::error::ApiError;
use crate::middleware::CorrelationId;
use crate::store::Store;
use crate::{middleware, routes};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The settings handlers read, fixed at start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Authentication of `/v1` calls.
    pub auth: AuthMode,
    /// Base for `href`s, if configured.
    pub public_url: Option<String>,
    /// What request bodies may contain.
    pub parse_options: ParseOptions,
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Self {
            auth: config.auth,
            public_url: config.public_url.clone(),
            parse_options: ParseOptions {
                allow_legacy_fcm: config.allow_legacy_fcm,
                reject_unknown_fields: config.reject_unknown_fields,
            },
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
    ready: AtomicBool,
}

impl AppState {
    /// A state with an empty store, not ready until [`AppState::set_ready`].
    pub fn new(config: &Config) -> Self {
        Self::with_store(config, Store::new())
    }

    /// A state around an existing store (to seed it, or to inspect it from a test).
    pub fn with_store(config: &Config, store: Store) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                settings: Settings::from(config),
                clock: Clock,
                ready: AtomicBool::new(false),
            }),
        }
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
                    let correlation_id = request
                        .extensions()
                        .get::<CorrelationId>()
                        .map(|id| id.0.to_string())
                        .unwrap_or_default();
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
    state.set_ready();
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
