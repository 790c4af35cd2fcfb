//! PingOne's OIDC application model as a table: every attribute, its type and range, its
//! default, in the order PingOne returns them. One walk over the table checks a body, collects
//! every problem, and yields the attributes in that order with the defaults filled in.
//!
//! Sources: the public Go SDK's `management/model_application_*.go` and the OpenAPI document it
//! is generated from (types, enums, ranges, the constructor's defaults); PingOne's published
//! "Create Application" response samples (the order, and the defaults the service fills in).

use serde_json::{Map, Value};

use crate::domain::fields::{Problems, child};
use crate::domain::{FieldError, FieldErrorCode, Secret};

/// What a value must be.
pub(super) enum Kind {
    Bool,
    /// An integer in `min..=max`.
    Int(i64, i64),
    /// A non-empty string.
    Text,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An array of these strings, at most `max` of them.
    ListOf(&'static [&'static str], usize),
    /// An array of non-empty strings, at most `max` of them.
    Texts(usize),
    /// An object with these members.
    Object(&'static [Attr]),
    /// An array of `{"id": "…"}`.
    Ids,
    /// Any JSON object, kept as it is (a template's configuration).
    AnyObject,
    /// A non-empty string that is never returned (a key or a secret).
    WriteOnly,
    /// Accepted and ignored: read-only attributes a client may send back.
    Ignored,
}

/// What the service fills in when a client leaves an attribute out.
pub(super) enum Fill {
    Nothing,
    Bool(bool),
    Int(i64),
    Text(&'static str),
    /// The object with its members' own defaults.
    Object,
}

/// One attribute: its JSON name, what it must be, whether it must be sent, its default.
pub(super) struct Attr {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub fill: Fill,
}

const fn attr(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        required: false,
        fill: Fill::Nothing,
    }
}

const fn required(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        required: true,
        fill: Fill::Nothing,
    }
}

const fn filled(name: &'static str, kind: Kind, fill: Fill) -> Attr {
    Attr {
        name,
        kind,
        required: false,
        fill,
    }
}

/// Application types.
pub const APPLICATION_TYPES: [&str; 6] = [
    "WEB_APP",
    "NATIVE_APP",
    "SINGLE_PAGE_APP",
    "WORKER",
    "SERVICE",
    "CUSTOM_APP",
];
/// Protocols this emulator serves.
pub const PROTOCOLS: [&str; 1] = ["OPENID_CONNECT"];
/// OAuth grant types.
pub const GRANT_TYPES: [&str; 7] = [
    "AUTHORIZATION_CODE",
    "IMPLICIT",
    "REFRESH_TOKEN",
    "CLIENT_CREDENTIALS",
    "DEVICE_CODE",
    "TOKEN_EXCHANGE",
    "CIBA",
];
/// Token endpoint client authentication methods.
pub const TOKEN_ENDPOINT_AUTH_METHODS: [&str; 5] = [
    "NONE",
    "CLIENT_SECRET_BASIC",
    "CLIENT_SECRET_POST",
    "CLIENT_SECRET_JWT",
    "PRIVATE_KEY_JWT",
];
const RESPONSE_TYPES: [&str; 3] = ["TOKEN", "ID_TOKEN", "CODE"];
const PKCE: [&str; 3] = ["OPTIONAL", "REQUIRED", "S256_REQUIRED"];
const PAR: [&str; 2] = ["OPTIONAL", "REQUIRED"];
const REFRESH_TOKEN_TYPES: [&str; 2] = ["JSON_WEB_TOKEN", "OPAQUE_TOKEN"];
const TAGS: [&str; 1] = ["PING_FED_CONNECTION_INTEGRATION"];
const CORS_BEHAVIORS: [&str; 2] = ["ALLOW_NO_ORIGINS", "ALLOW_SPECIFIC_ORIGINS"];
const ROLE_TYPES: [&str; 1] = ["ADMIN_USERS_ONLY"];
const GROUP_TYPES: [&str; 2] = ["ANY_GROUP", "ALL_GROUPS"];
const INTEGRITY_MODES: [&str; 2] = ["ENABLED", "DISABLED"];
const PLATFORMS: [&str; 2] = ["IOS", "GOOGLE"];
const CACHE_UNITS: [&str; 2] = ["MINUTES", "HOURS"];
const VERIFICATION_TYPES: [&str; 2] = ["GOOGLE", "INTERNAL"];
const NUMBER_MATCHING: [&str; 2] = ["SELECT_NUMBER", "ENTER_MANUALLY"];
const TIME_UNITS: [&str; 1] = ["SECONDS"];
/// The largest duration PingOne accepts, in seconds.
const MAX_DURATION: i64 = 2_147_483_647;

