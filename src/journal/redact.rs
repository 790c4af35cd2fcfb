//! Replacing secret values in a recorded body with `"***"`.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// What replaces a secret.
pub const MASK: &str = "***";

/// Keys whose values are secret, compared case-insensitively and ignoring `_` and `-`, so that
/// `clientSecret`, `client_secret` and `Client-Secret` are one key.
const SECRET_KEYS: [&str; 13] = [
    "key",
    "teamid",
    "token",
    "googleserviceaccountcredentials",
    "clientsecret",
    "password",
    "authorization",
    "secret",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "privatekey",
    "apikey",
];

/// Whether a JSON key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    if key.is_ascii() {
        // Byte by byte, `_` and `-` skipped, case folded: the common case, and quick.
        let normalized = || {
            key.bytes()
                .filter(|b| *b != b'_' && *b != b'-')
                .map(|b| b.to_ascii_lowercase())
        };
        let length = normalized().count();
        return SECRET_KEYS
            .iter()
            .any(|secret| secret.len() == length && secret.bytes().eq(normalized()));
    }
    // Compared as the key would be once `_` and `-` are dropped and it is lowercased, without
    // building that string: this runs for every key of every recorded body.
    let normalized = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase);
    SECRET_KEYS.iter().any(|secret| {
        let mut candidate = normalized.clone();
        secret.chars().all(|c| candidate.next() == Some(c)) && candidate.next().is_none()
    })
}

/// A recorded body: JSON text with every secret replaced; `None` when there was no body.
///
/// Kept as text rather than as a tree of values: written in one go from the parsed body, it
/// costs one allocation, where a redacted copy of the tree cost one per key and value.
pub type Recorded = Option<Box<RawValue>>;

/// Serializes a value with every secret key's value, at any depth, replaced by `"***"`.
struct Redacted<'a>(&'a Value);

impl Serialize for Redacted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (key, value) in object {
                    if is_secret_key(key) {
                        map.serialize_entry(key, MASK)?;
                    } else {
                        map.serialize_entry(key, &Redacted(value))?;
                    }
                }
                map.end()
            }
            Value::Array(items) => serializer.collect_seq(items.iter().map(Redacted)),
            other => other.serialize(serializer),
        }
    }
}

/// The value with every secret key's value, at any depth, replaced by `"***"`: what the
/// journal's writer does without building a value, for the tests to compare with.
#[cfg(test)]
fn redact(value: &Value) -> Value {
    serde_json::to_value(Redacted(value)).expect("a JSON value always serializes")
}

/// A note in place of a body, as a JSON string.
pub fn note(text: &str) -> Recorded {
    serde_json::value::to_raw_value(text).ok()
}

/// A request body as read: what the journal records of it and, when it is JSON, the parsed
/// value, which the body's extractor takes instead of parsing the same bytes again.
pub struct ReadBody {
    /// Nothing when empty, redacted JSON when it parses, and a note otherwise (a body that is
    /// not JSON could hold anything).
    pub recorded: Recorded,
    /// The parsed body, when it is JSON.
    pub parsed: Option<Value>,
}

/// How a request body is recorded, with its parsed value.
pub fn read_body(bytes: &[u8]) -> ReadBody {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return ReadBody {
            recorded: None,
            parsed: None,
        };
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => ReadBody {
            recorded: serde_json::value::to_raw_value(&Redacted(&value)).ok(),
            parsed: Some(value),
        },
        Err(_) => ReadBody {
            recorded: note(&format!("<{} bytes, not JSON>", bytes.len())),
            parsed: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use proptest::prelude::Strategy as _;

    proptest::proptest! {
        /// The same answer as comparing the normalized key as a string.
        #[test]
        fn secret_keys_are_recognised_as_their_normalized_names(
            key in proptest::prop_oneof![
                proptest::sample::select(&SECRET_KEYS[..]).prop_map(str::to_owned),
                "[A-Za-z_\\-İ]{0,20}",
                ".*",
            ],
            upper in proptest::bool::ANY,
        ) {
            let key = if upper { key.to_uppercase().replace('E', "_E-") } else { key };
            let normalized: String = key
                .chars()
                .filter(|c| *c != '_' && *c != '-')
                .flat_map(char::to_lowercase)
                .collect();
            proptest::prop_assert_eq!(is_secret_key(&key), SECRET_KEYS.contains(&normalized.as_str()));
        }
    }

    #[test]
    fn secrets_are_masked_at_any_depth_and_the_rest_is_kept() {
        let body = json!({
            "type": "APNS", "key": "K", "teamId": "T", "token": "PEM",
            "clientId": "visible",
            "nested": {"clientSecret": "s", "list": [{"client_secret": "s", "password": 1}]},
            "googleServiceAccountCredentials": {"private_key": "inner"},
            "Authorization": "Bearer abc", "access_token": "t"
        });
        let masked = redact(&body);
        assert_eq!(
            masked,
            json!({
                "type": "APNS", "key": "***", "teamId": "***", "token": "***",
                "clientId": "visible",
                "nested": {"clientSecret": "***", "list": [{"client_secret": "***", "password": "***"}]},
                "googleServiceAccountCredentials": "***",
                "Authorization": "***", "access_token": "***"
            })
        );
    }

    /// What the journal shows of `bytes`: `null` for no body.
    fn recorded_body(bytes: &[u8]) -> Value {
        read_body(bytes)
            .recorded
            .map_or(Value::Null, |raw| serde_json::from_str(raw.get()).unwrap())
    }

    #[test]
    fn bodies_are_recorded_as_null_json_or_a_size() {
        let cases = [
            (&b""[..], Value::Null),
            (b"  \n", Value::Null),
            (b"{\"token\":\"x\"}", json!({"token": "***"})),
            (b"[1,2]", json!([1, 2])),
            (b"key=secret&x=1", json!("<14 bytes, not JSON>")),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                recorded_body(bytes),
                expected,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
