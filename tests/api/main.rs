//! Black-box tests over HTTP: one binary, a module per area.

mod auth;
mod cli;
mod concurrency;
mod crud;
mod embedding;
mod errors;
mod helpers;
mod legacy;
mod properties;
mod secrets;
mod tenancy;
mod tenancy_flow;
mod timeouts;
mod tokens;
mod validation;
mod wire;
