//! Black-box tests over HTTP: one binary, a module per area.

mod auth;
mod cli;
mod crud;
mod embedding;
mod errors;
mod helpers;
mod legacy;
mod secrets;
mod validation;
mod wire;
