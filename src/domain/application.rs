//! Applications: what a client sends to create or replace one.

use serde_json::{Map, Value};

use super::environment::canonical;
use super::fields::Fields;
use super::{FieldError, FieldErrorCode};

/// Application types.
pub const APPLICATION_TYPES: [&str; 5] = [
    "NATIVE_APP",
    "WEB_APP",
    "SINGLE_PAGE_APP",
    "WORKER",
    "SERVICE",
];
/// Protocols this emulator serves.
pub const PROTOCOLS: [&str; 1] = ["OPENID_CONNECT"];
/// OAuth grant types.
pub const GRANT_TYPES: [&str; 5] = [
    "AUTHORIZATION_CODE",
    "IMPLICIT",
    "REFRESH_TOKEN",
    "CLIENT_CREDENTIALS",
    "DEVICE_CODE",
];
/// Token endpoint client authentication methods.
pub const TOKEN_ENDPOINT_AUTH_METHODS: [&str; 5] = [
    "NONE",
    "CLIENT_SECRET_BASIC",
    "CLIENT_SECRET_POST",
    "CLIENT_SECRET_JWT",
    "PRIVATE_KEY_JWT",
];
const MOBILE_FIELDS: [&str; 4] = [
    "bundleId",
    "packageName",
    "huaweiAppId",
    "huaweiPackageName",
];

/// A valid application body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationSpec {
    /// Display name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// Whether the application is enabled.
    pub enabled: bool,
    /// Always `OPENID_CONNECT` here.
    pub protocol: &'static str,
    /// One of [`APPLICATION_TYPES`].
    pub application_type: &'static str,
    /// Subset of [`GRANT_TYPES`], in the order sent.
    pub grant_types: Vec<&'static str>,
    /// One of [`TOKEN_ENDPOINT_AUTH_METHODS`].
    pub token_endpoint_auth_method: &'static str,
    /// Mobile settings of a native application, in the order PingOne lists them.
    pub mobile: Vec<(&'static str, String)>,
}

impl ApplicationSpec {
    /// What an application seen for the first time in `auto` tenancy looks like: a native app.
    pub fn auto_provisioned(id: uuid::Uuid) -> Self {
        Self {
            name: format!("Application {}", &id.to_string()[..8]),
            description: Some("Provisioned automatically on first use.".to_owned()),
            enabled: true,
            protocol: "OPENID_CONNECT",
            application_type: "NATIVE_APP",
            grant_types: vec!["AUTHORIZATION_CODE"],
            token_endpoint_auth_method: "NONE",
            mobile: Vec::new(),
        }
    }

    /// Push credentials may only be attached to native applications.
    pub fn is_native(&self) -> bool {
        self.application_type == "NATIVE_APP"
    }

    /// Worker and service applications authenticate with a client secret.
    pub fn has_client_secret(&self) -> bool {
        matches!(self.application_type, "WORKER" | "SERVICE")
    }
}

/// Parses a `POST`/`PUT …/applications` body, collecting every problem.
pub fn parse_application(
    body: &Map<String, Value>,
    reject_unknown: bool,
) -> Result<ApplicationSpec, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let name = fields.required("name");
    let description = fields.optional("description");
    let enabled = fields.boolean("enabled");
    let protocol = fields.one_of("protocol", &PROTOCOLS);
    let application_type = fields.one_of("type", &APPLICATION_TYPES);
    let grant_types = grant_types(&mut fields, body.get("grantTypes"));
    let method = fields.one_of("tokenEndpointAuthMethod", &TOKEN_ENDPOINT_AUTH_METHODS);
    let mobile = mobile(&mut fields, body.get("mobile"));
    if reject_unknown {
        let known = [
            "name",
            "description",
            "enabled",
            "protocol",
            "type",
            "grantTypes",
            "tokenEndpointAuthMethod",
            "mobile",
            "id",
        ];
        fields.reject_unknown(&[&known], "an application");
    }
    match (
        name,
        enabled,
        protocol,
        application_type,
        grant_types,
        method,
    ) {
        (Some(name), Some(enabled), Some(protocol), Some(ty), Some(grant_types), Some(method))
            if fields.errors.is_empty() =>
        {
            Ok(ApplicationSpec {
                name: name.to_owned(),
                description: description.map(str::to_owned),
                enabled,
                protocol: canonical(&PROTOCOLS, protocol),
                application_type: canonical(&APPLICATION_TYPES, ty),
                grant_types,
                token_endpoint_auth_method: canonical(&TOKEN_ENDPOINT_AUTH_METHODS, method),
                // Only native applications have mobile settings; others' are ignored.
                mobile: if ty == "NATIVE_APP" {
                    mobile
                } else {
                    Vec::new()
                },
            })
        }
        _ => Err(fields.errors),
    }
}