const ID: &[Attr] = &[required("id", Kind::Text)];

const ACCESS_CONTROL: &[Attr] = &[
    attr(
        "role",
        Kind::Object(&[required("type", Kind::OneOf(&ROLE_TYPES))]),
    ),
    attr(
        "group",
        Kind::Object(&[
            required("type", Kind::OneOf(&GROUP_TYPES)),
            required("groups", Kind::Ids),
        ]),
    ),
];

const CORS_SETTINGS: &[Attr] = &[
    required("behavior", Kind::OneOf(&CORS_BEHAVIORS)),
    attr("origins", Kind::Texts(20)),
];

const INTEGRITY_DETECTION: &[Attr] = &[
    filled(
        "mode",
        Kind::OneOf(&INTEGRITY_MODES),
        Fill::Text("DISABLED"),
    ),
    attr("excludedPlatforms", Kind::ListOf(&PLATFORMS, 1)),
    attr(
        "cacheDuration",
        Kind::Object(&[
            // At most 48 hours: 2,880 minutes (hours are checked apart).
            required("amount", Kind::Int(1, 2880)),
            filled("units", Kind::OneOf(&CACHE_UNITS), Fill::Text("MINUTES")),
        ]),
    ),
    attr(
        "googlePlay",
        Kind::Object(&[
            required("verificationType", Kind::OneOf(&VERIFICATION_TYPES)),
            attr("decryptionKey", Kind::WriteOnly),
            attr("verificationKey", Kind::WriteOnly),
            attr("serviceAccountCredentials", Kind::WriteOnly),
        ]),
    ),
];

/// A native application's mobile settings, in the order PingOne returns them.
pub(super) const MOBILE: &[Attr] = &[
    attr("bundleId", Kind::Text),
    attr("packageName", Kind::Text),
    attr("huaweiAppId", Kind::Text),
    attr("huaweiPackageName", Kind::Text),
    filled(
        "integrityDetection",
        Kind::Object(INTEGRITY_DETECTION),
        Fill::Object,
    ),
    filled(
        "passcodeRefreshDuration",
        Kind::Object(&[
            filled("duration", Kind::Int(30, 60), Fill::Int(30)),
            filled("timeUnit", Kind::OneOf(&TIME_UNITS), Fill::Text("SECONDS")),
        ]),
        Fill::Object,
    ),
    filled("passcodeGracePeriod", Kind::Int(1, 10), Fill::Int(5)),
    attr("uriPrefix", Kind::Text),
    attr(
        "push",
        Kind::Object(&[attr(
            "numberMatching",
            Kind::Object(&[required("type", Kind::OneOf(&NUMBER_MATCHING))]),
        )]),
    ),
];

