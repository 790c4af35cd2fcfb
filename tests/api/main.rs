//! Black-box tests over HTTP: one binary, a module per area.

mod admin_auth;
mod admin_clock;
mod admin_faults;
mod admin_journal;
mod admin_reset;
mod admin_state;
mod admin_tenancy;
mod auth;
mod cli;
mod control;
mod crud;
mod embedding;
mod errors;
mod health;
mod helpers;
mod legacy;
mod openapi;
mod persistence;
mod process;
mod secrets;
mod tenancy;
mod tenancy_flow;
mod tokens;
mod validation;
mod wire;
