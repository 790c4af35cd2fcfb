//! A JSON writer for the hottest answers, and the text of a UUID it writes.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::clock::{Timestamp, write_timestamp};

/// A JSON text written by hand, answered as `application/json`.
///
/// For the push-credential answers, which every client call gets: going through `serde_json`
/// escaped every string byte by byte and grew its buffer several times, which made up a
/// quarter of the work of a read. Each answer written this way has a test that it is
/// byte-for-byte what `serde_json` makes of its derived `Serialize` (the spec). Only UTF-8
/// goes in: `&str`s, and ASCII pieces (ids, checked host names).
#[derive(Debug)]
pub struct JsonText(Vec<u8>);

impl JsonText {
    /// An empty text with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self(Vec::with_capacity(capacity))
    }

    /// The text so far.
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("only UTF-8 goes in")
    }

    /// The bytes, for writers of ASCII pieces in this crate.
    pub(crate) fn bytes(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    /// Appends JSON syntax or other text that needs no escaping.
    pub fn raw(&mut self, text: &str) -> &mut Self {
        self.0.extend_from_slice(text.as_bytes());
        self
    }

    /// Appends `text` as a JSON string.
    pub fn string(&mut self, text: &str) -> &mut Self {
        self.0.push(b'"');
        self.unquoted(text);
        self.0.push(b'"');
        self
    }

    /// Appends `text` escaped as inside a JSON string, without quotes.
    pub fn unquoted(&mut self, text: &str) -> &mut Self {
        if !is_json_plain(text) {
            let quoted = serde_json::to_string(text).expect("a string always serializes");
            self.0
                .extend_from_slice(&quoted.as_bytes()[1..quoted.len() - 1]);
        } else {
            self.0.extend_from_slice(text.as_bytes());
        }
        self
    }

    /// Appends an id's text, without quotes.
    pub fn id(&mut self, id: &IdText) -> &mut Self {
        self.0.extend_from_slice(id.as_bytes());
        self
    }

    /// Appends a timestamp as PingOne writes it, in quotes.
    pub fn timestamp(&mut self, at: Timestamp) -> &mut Self {
        self.0.push(b'"');
        write_timestamp(&mut self.0, at);
        self.0.push(b'"');
        self
    }

    /// Appends a number.
    pub fn number(&mut self, value: usize) -> &mut Self {
        use std::io::Write;
        write!(self.0, "{value}").expect("writing to a Vec cannot fail");
        self
    }
}

/// Whether `text` can go inside a JSON string as it is: no quote, backslash or control
/// character (what `serde_json` escapes).
pub fn is_json_plain(text: &str) -> bool {
    !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

impl IntoResponse for JsonText {
    fn into_response(self) -> Response {
        let mut response = Body::from(self.0).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// A UUID in its lowercase hyphenated text, encoded once for the several hrefs and fields
/// that show it.
#[derive(Clone, Copy)]
pub struct IdText([u8; uuid::fmt::Hyphenated::LENGTH]);

impl IdText {
    /// The text of `id`.
    pub fn new(id: Uuid) -> Self {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        id.hyphenated().encode_lower(&mut text);
        Self(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a hyphenated UUID is ASCII")
    }

    /// The text's bytes (ASCII).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for IdText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}
