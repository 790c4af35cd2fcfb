//! Applications: what a client sends to create or replace one, checked against PingOne's model
//! (`attributes`), with PingOne's defaults filled in.

mod attributes;

use serde_json::{Map, Value, json};

pub use self::attributes::APPLICATION_TYPES;
use self::attributes::{APPLICATION, Kind, MOBILE, Walk};
#[cfg(test)]
use self::attributes::{GRANT_TYPES, TOKEN_ENDPOINT_AUTH_METHODS};
use super::{FieldError, FieldErrorCode, Secret};

/// A valid application body: every attribute PingOne returns, in its order, defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationSpec {
    attributes: Map<String, Value>,
    /// Values accepted and never returned (Google Play integrity keys), by JSON path.
    write_only: Vec<(String, Secret)>,
}

impl ApplicationSpec {
    /// What an application seen for the first time in `auto` tenancy looks like: a native app.
    ///
    /// The store makes one for every such application it hands out or saves, so the body is
    /// checked once and only the name is set per id (a walk per call cost 13 µs).
    pub fn auto_provisioned(id: uuid::Uuid) -> Self {
        static PROVISIONED: std::sync::LazyLock<ApplicationSpec> = std::sync::LazyLock::new(|| {
            let body = json!({
                "name": "Application",
                "description": "Provisioned automatically on first use.",
                "enabled": true,
                "protocol": "OPENID_CONNECT",
                "type": "NATIVE_APP",
                "grantTypes": ["AUTHORIZATION_CODE"],
                "tokenEndpointAuthMethod": "NONE",
            });
            parse_application(body.as_object().expect("an object"), true)
                .expect("the provisioned application is valid")
        });
        let mut spec = PROVISIONED.clone();
        // An existing key keeps its place in the map.
        spec.attributes.insert(
            "name".to_owned(),
            Value::String(format!("Application {}", &id.to_string()[..8])),
        );
        spec
    }

    /// Every attribute, in PingOne's order (no `id`, timestamps or `clientId`).
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.attributes
    }

    /// The write-only values, by JSON path.
    pub fn write_only(&self) -> &[(String, Secret)] {
        &self.write_only
    }

    /// A spec from values that were valid when stored (see `stored.rs`).
    pub(super) fn from_parts(
        attributes: Map<String, Value>,
        write_only: Vec<(String, Secret)>,
    ) -> Self {
        Self {
            attributes,
            write_only,
        }
    }

    fn text(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The display name.
    pub fn name(&self) -> &str {
        self.text("name")
    }

    /// One of [`APPLICATION_TYPES`].
    pub fn application_type(&self) -> &str {
        self.text("type")
    }

    /// One of [`TOKEN_ENDPOINT_AUTH_METHODS`].
    pub fn token_endpoint_auth_method(&self) -> &str {
        self.text("tokenEndpointAuthMethod")
    }

    /// Whether the application is enabled.
    pub fn is_enabled(&self) -> bool {
        self.attributes.get("enabled") == Some(&Value::Bool(true))
    }

    /// Whether `grantTypes` holds `grant`.
    pub fn has_grant_type(&self, grant: &str) -> bool {
        self.attributes
            .get("grantTypes")
            .and_then(Value::as_array)
            .is_some_and(|grants| grants.iter().any(|g| g.as_str() == Some(grant)))
    }

    /// Push credentials may only be attached to native applications.
    pub fn is_native(&self) -> bool {
        self.application_type() == "NATIVE_APP"
    }

    /// Worker and service applications authenticate with a client secret.
    pub fn has_client_secret(&self) -> bool {
        matches!(self.application_type(), "WORKER" | "SERVICE")
    }

    /// A replacement keeps what PingOne takes on create only (`assignActorRoles`).
    pub fn keeping_create_only(mut self, stored: &Self) -> Self {
        if let Some(value) = stored.attributes.get("assignActorRoles") {
            self.attributes
                .insert("assignActorRoles".to_owned(), value.clone());
        }
        self
    }
}

/// The names of the attributes an application body may hold (read-only ones excepted).
pub fn application_attributes() -> impl Iterator<Item = &'static str> {
    APPLICATION
        .iter()
        .filter(|attr| !matches!(attr.kind, Kind::Ignored))
        .map(|attr| attr.name)
}

