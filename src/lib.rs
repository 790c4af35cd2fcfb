//! # pingone-push-mock
//!
//! A local emulator of the PingOne MFA push-credentials API
//! (`/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials`), for
//! integration tests and staging: same paths, status codes, bodies, field order and error format
//! as PingOne, with the state in memory or, for several replicas, in PostgreSQL.
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
//! Public, for embedders: [`config`] (the command line, one `PINGONE_MOCK_*` variable per
//! flag), [`MockServer`] (the handle for Rust integration tests), [`app`], [`run`] and
//! [`run_on`], the [`store`] a test can seed or inspect, the [`domain`] values it takes, the
//! [`seed`] document format, and [`healthcheck`] (the binary's probe). Inside, in layers that
//! import downwards only:
//!
//! - `server`: [`app`] (the router with its middleware) and the serve loop's set-up;
//!   `serve`: the accept loop (HTTP and HTTPS, header and handshake timeouts); `tls`: the
//!   certificates.
//! - `pipeline`: the one service around the router that does everything every request needs,
//!   one step a file (correlation id, span, timeout, journal, panics, auth, fault rules, media
//!   types, push credentials answered before routing); `call`: what a request is, read once.
//! - `routes`: one module per resource, each with its own `router()`; `links`, `extract`,
//!   `json_text`: hrefs, extractors, the JSON writer of the hottest answers.
//! - `state`: [`AppState`], what every request reaches: the store, the settings, the clock,
//!   the journal (`journal`), the fault rules (`faults`), the token authority (`tokens`).
//! - `data`: every operation on the state, wherever it is kept; `database`: the state in
//!   PostgreSQL (`--store postgres://…`), shared by replicas.
//! - `store`, `domain`, `seed`, `persist`: the data in memory, its rules, its document format,
//!   the optional state file; `error`: `ApiError`, turned into PingOne's error body; `operations`
//!   and `openapi`: the PingOne operation names and `GET /openapi.json`.

mod call;
mod clock;
pub mod config;
mod data;
mod database;
pub mod domain;
mod error;
mod external_id;
mod extract;
mod faults;
pub mod healthcheck;
mod journal;
mod json_text;
mod links;
mod mock_server;
mod openapi;
mod operations;
mod persist;
mod pipeline;
mod rng;
mod routes;
pub mod seed;
mod serve;
mod server;
mod state;
pub mod store;
mod tls;
mod tokens;

pub use config::Config;
pub use mock_server::MockServer;
pub use server::{AppState, Listeners, StartupError, app, run, run_on};
