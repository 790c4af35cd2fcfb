//! Black-box tests over HTTP: one binary, a module per area.
#![recursion_limit = "256"]

mod admin_auth;
mod admin_clock;
mod admin_exposure;
mod admin_faults;
mod admin_journal;
mod admin_reset;
mod admin_state;
mod admin_tenancy;
mod applications;
mod auth;
mod cli;
mod concurrency;
mod crud;
mod embedding;
mod environments;
mod errors;
mod health;
mod helpers;
mod legacy;
mod openapi;
mod persistence;
mod properties;
mod replicas;
mod secrets;
mod tenancy;
mod tenancy_flow;
mod timeouts;
mod tls;
mod tokens;
mod validation;
mod wire;
