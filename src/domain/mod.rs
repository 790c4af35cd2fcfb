//! Push credentials as the domain sees them: no HTTP, no storage.
//!
//! A [`PushCredential`] can only be built by parsing a request body (or by the explicit
//! constructors used for stored legacy records), so a value that exists is valid.

mod application;
mod credential;
mod environment;
mod fields;
mod filter;
mod parse;
mod secret;
mod stored;

pub use application::{
    APPLICATION_TYPES, ApplicationSpec, application_attributes, parse_application,
};
pub use credential::{CredentialType, PushCredential};
pub(crate) use environment::canonical;
pub use environment::{EnvironmentSpec, ORGANIZATION_ID, REGIONS, parse_environment};
pub(crate) use fields::{Problems, child, item, parse_id, present};
pub use filter::{Candidate, EnvironmentFilter};
pub use parse::{
    FieldError, FieldErrorCode, LEGACY_FCM_MESSAGE, ParseOptions, declared_type,
    parse_push_credential,
};
pub use secret::{JoinedSecrets, Secret};
