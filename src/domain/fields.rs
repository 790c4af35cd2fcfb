//! The one walker for JSON bodies, PingOne resources and the emulator's own documents alike:
//! it reads fields one by one and collects every problem with the JSON path it is at, such as
//! `environments[0].applications[2].id`, so a client learns of all of them at once.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::{FieldError, FieldErrorCode};
use crate::clock::{Timestamp, parse_timestamp};

/// `parent.key`, or `key` at the top.
pub fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub fn item(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The field's value, `None` when it is absent or `null`.
pub fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

/// A hyphenated UUID, as PingOne writes ids.
pub fn parse_id(text: &str) -> Option<Uuid> {
    Some(text)
        .filter(|text| text.len() == 36)
        .and_then(|text| Uuid::try_parse(text).ok())
}

/// The problems found so far.
#[derive(Debug, Default)]
pub struct Problems {
    errors: Vec<FieldError>,
}

impl Problems {
    /// No problem yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem at `target`.
    pub fn push(
        &mut self,
        code: FieldErrorCode,
        target: impl AsRef<str>,
        message: impl Into<String>,
    ) {
        self.errors
            .push(FieldError::new(code, target.as_ref(), message.into()));
    }

    /// Records a finished problem (one naming its allowed values, say).
    pub fn push_error(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Records an `INVALID_VALUE` at `target`.
    pub fn invalid(&mut self, target: impl AsRef<str>, message: impl Into<String>) {
        self.push(FieldErrorCode::InvalidValue, target, message);
    }

    /// Records an `INVALID_VALUE` at `target` unless `ok`; returns `ok`.
    pub fn check(&mut self, ok: bool, target: &str, message: &str) -> bool {
        if !ok {
            self.invalid(target, message);
        }
        ok
    }

    /// Records problems found by another parser, their targets moved under `parent`.
    pub fn extend_under(&mut self, parent: &str, errors: Vec<FieldError>) {
        for mut error in errors {
            error.target = child(parent, &error.target);
            self.errors.push(error);
        }
    }

    /// Whether a problem was recorded at exactly `target`.
    pub fn has(&self, target: &str) -> bool {
        self.errors.iter().any(|error| error.target == target)
    }

    /// Whether a problem was recorded at `prefix` or below it.
    pub fn has_under(&self, prefix: &str) -> bool {
        self.errors
            .iter()
            .any(|error| error.target.starts_with(prefix))
    }

    /// `value` if nothing was wrong, else every problem.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(self.errors),
        }
    }

    /// `value` as an object; records a problem at `path` otherwise.
    pub fn object<'a>(&mut self, value: &'a Value, path: &str) -> Option<&'a Map<String, Value>> {
        let object = value.as_object();
        if object.is_none() {
            if path.is_empty() {
                self.invalid("body", "The body must be a JSON object.");
            } else {
                self.invalid(path, format!("The {path} attribute must be a JSON object."));
            }
        }
        object
    }

    /// A field that must be present and not `null`; records `REQUIRED_VALUE` otherwise.
    pub fn required<'a>(
        &mut self,
        object: &'a Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a Value> {
        let value = present(object, key);
        if value.is_none() {
            let target = child(path, key);
            let message = format!("The {target} attribute is required.");
            self.push(FieldErrorCode::RequiredValue, &target, message);
        }
        value
    }

    /// A string (non-empty when present); `None` when absent or wrong.
    pub fn string<'a>(
        &mut self,
        value: Option<&'a Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a str> {
        let problem = match value? {
            Value::String(text) if !text.is_empty() => return Some(text),
            Value::String(_) => (FieldErrorCode::EmptyValue, "must not be empty"),
            _ => (FieldErrorCode::InvalidValue, "must be a string"),
        };
        let target = child(path, key);
        let message = format!("The {target} attribute {}.", problem.1);
        self.push(problem.0, &target, message);
        None
    }

    /// A required non-empty string.
    pub fn text<'a>(
        &mut self,
        object: &'a Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a str> {
        let value = self.required(object, key, path);
        self.string(value, key, path)
    }

    /// A string that may be absent (or `null`) but is not empty when present.
    pub fn optional_text<'a>(
        &mut self,
        object: &'a Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a str> {
        self.string(present(object, key), key, path)
    }

    /// A required string that must be one of `allowed` (compared as written).
    pub fn one_of(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        path: &str,
        allowed: &'static [&'static str],
    ) -> Option<&'static str> {
        let value = self.text(object, key, path)?;
        if let Some(known) = allowed.iter().find(|known| **known == value) {
            return Some(known);
        }
        let target = child(path, key);
        let message = format!(
            "The {target} attribute must be one of {}.",
            allowed.join(", ")
        );
        self.errors.push(FieldError {
            allowed_values: Some(allowed),
            ..FieldError::new(FieldErrorCode::InvalidValue, &target, message)
        });
        None
    }

    /// An array.
    pub fn array<'a>(
        &mut self,
        value: Option<&'a Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a Vec<Value>> {
        let array = value?.as_array();
        if array.is_none() {
            let target = child(path, key);
            self.invalid(&target, format!("The {target} attribute must be an array."));
        }
        array
    }

    /// A UUID (hyphenated, as PingOne ids are).
    pub fn uuid(&mut self, value: Option<&Value>, key: &str, path: &str) -> Option<Uuid> {
        let text = self.string(value, key, path)?;
        let id = parse_id(text);
        if id.is_none() {
            let target = child(path, key);
            self.invalid(&target, format!("The {target} attribute must be a UUID."));
        }
        id
    }

    /// An RFC 3339 timestamp.
    pub fn timestamp(&mut self, value: Option<&Value>, key: &str, path: &str) -> Option<Timestamp> {
        let text = self.string(value, key, path)?;
        let at = parse_timestamp(text);
        if at.is_none() {
            let target = child(path, key);
            let message = format!(
                "The {target} attribute must be an RFC 3339 timestamp such as \
                 2030-01-01T00:00:00.000Z."
            );
            self.invalid(&target, message);
        }
        at
    }

    /// An integer within `range`.
    pub fn integer(
        &mut self,
        value: Option<&Value>,
        key: &str,
        path: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let number = value?.as_i64().filter(|number| range.contains(number));
        if number.is_none() {
            let target = child(path, key);
            let message = format!(
                "The {target} attribute must be an integer from {} to {}.",
                range.start(),
                range.end()
            );
            self.invalid(&target, message);
        }
        number
    }

    /// Records an `INVALID_VALUE` for every key of `object` not in `allowed`, in name order.
    pub fn unknown_keys(
        &mut self,
        object: &Map<String, Value>,
        allowed: &[&str],
        path: &str,
        context: &str,
    ) {
        let mut unknown: Vec<&String> = object
            .keys()
            .filter(|key| !allowed.contains(&key.as_str()))
            .collect();
        unknown.sort();
        for key in unknown {
            let message = format!(
                "Unknown property for {context}; expected one of: {}.",
                allowed.join(", ")
            );
            self.invalid(child(path, key), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_hyphenated_uuids_are_ids() {
        let id = "40de73de-ba62-494c-b605-4da440421fee";
        assert_eq!(parse_id(id).unwrap().to_string(), id);
        for bad in [
            "40de73deba62494cb6054da440421fee",
            "{40de73de-ba62-494c-b605-4da440421fee}",
            "x",
            "",
        ] {
            assert!(parse_id(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn problems_name_the_json_path_of_each_field() {
        let doc = json!({"a": [{"id": "nope", "at": "", "n": 7.5, "extra": 1, "kind": "Z"}]});
        let mut problems = Problems::new();
        let object = problems.object(&doc["a"][0], "a[0]").unwrap();
        problems.uuid(object.get("id"), "id", "a[0]");
        problems.timestamp(object.get("at"), "at", "a[0]");
        problems.integer(object.get("n"), "n", "a[0]", 0..=10);
        problems.required(object, "missing", "a[0]");
        problems.one_of(object, "kind", "a[0]", &["X", "Y"]);
        problems.unknown_keys(object, &["id", "at", "n", "kind"], "a[0]", "a test");
        problems.object(&doc["a"], "a");
        let found: Vec<(&str, String, String)> = problems
            .finish(Some(()))
            .unwrap_err()
            .into_iter()
            .map(|error| (error.code.as_str(), error.target, error.message))
            .collect();
        let expected = [
            (
                "INVALID_VALUE",
                "a[0].id",
                "The a[0].id attribute must be a UUID.",
            ),
            (
                "EMPTY_VALUE",
                "a[0].at",
                "The a[0].at attribute must not be empty.",
            ),
            (
                "INVALID_VALUE",
                "a[0].n",
                "The a[0].n attribute must be an integer from 0 to 10.",
            ),
            (
                "REQUIRED_VALUE",
                "a[0].missing",
                "The a[0].missing attribute is required.",
            ),
            (
                "INVALID_VALUE",
                "a[0].kind",
                "The a[0].kind attribute must be one of X, Y.",
            ),
            (
                "INVALID_VALUE",
                "a[0].extra",
                "Unknown property for a test; expected one of: id, at, n, kind.",
            ),
            (
                "INVALID_VALUE",
                "a",
                "The a attribute must be a JSON object.",
            ),
        ];
        let expected: Vec<(&str, String, String)> = expected
            .iter()
            .map(|(code, target, message)| (*code, (*target).to_owned(), (*message).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_document_without_problems_yields_its_value() {
        let doc = json!({"name": "x", "kind": "Y"});
        let mut problems = Problems::new();
        let object = problems.object(&doc, "").unwrap();
        assert_eq!(problems.text(object, "name", ""), Some("x"));
        assert_eq!(problems.optional_text(object, "absent", ""), None);
        assert_eq!(problems.one_of(object, "kind", "", &["X", "Y"]), Some("Y"));
        assert_eq!(problems.finish(Some(3)), Ok(3));
        assert_eq!(item(&child("", "environments"), 2), "environments[2]");
    }
}
