//! Small wire shapes shared by every resource, and a JSON writer for the hottest answers.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::clock::{Timestamp, write_timestamp};

/// A JSON text written by hand, answered as `application/json`.
///
/// For the push-credential answers, which every client call gets: going through `serde_json`
/// escaped every string byte by byte and grew its buffer several times, which made up a
/// quarter of the work of a read. Each answer written this way has a test that it is
/// byte-for-byte what `serde_json` makes of its derived `Serialize` (the spec).
#[derive(Debug)]
pub struct JsonText(String);

impl JsonText {
    /// An empty text with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self(String::with_capacity(capacity))
    }

    /// The text so far.
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Appends JSON syntax or other text that needs no escaping.
    pub fn raw(&mut self, text: &str) -> &mut Self {
        self.0.push_str(text);
        self
    }

    /// Appends `text` as a JSON string.
    pub fn string(&mut self, text: &str) -> &mut Self {
        self.0.push('"');
        self.unquoted(text);
        self.0.push('"');
        self
    }

    /// Appends `text` escaped as inside a JSON string, without quotes.
    pub fn unquoted(&mut self, text: &str) -> &mut Self {
        if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            let quoted = serde_json::to_string(text).expect("a string always serializes");
            self.0.push_str(&quoted[1..quoted.len() - 1]);
        } else {
            self.0.push_str(text);
        }
        self
    }

    /// Appends a lowercase hyphenated UUID, without quotes.
    pub fn uuid(&mut self, id: Uuid) -> &mut Self {
        self.0
            .push_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
        self
    }

    /// Appends a timestamp as PingOne writes it, in quotes.
    pub fn timestamp(&mut self, at: Timestamp) -> &mut Self {
        self.0.push('"');
        write_timestamp(&mut self.0, at);
        self.0.push('"');
        self
    }

    /// Appends a number.
    pub fn number(&mut self, value: usize) -> &mut Self {
        use std::fmt::Write;
        write!(self.0, "{value}").expect("writing to a String cannot fail");
        self
    }
}

impl IntoResponse for JsonText {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

/// `{"href": "…"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct Href {
    href: String,
}

impl Href {
    /// A link to `href`.
    pub fn new(href: String) -> Self {
        Self { href }
    }
}

/// `{"id": "…"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct IdRef {
    /// The referenced id.
    pub id: Uuid,
}

// OpenAPI descriptions of the path parameters, one per extractor in `crate::extract` (which is
// what actually parses them), shared by every route that takes them.

/// The `{environmentId}` of a path (`EnvironmentPath`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // describes the path; `EnvironmentPath` parses it
pub struct EnvironmentParams {
    /// The environment id (a UUID).
    #[param(rename = "environmentId")]
    environment_id: Uuid,
}

/// The `{environmentId}/applications/{applicationId}` of a path (`AppPath`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // describes the path; `AppPath` parses it
pub struct ApplicationParams {
    /// The environment id (a UUID).
    #[param(rename = "environmentId")]
    environment_id: Uuid,
    /// The application id (a UUID).
    #[param(rename = "applicationId")]
    application_id: Uuid,
}

/// The `…/pushCredentials/{pushCredentialId}` path (`CredentialPath`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // describes the path; `CredentialPath` parses it
pub struct CredentialParams {
    /// The environment id (a UUID).
    #[param(rename = "environmentId")]
    environment_id: Uuid,
    /// The application id (a UUID).
    #[param(rename = "applicationId")]
    application_id: Uuid,
    /// The push credential id (a UUID).
    #[param(rename = "pushCredentialId")]
    push_credential_id: Uuid,
}