/// Every attribute of an OIDC application, in the order PingOne returns them. `createdAt`,
/// `updatedAt` and `clientId` go after `protocol`; `mobile` and `accessControl` get their
/// defaults by application type (see [`super::parse_application`]).
pub(super) const APPLICATION: &[Attr] = &[
    required("name", Kind::Text),
    attr("description", Kind::Text),
    filled("enabled", Kind::Bool, Fill::Bool(false)),
    filled("hiddenFromAppPortal", Kind::Bool, Fill::Bool(false)),
    required("type", Kind::OneOf(&APPLICATION_TYPES)),
    required("protocol", Kind::OneOf(&PROTOCOLS)),
    attr("loginPageUrl", Kind::Text),
    attr(
        "icon",
        Kind::Object(&[required("id", Kind::Text), required("href", Kind::Text)]),
    ),
    attr("accessControl", Kind::Object(ACCESS_CONTROL)),
    filled("assignActorRoles", Kind::Bool, Fill::Bool(false)),
    attr("mobile", Kind::Object(MOBILE)),
    attr("responseTypes", Kind::ListOf(&RESPONSE_TYPES, usize::MAX)),
    filled(
        "pkceEnforcement",
        Kind::OneOf(&PKCE),
        Fill::Text("OPTIONAL"),
    ),
    filled(
        "requestScopesForMultipleResourcesEnabled",
        Kind::Bool,
        Fill::Bool(false),
    ),
    attr("redirectUris", Kind::Texts(usize::MAX)),
    filled("deviceTimeout", Kind::Int(1, 3600), Fill::Int(600)),
    attr("grantTypes", Kind::ListOf(&GRANT_TYPES, usize::MAX)),
    filled("idpSignoff", Kind::Bool, Fill::Bool(false)),
    filled(
        "additionalRefreshTokenReplayProtectionEnabled",
        Kind::Bool,
        Fill::Bool(true),
    ),
    required(
        "tokenEndpointAuthMethod",
        Kind::OneOf(&TOKEN_ENDPOINT_AUTH_METHODS),
    ),
    filled("parRequirement", Kind::OneOf(&PAR), Fill::Text("OPTIONAL")),
    filled("devicePollingInterval", Kind::Int(1, 60), Fill::Int(5)),
    filled("parTimeout", Kind::Int(1, 600), Fill::Int(60)),
    attr("postLogoutRedirectUris", Kind::Texts(usize::MAX)),
    attr("allowWildcardInRedirectUris", Kind::Bool),
    attr("devicePathId", Kind::Text),
    attr("deviceCustomVerificationUri", Kind::Text),
    attr("refreshTokenDuration", Kind::Int(60, MAX_DURATION)),
    attr("refreshTokenRollingDuration", Kind::Int(60, MAX_DURATION)),
    attr(
        "refreshTokenRollingGracePeriodDuration",
        Kind::Int(0, 86_400),
    ),
    attr("refreshTokenType", Kind::OneOf(&REFRESH_TOKEN_TYPES)),
    attr("opSessionCheckEnabled", Kind::Bool),
    attr("includeX5t", Kind::Bool),
    attr("supportUnsignedRequestObject", Kind::Bool),
    attr("requireSignedRequestObject", Kind::Bool),
    attr("jwks", Kind::Text),
    attr("jwksUrl", Kind::Text),
    attr("homePageUrl", Kind::Text),
    attr("initiateLoginUri", Kind::Text),
    attr("targetLinkUri", Kind::Text),
    attr("tags", Kind::ListOf(&TAGS, usize::MAX)),
    attr("corsSettings", Kind::Object(CORS_SETTINGS)),
    attr(
        "kerberos",
        Kind::Object(&[required("key", Kind::Object(ID))]),
    ),
    attr(
        "template",
        Kind::Object(&[
            required("configuration", Kind::AnyObject),
            required("integration", Kind::Object(ID)),
            required("version", Kind::Object(ID)),
        ]),
    ),
    attr(
        "signing",
        Kind::Object(&[required("keyRotationPolicy", Kind::Object(ID))]),
    ),
    // Read-only: what a client that sends back a resource it read may include.
    attr("id", Kind::Ignored),
    attr("_links", Kind::Ignored),
    attr("environment", Kind::Ignored),
    attr("createdAt", Kind::Ignored),
    attr("updatedAt", Kind::Ignored),
    // Importing a client id and secret is a PingOne feature flag the emulator does not have:
    // `clientId` is always the application's id, and a worker's secret is generated.
    attr("clientId", Kind::Ignored),
    attr("clientSecret", Kind::Ignored),
];

/// The result of a walk: the attributes in table order, write-only values apart, problems.
pub(super) struct Walk {
    pub problems: Problems,
    pub write_only: Vec<(String, Secret)>,
    reject_unknown: bool,
}

impl Walk {
    pub fn new(reject_unknown: bool) -> Self {
        Self {
            problems: Problems::new(),
            write_only: Vec::new(),
            reject_unknown,
        }
    }

    /// Checks `input` against `attrs`; what comes back is in table order, defaults filled.
    pub fn object(
        &mut self,
        attrs: &[Attr],
        input: &Map<String, Value>,
        path: &str,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for attr in attrs {
            let target = child(path, attr.name);
            match input.get(attr.name) {
                None | Some(Value::Null) => {
                    if let Some(value) = self.fill(attr, &target) {
                        out.insert(attr.name.to_owned(), value);
                    } else if attr.required {
                        self.problems.push(
                            FieldErrorCode::RequiredValue,
                            &target,
                            format!("The {target} attribute is required."),
                        );
                    }
                }
                Some(value) => {
                    if let Some(value) = self.value(&attr.kind, value, &target) {
                        out.insert(attr.name.to_owned(), value);
                    }
                }
            }
        }
        if self.reject_unknown {
            let mut unknown: Vec<&String> = input
                .keys()
                .filter(|key| !attrs.iter().any(|attr| attr.name == key.as_str()))
                .collect();
            unknown.sort();
            for key in unknown {
                let target = child(path, key);
                self.problems.push(
                    FieldErrorCode::InvalidValue,
                    &target,
                    "Unknown property for an application.".to_owned(),
                );
            }
        }
        out
    }

