//! # pingone-push-mock
//!
//! A local emulator of the PingOne MFA push-credentials API
//! (`/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials`), for
//! integration tests and staging: same paths, status codes, bodies, field order and error format
//! as PingOne, on an in-memory store.
//!
//! ## Embedding in tests
//!
//! [`MockServer`] starts the emulator on a random loopback port and stops it when dropped:
//!
//! ```no_run
//! # async fn demo() {
//! let mock = pingone_push_mock::MockServer::start().await;
//! let base = mock.base_url(); // http://127.0.0.1:<port>
//! # }
//! ```
//!
//! ## Layout
//!
//! - [`config`]: the command line, one `PINGONE_MOCK_*` variable per flag.
//! - [`server`]: shared state, [`app`] (the router with its middleware) and [`run`];
//!   `serve`: the accept loop, with header-read timeouts and graceful shutdown.
//! - [`routes`](crate::routes): one module per resource, each with its own `router()`.
//! - [`domain`]: push credentials, environments and applications; parsing a body yields a valid
//!   value or every field error.
//! - [`tokens`]: the RS256 access tokens of `POST /{environmentId}/as/token` (`--auth jwt`).
//! - [`store`]: the in-memory store handle (private lock, synchronous methods).
//! - [`error`]: [`ApiError`](error::ApiError), turned into PingOne's error body.
//! - [`mock_server`]: [`MockServer`], the handle for Rust integration tests.
//! - `links`, `extract`, [`clock`]: hrefs, extractors, time.
//! - `middleware`: the one service around the router that does everything every request
//!   needs (correlation id, span, timeout, journal, panics, auth, fault rules, media types).
//!
//! Test control (`/__admin`, in `routes::admin`) rests on:
//! - [`seed`]: the one document format for whole states (seed file, export, import, state file);
//! - [`journal`]: the bounded, redacted request journal and how a request is recorded;
//! - [`faults`]: fault-injection rules and how a call is matched to them;
//! - [`persist`]: the optional state file, saved atomically after each change;
//! - [`operations`] and `openapi`: the PingOne operation names and `GET /openapi.json`.

pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
mod external_id;
mod extract;
pub mod faults;
pub mod healthcheck;
pub mod journal;
mod json_input;
mod links;
mod middleware;
pub mod mock_server;
mod openapi;
pub mod operations;
pub mod persist;
mod routes;
pub mod seed;
mod serve;
pub mod server;
pub mod store;
pub mod tls;
pub mod tokens;

pub use config::Config;
pub use mock_server::MockServer;
pub use server::{AppState, Listeners, app, run, run_on};
