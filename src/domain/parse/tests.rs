use serde_json::{Value, json};

use super::*;

// A throwaway P-256 key generated for these tests; it signs nothing anywhere.
const APNS_KEY: &str = include_str!("../../../tests/fixtures/apns-signing-key.p8");
const SERVICE_ACCOUNT: &str = include_str!("../../../tests/fixtures/service-account.json");

fn parse(body: Value) -> Result<PushCredential, Vec<FieldError>> {
    parse_with(body, ParseOptions::default())
}

fn parse_with(body: Value, options: ParseOptions) -> Result<PushCredential, Vec<FieldError>> {
    let Value::Object(map) = body else {
        panic!("test bodies are objects")
    };
    parse_push_credential(&map, options)
}

fn problems(body: Value) -> Vec<(&'static str, String)> {
    problems_with(body, ParseOptions::default())
}

fn problems_with(body: Value, options: ParseOptions) -> Vec<(&'static str, String)> {
    parse_with(body, options)
        .expect_err("body should be rejected")
        .into_iter()
        .map(|e| (e.code.as_str(), e.target))
        .collect()
}

fn pair(code: &'static str, target: &str) -> (&'static str, String) {
    (code, target.to_owned())
}

#[test]
fn a_complete_apns_body_parses() {
    let credential =
        parse(json!({"type":"APNS","key":"1U2ZP3G45W","teamId":"ABCXYZ1234","token":APNS_KEY}))
            .unwrap();
    assert_eq!(credential.credential_type(), CredentialType::Apns);
    assert_eq!(credential.client_id(), None);
}

#[test]
fn an_apns_key_pasted_without_line_breaks_parses() {
    let one_line: String = APNS_KEY.replace("-----\n", "----- ").replace('\n', "");
    assert!(parse(json!({"type":"APNS","key":"k","teamId":"t","token":one_line})).is_ok());
}