/// Default grant types by application type, from PingOne's table of application types.
fn default_grant_types(application_type: &str) -> &'static [&'static str] {
    match application_type {
        "WORKER" | "SERVICE" => &["CLIENT_CREDENTIALS"],
        "NATIVE_APP" => &["AUTHORIZATION_CODE", "IMPLICIT"],
        "SINGLE_PAGE_APP" => &["IMPLICIT"],
        _ => &["AUTHORIZATION_CODE"],
    }
}

/// Parses a `POST`/`PUT …/applications` body, collecting every problem.
pub fn parse_application(
    body: &Map<String, Value>,
    reject_unknown: bool,
) -> Result<ApplicationSpec, Vec<FieldError>> {
    let mut walk = Walk::new(reject_unknown);
    let mut attributes = walk.object(APPLICATION, body, "");
    let native = attributes.get("type").and_then(Value::as_str) == Some("NATIVE_APP");
    let application_type = attributes
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // By type: a native application always has mobile settings, with their defaults. A worker
    // is for administrators only unless it says otherwise.
    if native && !attributes.contains_key("mobile") {
        let mobile = walk.object(MOBILE, &Map::new(), "mobile");
        attributes.insert("mobile".to_owned(), Value::Object(mobile));
    } else if !native {
        // Only a native application has mobile settings: another's are checked, then dropped.
        attributes.remove("mobile");
        walk.write_only
            .retain(|(path, _)| !path.starts_with("mobile."));
    }
    if application_type == "WORKER" && !attributes.contains_key("accessControl") {
        attributes.insert(
            "accessControl".to_owned(),
            json!({"role": {"type": "ADMIN_USERS_ONLY"}}),
        );
    }
    match body.get("grantTypes") {
        Some(Value::Array(grants)) if grants.is_empty() => walk.problems.push(
            FieldErrorCode::EmptyValue,
            "grantTypes",
            "The grantTypes attribute must not be empty.".to_owned(),
        ),
        None | Some(Value::Null) if !application_type.is_empty() => {
            attributes.insert(
                "grantTypes".to_owned(),
                json!(default_grant_types(&application_type)),
            );
        }
        _ => {}
    }
    check_together(&mut walk, &attributes);
    walk.problems.finish(Some(()))?;
    // Back into the table's order, after the insertions above.
    let attributes = APPLICATION
        .iter()
        .filter_map(|attr| {
            let value = attributes.remove(attr.name)?;
            Some((attr.name.to_owned(), value))
        })
        .collect();
    Ok(ApplicationSpec {
        attributes,
        write_only: walk.write_only,
    })
}

