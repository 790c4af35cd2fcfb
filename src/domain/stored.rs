//! What a database store keeps of each resource, as JSON, secrets included; and back.
//!
//! The values written here were valid when written, so reading them back trusts their shape:
//! a value that does not read back is `None`, which the store reports as a broken row.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::environment::{ENVIRONMENT_TYPES, canonical};
use super::{ApplicationSpec, EnvironmentSpec, JoinedSecrets, PushCredential, REGIONS, Secret};

impl EnvironmentSpec {
    /// The attributes as stored.
    pub fn to_stored(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), json!(self.name));
        if let Some(description) = &self.description {
            object.insert("description".into(), json!(description));
        }
        object.insert("region".into(), json!(self.region));
        object.insert("type".into(), json!(self.environment_type));
        if let Some(license) = self.license_id {
            object.insert("license".into(), json!({"id": license}));
        }
        if let Some(icon) = &self.icon {
            object.insert("icon".into(), json!(icon));
        }
        Value::Object(object)
    }

    /// The attributes [`EnvironmentSpec::to_stored`] wrote.
    pub fn from_stored(value: &Value) -> Option<Self> {
        let text = |key: &str| value.get(key).and_then(Value::as_str);
        let region = text("region").filter(|region| REGIONS.contains(region))?;
        let environment_type = text("type").filter(|ty| ENVIRONMENT_TYPES.contains(ty))?;
        let license_id = match value.get("license") {
            None => None,
            Some(license) => Some(license.get("id")?.as_str()?.parse::<Uuid>().ok()?),
        };
        Some(Self {
            name: text("name")?.to_owned(),
            description: text("description").map(str::to_owned),
            region: canonical(&REGIONS, region),
            environment_type: canonical(&ENVIRONMENT_TYPES, environment_type),
            license_id,
            icon: text("icon").map(str::to_owned),
        })
    }
}

impl ApplicationSpec {
    /// The attributes as stored, the write-only ones (by JSON path) with them.
    pub fn to_stored(&self) -> Value {
        let write_only: Vec<Value> = self
            .write_only()
            .iter()
            .map(|(path, secret)| json!([path, secret.expose()]))
            .collect();
        json!({"attributes": self.attributes(), "writeOnly": write_only})
    }

    /// The attributes [`ApplicationSpec::to_stored`] wrote.
    pub fn from_stored(value: &Value) -> Option<Self> {
        let attributes = value.get("attributes")?.as_object()?.clone();
        let write_only = value
            .get("writeOnly")?
            .as_array()?
            .iter()
            .map(|pair| {
                let path = pair.get(0)?.as_str()?;
                let secret = pair.get(1)?.as_str()?;
                Some((path.to_owned(), Secret::new(secret)))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self::from_parts(attributes, write_only))
    }
}

impl PushCredential {
    /// The credential as stored: its type and every field, secrets included.
    pub fn to_stored(&self) -> Value {
        let ty = self.credential_type().as_str();
        match self {
            Self::Apns(apns) => {
                let [key, team_id, token] = apns.expose();
                json!({"type": ty, "key": key, "teamId": team_id, "token": token})
            }
            Self::FcmHttpV1 {
                google_service_account_credentials,
            } => json!({
                "type": ty,
                "googleServiceAccountCredentials": google_service_account_credentials.expose(),
            }),
            Self::Hms {
                client_id,
                client_secret,
            } => json!({"type": ty, "clientId": client_id, "clientSecret": client_secret.expose()}),
            Self::Fcm { key } => json!({"type": ty, "key": key.expose()}),
        }
    }

    /// The credential [`PushCredential::to_stored`] wrote.
    pub fn from_stored(value: &Value) -> Option<Self> {
        let text = |key: &str| value.get(key).and_then(Value::as_str);
        Some(match text("type")? {
            "APNS" => Self::Apns(JoinedSecrets::new([
                text("key")?,
                text("teamId")?,
                text("token")?,
            ])),
            "FCM_HTTP_V1" => Self::FcmHttpV1 {
                google_service_account_credentials: Secret::new(text(
                    "googleServiceAccountCredentials",
                )?),
            },
            "HMS" => Self::Hms {
                client_id: text("clientId")?.into(),
                client_secret: Secret::new(text("clientSecret")?),
            },
            "FCM" => Self::legacy_fcm(Secret::new(text("key")?)),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ParseOptions, parse_application, parse_environment};

    #[test]
    fn every_resource_reads_back_as_it_was_stored() {
        let environment = json!({"name": "E", "description": "d", "region": "EU", "type": "PRODUCTION",
            "license": {"id": "5e81bba1-5185-457c-926a-aae0e8939109"}, "icon": "https://x/i.png"});
        let spec = parse_environment(environment.as_object().unwrap(), false).unwrap();
        assert_eq!(EnvironmentSpec::from_stored(&spec.to_stored()), Some(spec));
        let provisioned = EnvironmentSpec::auto_provisioned(Uuid::new_v4());
        assert_eq!(
            EnvironmentSpec::from_stored(&provisioned.to_stored()),
            Some(provisioned)
        );

        let application = json!({"name": "A", "enabled": true, "protocol": "OPENID_CONNECT",
            "type": "NATIVE_APP", "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
            "mobile": {"integrityDetection": {"mode": "ENABLED", "googlePlay": {
                "verificationType": "INTERNAL", "decryptionKey": "dk", "verificationKey": "vk"}}}});
        let spec = parse_application(application.as_object().unwrap(), false).unwrap();
        assert!(
            !spec.write_only().is_empty(),
            "the Google Play keys are write-only"
        );
        assert_eq!(ApplicationSpec::from_stored(&spec.to_stored()), Some(spec));

        let options = ParseOptions {
            allow_legacy_fcm: true,
            reject_unknown_fields: false,
        };
        for body in [
            json!({"type": "HMS", "clientId": "c", "clientSecret": "s"}),
            json!({"type": "FCM", "key": "k"}),
        ] {
            let credential =
                crate::domain::parse_push_credential(body.as_object().unwrap(), options).unwrap();
            assert_eq!(
                PushCredential::from_stored(&credential.to_stored()),
                Some(credential)
            );
        }
        assert_eq!(PushCredential::from_stored(&json!({"type": "X"})), None);
    }
}
