//! Reading admin JSON documents (state, fault rules, clock) field by field, collecting every
//! problem with the JSON path it is at, such as `environments[0].applications[2].id`.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock::{Timestamp, parse_timestamp};
use crate::domain::{FieldError, FieldErrorCode};

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
    pub fn push(&mut self, code: FieldErrorCode, target: String, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(code, &target, message.into()));
    }

    /// Records an `INVALID_VALUE` at `target`.
    pub fn invalid(&mut self, target: String, message: impl Into<String>) {
        self.push(FieldErrorCode::InvalidValue, target, message);
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
            self.invalid(target_of(path), "Must be a JSON object.");
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
            self.push(
                FieldErrorCode::RequiredValue,
                child(path, key),
                format!("The {key} attribute is required."),
            );
        }
        value
    }

    /// A string field (non-empty when present); `None` when absent or wrong.
    pub fn string<'a>(
        &mut self,
        value: Option<&'a Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a str> {
        match value? {
            Value::String(text) if !text.is_empty() => Some(text),
            Value::String(_) => {
                self.push(
                    FieldErrorCode::EmptyValue,
                    child(path, key),
                    format!("The {key} attribute must not be empty."),
                );
                None
            }
            _ => {
                self.invalid(child(path, key), "Must be a string.");
                None
            }
        }
    }

    /// An array field.
    pub fn array<'a>(
        &mut self,
        value: Option<&'a Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a Vec<Value>> {
        let array = value?.as_array();
        if array.is_none() {
            self.invalid(child(path, key), "Must be an array.");
        }
        array
    }

    /// A UUID field (hyphenated, as PingOne ids are).
    pub fn uuid(&mut self, value: Option<&Value>, key: &str, path: &str) -> Option<Uuid> {
        let text = self.string(value, key, path)?;
        let id = parse_id(text);
        if id.is_none() {
            self.invalid(child(path, key), "Must be a UUID.");
        }
        id
    }

    /// An RFC 3339 timestamp field.
    pub fn timestamp(&mut self, value: Option<&Value>, key: &str, path: &str) -> Option<Timestamp> {
        let text = self.string(value, key, path)?;
        let at = parse_timestamp(text);
        if at.is_none() {
            self.invalid(
                child(path, key),
                "Must be an RFC 3339 timestamp such as 2030-01-01T00:00:00.000Z.",
            );
        }
        at
    }

    /// An integer field within `range`.
    pub fn integer(
        &mut self,
        value: Option<&Value>,
        key: &str,
        path: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let number = value?.as_i64().filter(|number| range.contains(number));
        if number.is_none() {
            self.invalid(
                child(path, key),
                format!(
                    "Must be an integer from {} to {}.",
                    range.start(),
                    range.end()
                ),
            );
        }
        number
    }

    /// Records an `INVALID_VALUE` for every key of `object` not in `allowed`.
    pub fn unknown_keys(&mut self, object: &Map<String, Value>, allowed: &[&str], path: &str) {
        for key in object.keys().filter(|key| !allowed.contains(&key.as_str())) {
            self.invalid(
                child(path, key),
                format!("Unknown property; expected one of: {}.", allowed.join(", ")),
            );
        }
    }
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

/// The document root is reported as `body`, as other body-level problems are.
fn target_of(path: &str) -> String {
    if path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
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
        let doc = json!({"a": [{"id": "nope", "at": "", "n": 7.5, "extra": 1}]});
        let mut problems = Problems::new();
        let object = problems.object(&doc["a"][0], "a[0]").unwrap();
        problems.uuid(object.get("id"), "id", "a[0]");
        problems.timestamp(object.get("at"), "at", "a[0]");
        problems.integer(object.get("n"), "n", "a[0]", 0..=10);
        problems.required(object, "missing", "a[0]");
        problems.unknown_keys(object, &["id", "at", "n"], "a[0]");
        problems.object(&doc["a"], "a");
        let found: Vec<(&str, String)> = problems
            .finish(Some(()))
            .unwrap_err()
            .into_iter()
            .map(|error| (error.code.as_str(), error.target))
            .collect();
        let expected = [
            ("INVALID_VALUE", "a[0].id"),
            ("EMPTY_VALUE", "a[0].at"),
            ("INVALID_VALUE", "a[0].n"),
            ("REQUIRED_VALUE", "a[0].missing"),
            ("INVALID_VALUE", "a[0].extra"),
            ("INVALID_VALUE", "a"),
        ];
        let expected: Vec<(&str, String)> = expected
            .iter()
            .map(|(code, target)| (*code, (*target).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_document_without_problems_yields_its_value() {
        assert_eq!(Problems::new().finish(Some(3)), Ok(3));
        assert_eq!(item(&child("", "environments"), 2), "environments[2]");
    }
}