fn grant_types(fields: &mut Fields<'_>, value: Option<&Value>) -> Option<Vec<&'static str>> {
    let problem = match value {
        Some(Value::Array(items)) if !items.is_empty() => {
            let parsed: Option<Vec<&'static str>> = items
                .iter()
                .map(|item| {
                    item.as_str()
                        .and_then(|g| GRANT_TYPES.iter().find(|known| **known == g).copied())
                })
                .collect();
            match parsed {
                Some(parsed) => return Some(parsed),
                None => (
                    FieldErrorCode::InvalidValue,
                    format!("Each grant type must be one of {}.", GRANT_TYPES.join(", ")),
                ),
            }
        }
        Some(Value::Array(_)) => (
            FieldErrorCode::EmptyValue,
            "The grantTypes attribute must not be empty.".to_owned(),
        ),
        None | Some(Value::Null) => (
            FieldErrorCode::RequiredValue,
            "The grantTypes attribute is required.".to_owned(),
        ),
        Some(_) => (
            FieldErrorCode::InvalidValue,
            "The grantTypes attribute must be an array.".to_owned(),
        ),
    };
    fields.errors.push(FieldError {
        allowed_values: Some(&GRANT_TYPES),
        ..FieldError::new(problem.0, "grantTypes", problem.1)
    });
    None
}

fn mobile(fields: &mut Fields<'_>, value: Option<&Value>) -> Vec<(&'static str, String)> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(mobile)) => {
            let mut settings = Vec::new();
            for field in MOBILE_FIELDS {
                match mobile.get(field) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(value)) => settings.push((field, value.clone())),
                    Some(_) => fields.errors.push(FieldError::new(
                        FieldErrorCode::InvalidValue,
                        &format!("mobile.{field}"),
                        format!("The mobile.{field} attribute must be a string."),
                    )),
                }
            }
            settings
        }
        Some(_) => {
            fields.errors.push(FieldError::new(
                FieldErrorCode::InvalidValue,
                "mobile",
                "The mobile attribute must be an object.".to_owned(),
            ));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(body: Value) -> Result<ApplicationSpec, Vec<FieldError>> {
        parse_application(body.as_object().unwrap(), false)
    }

    #[test]
    fn a_native_app_with_mobile_settings_parses() {
        let spec = parse(
            json!({"name":"App","enabled":true,"protocol":"OPENID_CONNECT","type":"NATIVE_APP",
            "grantTypes":["AUTHORIZATION_CODE"],"tokenEndpointAuthMethod":"NONE",
            "mobile":{"bundleId":"com.example.app","huaweiAppId":"123"}}),
        )
        .unwrap();
        assert!(spec.is_native() && !spec.has_client_secret());
        assert_eq!(
            spec.mobile,
            vec![
                ("bundleId", "com.example.app".to_owned()),
                ("huaweiAppId", "123".to_owned())
            ]
        );
    }

    #[test]
    fn a_worker_has_a_client_secret_and_no_mobile_settings() {
        let spec = parse(json!({"name":"W","enabled":true,"protocol":"OPENID_CONNECT","type":"WORKER",
            "grantTypes":["CLIENT_CREDENTIALS"],"tokenEndpointAuthMethod":"CLIENT_SECRET_BASIC","mobile":{"bundleId":"x"}}))
        .unwrap();
        assert!(spec.has_client_secret() && !spec.is_native());
        assert!(spec.mobile.is_empty());
    }

    #[test]
    fn every_problem_is_reported() {
        let errors = parse(json!({"enabled":"yes","protocol":"SAML","type":"ROBOT","grantTypes":["NOPE"],"mobile":{"bundleId":1}})).unwrap_err();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.code.as_str(), e.target.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("REQUIRED_VALUE", "name"),
                ("INVALID_VALUE", "enabled"),
                ("INVALID_VALUE", "protocol"),
                ("INVALID_VALUE", "type"),
                ("INVALID_VALUE", "grantTypes"),
                ("REQUIRED_VALUE", "tokenEndpointAuthMethod"),
                ("INVALID_VALUE", "mobile.bundleId"),
            ]
        );
    }

    #[test]
    fn the_openapi_request_schema_lists_exactly_the_values_parsed_here() {
        use utoipa::PartialSchema;

        use crate::openapi::schemas::{ApplicationRequest, GrantType};
        let grant_type = serde_json::to_value(GrantType::schema()).unwrap();
        assert_eq!(grant_type["enum"], json!(GRANT_TYPES));
        let request = serde_json::to_value(ApplicationRequest::schema()).unwrap();
        for (field, allowed) in [
            ("type", &APPLICATION_TYPES),
            ("tokenEndpointAuthMethod", &TOKEN_ENDPOINT_AUTH_METHODS),
        ] {
            let pattern = format!("^({})$", allowed.join("|"));
            assert_eq!(request["properties"][field]["pattern"], pattern, "{field}");
        }
        let mobile =
            serde_json::to_value(crate::openapi::schemas::MobileSettings::schema()).unwrap();
        let documented: Vec<&String> = mobile["properties"].as_object().unwrap().keys().collect();
        assert_eq!(documented, MOBILE_FIELDS);
    }
}