    fn fill(&mut self, attr: &Attr, target: &str) -> Option<Value> {
        match (&attr.fill, &attr.kind) {
            (Fill::Nothing, _) => None,
            (Fill::Bool(value), _) => Some(Value::Bool(*value)),
            (Fill::Int(value), _) => Some(Value::from(*value)),
            (Fill::Text(value), _) => Some(Value::from(*value)),
            (Fill::Object, Kind::Object(members)) => {
                Some(Value::Object(self.object(members, &Map::new(), target)))
            }
            (Fill::Object, _) => None,
        }
    }

    /// The value checked against `kind`, or `None` with the problem recorded (or nothing to
    /// keep: write-only and ignored values).
    fn value(&mut self, kind: &Kind, value: &Value, target: &str) -> Option<Value> {
        let invalid = |walk: &mut Self, what: &str| {
            walk.problems.push(
                FieldErrorCode::InvalidValue,
                target,
                format!("The {target} attribute must be {what}."),
            );
            None
        };
        match kind {
            Kind::Ignored => None,
            Kind::Bool => match value {
                Value::Bool(_) => Some(value.clone()),
                _ => invalid(self, "a boolean"),
            },
            Kind::Int(min, max) => match value.as_i64() {
                Some(number) if (*min..=*max).contains(&number) => Some(value.clone()),
                Some(_) => invalid(self, &format!("an integer from {min} to {max}")),
                None => invalid(self, "an integer"),
            },
            Kind::Text | Kind::WriteOnly => match value {
                Value::String(text) if !text.is_empty() => {
                    if matches!(kind, Kind::WriteOnly) {
                        self.write_only
                            .push((target.to_owned(), Secret::new(text.as_str())));
                        return None;
                    }
                    Some(value.clone())
                }
                Value::String(_) => {
                    self.problems.push(
                        FieldErrorCode::EmptyValue,
                        target,
                        format!("The {target} attribute must not be empty."),
                    );
                    None
                }
                _ => invalid(self, "a string"),
            },
            Kind::OneOf(allowed) => match value.as_str() {
                Some(text) if allowed.contains(&text) => Some(value.clone()),
                _ => self.not_allowed(allowed, target, "one of"),
            },
            Kind::ListOf(allowed, max) => match value.as_array() {
                Some(items)
                    if items
                        .iter()
                        .all(|item| item.as_str().is_some_and(|text| allowed.contains(&text))) =>
                {
                    self.at_most(items.len(), *max, target)
                        .then(|| value.clone())
                }
                _ => self.not_allowed(allowed, target, "an array of values from"),
            },
            Kind::Texts(max) => match value.as_array() {
                Some(items)
                    if items
                        .iter()
                        .all(|item| item.as_str().is_some_and(|text| !text.is_empty())) =>
                {
                    self.at_most(items.len(), *max, target)
                        .then(|| value.clone())
                }
                _ => invalid(self, "an array of non-empty strings"),
            },
            Kind::Ids => match value.as_array() {
                Some(items) => {
                    let ids: Vec<Value> = items
                        .iter()
                        .enumerate()
                        .filter_map(|(index, item)| match item.as_object() {
                            Some(object) => Some(Value::Object(self.object(
                                ID,
                                object,
                                &format!("{target}[{index}]"),
                            ))),
                            None => invalid(self, "an array of {\"id\": …} objects"),
                        })
                        .collect();
                    Some(Value::Array(ids))
                }
                None => invalid(self, "an array of {\"id\": …} objects"),
            },
            Kind::AnyObject => match value {
                Value::Object(_) => Some(value.clone()),
                _ => invalid(self, "an object"),
            },
            Kind::Object(members) => match value {
                Value::Object(object) => Some(Value::Object(self.object(members, object, target))),
                _ => invalid(self, "an object"),
            },
        }
    }

    fn not_allowed(
        &mut self,
        allowed: &'static [&'static str],
        target: &str,
        what: &str,
    ) -> Option<Value> {
        self.problems.push_error(FieldError {
            allowed_values: Some(allowed),
            ..FieldError::new(
                FieldErrorCode::InvalidValue,
                target,
                format!(
                    "The {target} attribute must be {what} {}.",
                    allowed.join(", ")
                ),
            )
        });
        None
    }

    fn at_most(&mut self, count: usize, max: usize, target: &str) -> bool {
        if count > max {
            self.problems.push(
                FieldErrorCode::InvalidValue,
                target,
                format!("The {target} attribute may hold at most {max} values."),
            );
        }
        count <= max
    }
}