/// The rules that tie attributes together.
fn check_together(walk: &mut Walk, attributes: &Map<String, Value>) {
    let number = |path: &[&str]| {
        let mut value = attributes.get(path[0]);
        for key in &path[1..] {
            value = value.and_then(|value| value.get(key));
        }
        value.cloned()
    };
    let (duration, rolling) = (
        number(&["refreshTokenDuration"]).and_then(|v| v.as_i64()),
        number(&["refreshTokenRollingDuration"]).and_then(|v| v.as_i64()),
    );
    if let (Some(duration), Some(rolling)) = (duration, rolling)
        && duration > rolling
    {
        walk.problems.push(
            FieldErrorCode::InvalidValue,
            "refreshTokenDuration",
            "The refreshTokenDuration attribute must not exceed refreshTokenRollingDuration."
                .to_owned(),
        );
    }
    let yes = |name: &str| attributes.get(name) == Some(&Value::Bool(true));
    if yes("supportUnsignedRequestObject") && yes("requireSignedRequestObject") {
        walk.problems.push(
            FieldErrorCode::InvalidValue,
            "requireSignedRequestObject",
            "requireSignedRequestObject and supportUnsignedRequestObject cannot both be true."
                .to_owned(),
        );
    }
    if attributes.contains_key("jwks") && attributes.contains_key("jwksUrl") {
        walk.problems.push(
            FieldErrorCode::InvalidValue,
            "jwksUrl",
            "Give jwks or jwksUrl, not both.".to_owned(),
        );
    }
    let cors = |key: &str| number(&["corsSettings", key]);
    let cors_judged = walk.problems.has_under("corsSettings");
    if !cors_judged
        && cors("behavior").as_ref().and_then(Value::as_str) == Some("ALLOW_SPECIFIC_ORIGINS")
        && cors("origins")
            .as_ref()
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    {
        walk.problems.push(
            FieldErrorCode::RequiredValue,
            "corsSettings.origins",
            "ALLOW_SPECIFIC_ORIGINS needs at least one origin in corsSettings.origins.".to_owned(),
        );
    }
    let cache = |key: &str| number(&["mobile", "integrityDetection", "cacheDuration", key]);
    if cache("units").as_ref().and_then(Value::as_str) == Some("HOURS")
        && cache("amount")
            .and_then(|v| v.as_i64())
            .is_some_and(|hours| hours > 48)
    {
        walk.problems.push(
            FieldErrorCode::InvalidValue,
            "mobile.integrityDetection.cacheDuration.amount",
            "The cache duration may be at most 48 hours.".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(body: Value) -> Result<ApplicationSpec, Vec<FieldError>> {
        parse_application(body.as_object().unwrap(), true)
    }

    fn keys(spec: &ApplicationSpec) -> Vec<&str> {
        spec.attributes().keys().map(String::as_str).collect()
    }

    #[test]
    fn a_minimal_native_app_gets_pingones_defaults_in_pingones_order() {
        let spec = parse(
            json!({"name":"App","protocol":"OPENID_CONNECT","type":"NATIVE_APP",
            "grantTypes":["AUTHORIZATION_CODE"],"tokenEndpointAuthMethod":"NONE"}),
        )
        .unwrap();
        assert!(spec.is_native() && !spec.has_client_secret() && !spec.is_enabled());
        assert_eq!(
            Value::Object(spec.attributes().clone()),
            json!({"name":"App","enabled":false,"hiddenFromAppPortal":false,"type":"NATIVE_APP",
                "protocol":"OPENID_CONNECT","assignActorRoles":false,
                "mobile":{"integrityDetection":{"mode":"DISABLED"},
                          "passcodeRefreshDuration":{"duration":30,"timeUnit":"SECONDS"},
                          "passcodeGracePeriod":5},
                "pkceEnforcement":"OPTIONAL","requestScopesForMultipleResourcesEnabled":false,
                "deviceTimeout":600,"grantTypes":["AUTHORIZATION_CODE"],"idpSignoff":false,
                "additionalRefreshTokenReplayProtectionEnabled":true,
                "tokenEndpointAuthMethod":"NONE","parRequirement":"OPTIONAL",
                "devicePollingInterval":5,"parTimeout":60})
        );
        assert_eq!(
            keys(&spec),
            [
                "name",
                "enabled",
                "hiddenFromAppPortal",
                "type",
                "protocol",
                "assignActorRoles",
                "mobile",
                "pkceEnforcement",
                "requestScopesForMultipleResourcesEnabled",
                "deviceTimeout",
                "grantTypes",
                "idpSignoff",
                "additionalRefreshTokenReplayProtectionEnabled",
                "tokenEndpointAuthMethod",
                "parRequirement",
                "devicePollingInterval",
                "parTimeout",
            ]
        );
    }

    #[test]
    fn the_go_sdk_constructor_body_is_accepted_strictly_and_kept() {
        // NewApplicationOIDC(enabled, name, protocol, type, tokenEndpointAuthMethod) and its
        // defaults, with keys in the alphabetical order the SDK sends them; no grantTypes.
        let spec = parse(json!({"additionalRefreshTokenReplayProtectionEnabled":true,
            "deviceTimeout":600,"devicePollingInterval":5,"enabled":true,"name":"SDK app",
            "opSessionCheckEnabled":false,"parRequirement":"OPTIONAL","parTimeout":60,
            "protocol":"OPENID_CONNECT","refreshTokenDuration":2592000,
            "requestScopesForMultipleResourcesEnabled":false,"tokenEndpointAuthMethod":"NONE",
            "type":"NATIVE_APP"}))
        .unwrap();
        let attributes = spec.attributes();
        assert_eq!(attributes["opSessionCheckEnabled"], false);
        assert_eq!(attributes["refreshTokenDuration"], 2592000);
        assert_eq!(
            attributes["grantTypes"],
            json!(["AUTHORIZATION_CODE", "IMPLICIT"])
        );
        assert!(spec.is_enabled());
    }

    #[test]
    fn a_worker_is_for_administrators_and_has_no_mobile_settings() {
        // Another type's mobile settings are checked, then dropped.
        let spec = parse(
            json!({"name":"W","enabled":true,"protocol":"OPENID_CONNECT","type":"WORKER",
            "tokenEndpointAuthMethod":"CLIENT_SECRET_BASIC","mobile":{"bundleId":"x"}}),
        )
        .unwrap();
        assert!(spec.has_client_secret() && !spec.is_native());
        assert!(spec.has_grant_type("CLIENT_CREDENTIALS"));
        assert!(!spec.attributes().contains_key("mobile"));
        assert_eq!(
            spec.attributes()["accessControl"],
            json!({"role":{"type":"ADMIN_USERS_ONLY"}})
        );
    }

    #[test]
    fn write_only_keys_are_kept_apart_and_never_shown() {
        let spec = parse(
            json!({"name":"N","protocol":"OPENID_CONNECT","type":"NATIVE_APP",
            "tokenEndpointAuthMethod":"NONE","mobile":{"integrityDetection":{"mode":"ENABLED",
            "cacheDuration":{"amount":2,"units":"HOURS"},
            "googlePlay":{"verificationType":"INTERNAL","decryptionKey":"dec-s3cret",
            "verificationKey":"ver-s3cret"}}}}),
        )
        .unwrap();
        let shown = format!("{spec:?} {}", Value::Object(spec.attributes().clone()));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(spec.write_only.len(), 2);
        assert_eq!(
            spec.attributes()["mobile"]["integrityDetection"]["googlePlay"],
            json!({"verificationType":"INTERNAL"})
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let errors = parse(json!({"enabled":"yes","protocol":"SAML","type":"NATIVE_APP",
            "grantTypes":["NOPE"],"deviceTimeout":0,"parTimeout":"60","redirectUris":[""],
            "corsSettings":{"behavior":"ALLOW_SPECIFIC_ORIGINS"},"surprise":1,
            "mobile":{"bundleId":1,"passcodeGracePeriod":11,"passcodeRefreshDuration":{"timeUnit":"MINUTES"},
                      "integrityDetection":{"excludedPlatforms":["IOS","GOOGLE"]}}}))
        .unwrap_err();
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
                ("INVALID_VALUE", "mobile.bundleId"),
                (
                    "INVALID_VALUE",
                    "mobile.integrityDetection.excludedPlatforms"
                ),
                ("INVALID_VALUE", "mobile.passcodeRefreshDuration.timeUnit"),
                ("INVALID_VALUE", "mobile.passcodeGracePeriod"),
                ("INVALID_VALUE", "redirectUris"),
                ("INVALID_VALUE", "deviceTimeout"),
                ("INVALID_VALUE", "grantTypes"),
                ("REQUIRED_VALUE", "tokenEndpointAuthMethod"),
                ("INVALID_VALUE", "parTimeout"),
                ("INVALID_VALUE", "surprise"),
                ("REQUIRED_VALUE", "corsSettings.origins"),
            ]
        );
    }

    #[test]
    fn attributes_that_go_together_are_checked_together() {
        let errors = parse(
            json!({"name":"W","protocol":"OPENID_CONNECT","type":"WEB_APP",
            "tokenEndpointAuthMethod":"CLIENT_SECRET_BASIC","refreshTokenDuration":7200,
            "refreshTokenRollingDuration":3600,"supportUnsignedRequestObject":true,
            "requireSignedRequestObject":true,"jwks":"{}","jwksUrl":"https://x.test/jwks",
            "corsSettings":{"behavior":"ALLOW_SPECIFIC_ORIGINS","origins":[]},"grantTypes":[]}),
        )
        .unwrap_err();
        let targets: Vec<&str> = errors.iter().map(|e| e.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "grantTypes",
                "refreshTokenDuration",
                "requireSignedRequestObject",
                "jwksUrl",
                "corsSettings.origins",
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
            ("type", &APPLICATION_TYPES[..]),
            ("tokenEndpointAuthMethod", &TOKEN_ENDPOINT_AUTH_METHODS[..]),
        ] {
            let pattern = format!("^({})$", allowed.join("|"));
            assert_eq!(request["properties"][field]["pattern"], pattern, "{field}");
        }
    }
}
