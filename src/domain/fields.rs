//! Walking the fields of one JSON object, collecting every problem as a [`FieldError`].

use serde_json::{Map, Value};

use super::{FieldError, FieldErrorCode};

/// Walks the fields of one body, remembering every problem.
pub(crate) struct Fields<'a> {
    body: &'a Map<String, Value>,
    pub(crate) errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(body: &'a Map<String, Value>) -> Self {
        Self {
            body,
            errors: Vec::new(),
        }
    }

    /// A required non-empty string; records the problem and returns `None` otherwise.
    pub(crate) fn required(&mut self, field: &str) -> Option<&'a str> {
        let problem = match self.body.get(field) {
            Some(Value::String(value)) if !value.is_empty() => return Some(value),
            None | Some(Value::Null) => (
                FieldErrorCode::RequiredValue,
                format!("The {field} attribute is required."),
            ),
            Some(Value::String(_)) => (
                FieldErrorCode::EmptyValue,
                format!("The {field} attribute must not be empty."),
            ),
            Some(_) => (
                FieldErrorCode::InvalidValue,
                format!("The {field} attribute must be a string."),
            ),
        };
        self.errors
            .push(FieldError::new(problem.0, field, problem.1));
        None
    }

    /// Records an `INVALID_VALUE` for `field` unless `ok`; returns `ok`.
    pub(crate) fn check(&mut self, field: &str, ok: bool, message: &str) -> bool {
        if !ok {
            self.errors.push(FieldError::new(
                FieldErrorCode::InvalidValue,
                field,
                message.to_owned(),
            ));
        }
        ok
    }

    /// A field that may be absent (or `null`) but must be a non-empty string when present.
    pub(crate) fn optional(&mut self, field: &str) -> Option<&'a str> {
        match self.body.get(field) {
            None | Some(Value::Null) => None,
            Some(_) => self.required(field),
        }
    }

    /// A required string that must be one of `allowed`.
    pub(crate) fn one_of(
        &mut self,
        field: &str,
        allowed: &'static [&'static str],
    ) -> Option<&'a str> {
        let value = self.required(field)?;
        if allowed.contains(&value) {
            return Some(value);
        }
        self.errors.push(FieldError {
            allowed_values: Some(allowed),
            ..FieldError::new(
                FieldErrorCode::InvalidValue,
                field,
                format!(
                    "The {field} attribute must be one of {}.",
                    allowed.join(", ")
                ),
            )
        });
        None
    }

    /// Records an `INVALID_VALUE` on every property not in `known`.
    pub(crate) fn reject_unknown(&mut self, known: &[&[&str]], context: &str) {
        let mut unknown: Vec<&String> = self
            .body
            .keys()
            .filter(|key| !known.iter().any(|group| group.contains(&key.as_str())))
            .collect();
        unknown.sort();
        for key in unknown {
            self.errors.push(FieldError::new(
                FieldErrorCode::InvalidValue,
                key,
                format!("Unknown property for {context}."),
            ));
        }
    }
}