#[test]
fn a_complete_fcm_http_v1_body_parses() {
    let credential =
        parse(json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":SERVICE_ACCOUNT}))
            .unwrap();
    assert_eq!(credential.credential_type(), CredentialType::FcmHttpV1);
}

#[test]
fn a_complete_hms_body_parses_and_keeps_the_client_id() {
    let credential = parse(json!({"type":"HMS","clientId":"123","clientSecret":"s"})).unwrap();
    assert_eq!(credential.client_id(), Some("123"));
}

#[test]
fn every_missing_apns_field_is_reported_at_once() {
    assert_eq!(
        problems(json!({"type":"APNS"})),
        vec![
            pair("REQUIRED_VALUE", "key"),
            pair("REQUIRED_VALUE", "teamId"),
            pair("REQUIRED_VALUE", "token")
        ]
    );
}

#[test]
fn null_empty_and_wrongly_typed_fields_get_their_own_codes() {
    assert_eq!(
        problems(json!({"type":"APNS","key":null,"teamId":"","token":42})),
        vec![
            pair("REQUIRED_VALUE", "key"),
            pair("EMPTY_VALUE", "teamId"),
            pair("INVALID_VALUE", "token")
        ]
    );
}

#[test]
fn field_problems_are_reported_for_each_type() {
    let cases = [
        (
            json!({"type":"HMS","clientId":""}),
            vec![
                pair("EMPTY_VALUE", "clientId"),
                pair("REQUIRED_VALUE", "clientSecret"),
            ],
        ),
        (
            json!({"type":"HMS","clientId":["x"],"clientSecret":true}),
            vec![
                pair("INVALID_VALUE", "clientId"),
                pair("INVALID_VALUE", "clientSecret"),
            ],
        ),
        (
            json!({"type":"FCM_HTTP_V1"}),
            vec![pair("REQUIRED_VALUE", "googleServiceAccountCredentials")],
        ),
        (
            json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":{"type":"service_account"}}),
            vec![pair("INVALID_VALUE", "googleServiceAccountCredentials")],
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(problems(body.clone()), expected, "body: {body}");
    }
}

#[test]
fn a_token_that_is_not_a_pkcs8_private_key_is_invalid() {
    let cases = [
        "not a key",
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMIGTAgEA****7HUikGZU\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\naGVsbG8gd29ybGQ=\n-----END PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEGy3PtkMmu9XQgAJNs84sVtjsqXgkNzkCHH/B0HUvdPV6k7NXZycSKTdpZGSVc0rwIcEtsZi45DMpqydwsiCwHg==\n-----END PUBLIC KEY-----",
    ];
    for token in cases {
        assert_eq!(
            problems(json!({"type":"APNS","key":"k","teamId":"t","token":token})),
            vec![pair("INVALID_VALUE", "token")],
            "token: {token}"
        );
    }
}

#[test]
fn credentials_that_are_not_a_service_account_are_invalid() {
    let cases = [
        "{}".to_owned(),
        "not json".to_owned(),
        "[1,2]".to_owned(),
        SERVICE_ACCOUNT.replace("service_account", "authorized_user"),
        SERVICE_ACCOUNT.replace("\"project_id\":\"mock-project\"", "\"project_id\":\"\""),
        SERVICE_ACCOUNT.replace("client_email", "email"),
        SERVICE_ACCOUNT.replace("\"private_key\"", "\"privateKey\""),
    ];
    for credentials in cases {
        assert_eq!(
            problems(json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":credentials})),
            vec![pair("INVALID_VALUE", "googleServiceAccountCredentials")],
            "credentials: {credentials}"
        );
    }
}

#[test]
fn type_problems_are_reported_alone() {
    let cases = [
        (json!({}), "REQUIRED_VALUE"),
        (json!({"type":null,"key":""}), "REQUIRED_VALUE"),
        (json!({"type":""}), "EMPTY_VALUE"),
        (json!({"type":"apns"}), "INVALID_VALUE"),
        (json!({"type":"GCM"}), "INVALID_VALUE"),
        (json!({"type":7}), "INVALID_VALUE"),
        (json!({"type":"FCM","key":"server-key"}), "INVALID_VALUE"),
    ];
    for (body, code) in cases {
        assert_eq!(
            problems(body.clone()),
            vec![pair(code, "type")],
            "body: {body}"
        );
    }
}

#[test]
fn an_unknown_type_lists_the_allowed_values() {
    let errors = parse(json!({"type":"GCM"})).unwrap_err();
    assert_eq!(
        errors[0].allowed_values,
        Some(&["APNS", "FCM_HTTP_V1", "HMS"][..])
    );
}

#[test]
fn legacy_fcm_points_to_fcm_http_v1() {
    let errors = parse(json!({"type":"FCM","key":"server-key"})).unwrap_err();
    assert!(
        errors[0].message.contains("no longer supported"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[0].message.contains("FCM_HTTP_V1"),
        "{}",
        errors[0].message
    );
}

#[test]
fn legacy_fcm_parses_when_allowed_and_keeps_team_id_and_token_empty() {
    let legacy = ParseOptions {
        allow_legacy_fcm: true,
        ..Default::default()
    };
    let credential =
        parse_with(json!({"type":"FCM","key":"server-key","teamId":""}), legacy).unwrap();
    assert_eq!(credential.credential_type(), CredentialType::Fcm);
    assert_eq!(
        problems_with(json!({"type":"FCM","teamId":"t","token":"x"}), legacy),
        vec![
            pair("REQUIRED_VALUE", "key"),
            pair("INVALID_VALUE", "teamId"),
            pair("INVALID_VALUE", "token")
        ]
    );
}

#[test]
fn unknown_and_foreign_fields_are_ignored_by_default() {
    assert!(
        parse(json!({"type":"HMS","clientId":"c","clientSecret":"s","teamId":"t","extra":{"a":1}}))
            .is_ok()
    );
}

#[test]
fn unknown_and_foreign_fields_are_rejected_in_strict_mode() {
    let strict = ParseOptions {
        reject_unknown_fields: true,
        ..Default::default()
    };
    assert_eq!(
        problems_with(
            json!({"type":"HMS","clientId":"c","clientSecret":"s","teamId":"t","extra":1}),
            strict
        ),
        vec![
            pair("INVALID_VALUE", "extra"),
            pair("INVALID_VALUE", "teamId")
        ]
    );
}

#[test]
fn error_messages_never_contain_field_values() {
    let secret = "S3CR3T-VALUE";
    let bodies = [
        json!({"type":"APNS","key":secret,"teamId":secret,"token":secret}),
        json!({"type":"FCM_HTTP_V1","googleServiceAccountCredentials":secret}),
        json!({"type":"FCM","key":secret}),
        json!({"type":secret}),
    ];
    for body in bodies {
        for error in parse(body).unwrap_err() {
            assert!(!format!("{error:?}").contains(secret), "{error:?}");
        }
    }
}

#[test]
fn debug_output_of_a_credential_hides_every_secret() {
    let credential =
        parse(json!({"type":"APNS","key":"KEY-ID-1","teamId":"TEAM-1","token":APNS_KEY})).unwrap();
    let shown = format!("{credential:?}");
    for secret in ["KEY-ID-1", "TEAM-1", "PRIVATE KEY"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

/// What `is_pkcs8_pem` answered when it went through `pkcs8`'s PEM parser: the spec.
fn is_pkcs8_pem_by_pem_parser(text: &str) -> bool {
    let Some(inner) = pem_armoured(text) else {
        return false;
    };
    let base64: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
    if base64.is_empty() {
        return false;
    }
    let mut canonical = String::with_capacity(base64.len() + 80);
    canonical.push_str(PEM_BEGIN);
    canonical.push('\n');
    for line in base64.as_bytes().chunks(64) {
        canonical.push_str(std::str::from_utf8(line).unwrap_or_default());
        canonical.push('\n');
    }
    canonical.push_str(PEM_END);
    canonical.push('\n');
    match pkcs8::SecretDocument::from_pem(&canonical) {
        Ok((_, document)) => pkcs8::PrivateKeyInfo::try_from(document.as_bytes()).is_ok(),
        Err(_) => false,
    }
}

proptest::proptest! {
    /// Keys edited at random (characters replaced, inserted or removed, whitespace and
    /// line breaks moved, padding changed) get the same answer as from the PEM parser.
    #[test]
    fn pkcs8_keys_are_judged_as_the_pem_parser_judges_them(
        edits in proptest::collection::vec(
            (0_usize..400, 0_u8..4, proptest::sample::select(&[
                'A', 'z', '0', '+', '/', '=', ' ', '\n', '\r', '\t', '\u{b}', '\u{a0}', '-', 'é', '*',
            ][..])),
            0..4,
        ),
    ) {
        let mut key: Vec<char> = APNS_KEY.chars().collect();
        for (at, kind, c) in edits {
            let at = at % (key.len() + 1);
            match kind {
                0 if at < key.len() => key[at] = c,
                1 => key.insert(at, c),
                2 if at < key.len() => {
                    key.remove(at);
                }
                _ => {}
            }
        }
        let key: String = key.into_iter().collect();
        proptest::prop_assert_eq!(is_pkcs8_pem(&key), is_pkcs8_pem_by_pem_parser(&key), "{:?}", key);
    }
}

#[test]
fn pkcs8_keys_in_odd_shapes_are_judged_as_the_pem_parser_judges_them() {
    let body: String = APNS_KEY
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let shapes = [
        APNS_KEY.to_owned(),
        APNS_KEY.replace('\n', "\r\n"),
        APNS_KEY.replace('\n', ""),
        format!("-----BEGIN PRIVATE KEY-----{body}-----END PRIVATE KEY-----"),
        format!("  -----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n\n"),
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
            &body[..body.len() - 4]
        ),
        format!("-----BEGIN PRIVATE KEY-----\n{body}=\n-----END PRIVATE KEY-----"),
        "-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----".to_owned(),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".to_owned(),
        APNS_KEY.replace("PRIVATE KEY", "EC PRIVATE KEY"),
    ];
    assert!(is_pkcs8_pem(&shapes[0]));
    for shape in shapes {
        assert_eq!(
            is_pkcs8_pem(&shape),
            is_pkcs8_pem_by_pem_parser(&shape),
            "{shape:?}"
        );
    }
}
