//! Replacing secret values in a recorded body with `"***"`.

use serde_json::Value;

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
    let normalized: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_KEYS.contains(&normalized.as_str())
}

/// The value with every secret key's value, at any depth, replaced by `"***"`.
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| {
                    let value = if is_secret_key(&key) {
                        Value::String(MASK.to_owned())
                    } else {
                        redact(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

/// How a request body is recorded: `null` when empty, redacted JSON when it parses, and a
/// description otherwise (a body that is not JSON could hold anything).
pub fn recorded_body(bytes: &[u8]) -> Value {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => redact(value),
        Err(_) => Value::String(format!("<{} bytes, not JSON>", bytes.len())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_masked_at_any_depth_and_the_rest_is_kept() {
        let body = json!({
            "type": "APNS", "key": "K", "teamId": "T", "token": "PEM",
            "clientId": "visible",
            "nested": {"clientSecret": "s", "list": [{"client_secret": "s", "password": 1}]},
            "googleServiceAccountCredentials": {"private_key": "inner"},
            "Authorization": "Bearer abc", "access_token": "t"
        });
        let masked = redact(body);
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
