//! Push credentials as the domain sees them: no HTTP, no storage.
//!
//! A [`PushCredential`] can only be built by parsing a request body (or by the explicit
//! constructors used for stored legacy records), so a value that exists is valid.

mod application;
mod credential;
mod environment;
mod fields;
mod parse;
mod secret;

pub use application::{ApplicationSpec, parse_application};
pub use credential::{CredentialType, PushCredential};
pub use environment::{EnvironmentSpec, parse_environment};
pub use parse::{
    FieldError, FieldErrorCode, LEGACY_FCM_MESSAGE, ParseOptions, declared_type,
    parse_push_credential,
};
pub use secret::{JoinedSecrets, Secret};
