//! Environments: what a client sends to create or replace one.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::fields::{Problems, present};
use super::{FieldError, FieldErrorCode};

/// The regions PingOne hosts environments in.
pub const REGIONS: [&str; 6] = ["NA", "EU", "AP", "CA", "AU", "SG"];
/// Environment types.
pub const ENVIRONMENT_TYPES: [&str; 2] = ["SANDBOX", "PRODUCTION"];

/// A valid environment body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentSpec {
    /// Display name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// One of [`REGIONS`].
    pub region: &'static str,
    /// One of [`ENVIRONMENT_TYPES`].
    pub environment_type: &'static str,
    /// The license the environment uses; `None` only for auto-provisioned environments.
    pub license_id: Option<Uuid>,
    /// The URL of the environment's icon.
    pub icon: Option<String>,
}

/// The organization every environment of the emulator belongs to (PingOne's `organization.id`).
pub const ORGANIZATION_ID: Uuid = Uuid::from_u128(0x6f72_6761_6e69_4a61_8000_7069_6e67_6f6e);

impl EnvironmentSpec {
    /// What an environment seen for the first time in `auto` tenancy looks like.
    pub fn auto_provisioned(id: Uuid) -> Self {
        Self {
            name: format!("Environment {}", &id.to_string()[..8]),
            description: Some("Provisioned automatically on first use.".to_owned()),
            region: "NA",
            environment_type: "SANDBOX",
            license_id: None,
            icon: None,
        }
    }
}

/// Parses a `POST`/`PUT /v1/environments` body, collecting every problem.
pub fn parse_environment(
    body: &Map<String, Value>,
    reject_unknown: bool,
) -> Result<EnvironmentSpec, Vec<FieldError>> {
    let mut problems = Problems::new();
    let name = problems.text(body, "name", "");
    let description = problems.optional_text(body, "description", "");
    let icon = problems.optional_text(body, "icon", "");
    let region = problems.one_of(body, "region", "", &REGIONS);
    let environment_type = problems.one_of(body, "type", "", &ENVIRONMENT_TYPES);
    let license_id = match present(body, "license") {
        None => {
            let message = "The license.id attribute is required.";
            problems.push(FieldErrorCode::RequiredValue, "license.id", message);
            None
        }
        Some(Value::Object(license)) => {
            let id = problems.required(license, "id", "license");
            problems.uuid(id, "id", "license")
        }
        Some(_) => {
            let message = "The license attribute must be an object with an id.";
            problems.invalid("license", message);
            None
        }
    };
    if reject_unknown {
        // Read-only attributes a client may send back with what it read.
        let known = [
            "name",
            "description",
            "region",
            "type",
            "license",
            "icon",
            "id",
            "organization",
            "createdAt",
            "updatedAt",
            "_links",
        ];
        problems.unknown_keys(body, &known, "", "an environment");
    }
    let spec = match (name, region, environment_type, license_id) {
        (Some(name), Some(region), Some(environment_type), Some(license_id)) => {
            Some(EnvironmentSpec {
                name: name.to_owned(),
                description: description.map(str::to_owned),
                region,
                environment_type,
                license_id: Some(license_id),
                icon: icon.map(str::to_owned),
            })
        }
        _ => None,
    };
    problems.finish(spec)
}

/// The `'static` spelling of a value already checked to be in `allowed`.
pub(crate) fn canonical(allowed: &[&'static str], value: &str) -> &'static str {
    allowed
        .iter()
        .find(|candidate| **candidate == value)
        .copied()
        .unwrap_or(allowed[0])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problems(body: Value) -> Vec<(&'static str, String)> {
        parse_environment(body.as_object().unwrap(), false)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.code.as_str(), e.target))
            .collect()
    }

    #[test]
    fn a_complete_body_parses() {
        let body = json!({"name":"Test","region":"EU","type":"SANDBOX","license":{"id":"5e81bba1-5185-457c-926a-aae0e8939109"}});
        let spec = parse_environment(body.as_object().unwrap(), false).unwrap();
        assert_eq!((spec.region, spec.environment_type), ("EU", "SANDBOX"));
    }

    #[test]
    fn every_problem_is_reported() {
        assert_eq!(
            problems(json!({"name":"","region":"MARS","type":"DEV","license":{"id":"x"}})),
            vec![
                ("EMPTY_VALUE", "name".to_owned()),
                ("INVALID_VALUE", "region".to_owned()),
                ("INVALID_VALUE", "type".to_owned()),
                ("INVALID_VALUE", "license.id".to_owned())
            ]
        );
        assert_eq!(
            problems(json!({})),
            vec![
                ("REQUIRED_VALUE", "name".to_owned()),
                ("REQUIRED_VALUE", "region".to_owned()),
                ("REQUIRED_VALUE", "type".to_owned()),
                ("REQUIRED_VALUE", "license.id".to_owned())
            ]
        );
    }
}
