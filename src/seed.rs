//! `--seed-file`: a JSON document of environments, applications (with fixed ids and client
//! secrets) and push credentials, validated whole before the server listens.
//!
//! ```json
//! {"environments": [{
//!    "id": "…", "name": "Admin", "region": "NA", "type": "SANDBOX", "license": {"id": "…"},
//!    "manages": ["*"],
//!    "applications": [{
//!      "id": "…", "name": "Terraform", "enabled": true, "protocol": "OPENID_CONNECT", "type": "WORKER",
//!      "grantTypes": ["CLIENT_CREDENTIALS"], "tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC",
//!      "clientSecret": "…",
//!      "pushCredentials": [{"id": "…", "type": "HMS", "clientId": "…", "clientSecret": "…"}]
//!    }]
//! }]}
//! ```
//!
//! Each entry is what a client would send to create it, plus its `id`. Stored legacy `FCM`
//! records are accepted here (they cannot be created over the API).

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::domain::{
    ApplicationSpec, CredentialType, EnvironmentSpec, FieldError, ParseOptions, PushCredential,
    Secret, parse_application, parse_environment, parse_push_credential,
};
use crate::store::{AppKey, Grants, Store};

/// A seed document that passed validation: applying it cannot fail.
#[derive(Debug, Default)]
pub struct Seed {
    environments: Vec<SeedEnvironment>,
}

#[derive(Debug)]
struct SeedEnvironment {
    id: Uuid,
    spec: EnvironmentSpec,
    grants: Grants,
    applications: Vec<SeedApplication>,
}

#[derive(Debug)]
struct SeedApplication {
    id: Uuid,
    spec: ApplicationSpec,
    secret: Option<Secret>,
    push_credentials: Vec<(Uuid, PushCredential)>,
}

/// Every problem found in a seed document, each with the entry it concerns.
#[derive(Debug, thiserror::Error)]
pub struct SeedError {
    source_name: String,
    problems: Vec<(String, String)>,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed file {}: {} problem(s)",
            self.source_name,
            self.problems.len()
        )?;
        for (path, problem) in &self.problems {
            write!(f, "\n  {path}: {problem}")?;
        }
        Ok(())
    }
}

impl SeedError {
    /// `(entry path, problem)` pairs, e.g. `("environments[0].applications[2].pushCredentials[0].token", "…")`.
    pub fn problems(&self) -> &[(String, String)] {
        &self.problems
    }
}

/// Reads and validates a seed file.
pub fn load_file(path: &Path) -> Result<Seed, SeedError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| SeedError {
        source_name: name.clone(),
        problems: vec![("(file)".to_owned(), format!("cannot be read: {error}"))],
    })?;
    parse(&name, &text)
}

/// Validates a seed document; `source_name` names it in errors.
pub fn parse(source_name: &str, text: &str) -> Result<Seed, SeedError> {
    let mut checker = Checker::default();
    let seed = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(document)) => checker.document(&document),
        Ok(_) => {
            checker.problem(
                "(document)",
                "must be a JSON object with an `environments` array".to_owned(),
            );
            Seed::default()
        }
        Err(error) => {
            checker.problem("(document)", format!("is not valid JSON: {error}"));
            Seed::default()
        }
    };
    if checker.problems.is_empty() {
        Ok(seed)
    } else {
        Err(SeedError {
            source_name: source_name.to_owned(),
            problems: checker.problems,
        })
    }
}

impl Seed {
    /// Puts everything into the store: environments, then grants, applications, credentials.
    pub fn apply(self, store: &Store, now: Timestamp) {
        for environment in &self.environments {
            store.insert_environment(environment.id, environment.spec.clone(), now);
        }
        for environment in self.environments {
            store.grant(environment.id, &environment.grants);
            for application in environment.applications {
                let key = AppKey {
                    environment_id: environment.id,
                    application_id: application.id,
                };
                // Validation already ruled out every reason these could fail.
                let _ = store.insert_application(key, application.spec, application.secret, now);
                for (id, credential) in application.push_credentials {
                    let _ = store.insert(key, id, credential, now);
                }
            }
        }
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<(String, String)>,
}

impl Checker {
    fn problem(&mut self, path: &str, message: String) {
        self.problems.push((path.to_owned(), message));
    }

    fn field_errors(&mut self, path: &str, errors: Vec<FieldError>) {
        for error in errors {
            self.problem(
                &format!("{path}.{}", error.target),
                format!("{}: {}", error.code.as_str(), error.message),
            );
        }
    }

    fn document(&mut self, document: &Map<String, Value>) -> Seed {
        let environments = self.array(document, "environments", "environments", true);
        let mut seen = HashSet::new();
        let parsed: Vec<(usize, SeedEnvironment)> = environments
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| {
                self.environment(&format!("environments[{i}]"), entry, &mut seen)
                    .map(|environment| (i, environment))
            })
            .collect();
        // `manages` may only name environments of this seed.
        for (i, environment) in &parsed {
            if let Grants::Some(targets) = &environment.grants {
                for (j, target) in targets.iter().enumerate() {
                    if !seen.contains(target) {
                        self.problem(
                            &format!("environments[{i}].manages[{j}]"),
                            format!("no environment {target} in this seed"),
                        );
                    }
                }
            }
        }
        let parsed = parsed
            .into_iter()
            .map(|(_, environment)| environment)
            .collect();
        Seed {
            environments: parsed,
        }
    }

    fn array<'a>(
        &mut self,
        object: &'a Map<String, Value>,
        field: &str,
        path: &str,
        required: bool,
    ) -> &'a [Value] {
        match object.get(field) {
            Some(Value::Array(items)) => items,
            None | Some(Value::Null) if !required => &[],
            None | Some(Value::Null) => {
                self.problem(path, "is required".to_owned());
                &[]
            }
            Some(_) => {
                self.problem(path, "must be an array".to_owned());
                &[]
            }
        }
    }

    fn id(
        &mut self,
        path: &str,
        entry: &Map<String, Value>,
        seen: &mut HashSet<Uuid>,
    ) -> Option<Uuid> {
        let id = match entry.get("id").and_then(Value::as_str) {
            Some(id) if id.len() == 36 => Uuid::try_parse(id).ok(),
            _ => None,
        };
        match id {
            None => self.problem(
                &format!("{path}.id"),
                "must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)".to_owned(),
            ),
            Some(id) if !seen.insert(id) => {
                self.problem(&format!("{path}.id"), format!("{id} is used twice"))
            }
            Some(_) => {}
        }
        id
    }

    fn environment(
        &mut self,
        path: &str,
        entry: &Value,
        seen: &mut HashSet<Uuid>,
    ) -> Option<SeedEnvironment> {
        let Value::Object(entry) = entry else {
            self.problem(path, "must be an object".to_owned());
            return None;
        };
        let id = self.id(path, entry, seen);
        let spec = parse_environment(entry, false)
            .map_err(|errors| self.field_errors(path, errors))
            .ok();
        let grants = self.grants(&format!("{path}.manages"), entry.get("manages"));
        let mut app_ids = HashSet::new();
        let applications: Vec<SeedApplication> = self
            .array(
                entry,
                "applications",
                &format!("{path}.applications"),
                false,
            )
            .iter()
            .enumerate()
            .filter_map(|(i, app)| {
                self.application(&format!("{path}.applications[{i}]"), app, &mut app_ids)
            })
            .collect();
        Some(SeedEnvironment {
            id: id?,
            spec: spec?,
            grants: grants?,
            applications,
        })
    }

    fn grants(&mut self, path: &str, value: Option<&Value>) -> Option<Grants> {
        let items = match value {
            None | Some(Value::Null) => return Some(Grants::Own),
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.problem(
                    path,
                    "must be an array of environment ids, or [\"*\"]".to_owned(),
                );
                return None;
            }
        };
        if items.len() == 1 && items[0] == "*" {
            return Some(Grants::All);
        }
        let mut ids = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item
                .as_str()
                .filter(|s| s.len() == 36)
                .and_then(|s| Uuid::try_parse(s).ok())
            {
                Some(id) => ids.push(id),
                None => self.problem(
                    &format!("{path}[{i}]"),
                    "must be an environment id, or the whole list [\"*\"]".to_owned(),
                ),
            }
        }
        (ids.len() == items.len()).then_some(Grants::Some(ids))
    }

    fn application(
        &mut self,
        path: &str,
        entry: &Value,
        seen: &mut HashSet<Uuid>,
    ) -> Option<SeedApplication> {
        let Value::Object(entry) = entry else {
            self.problem(path, "must be an object".to_owned());
            return None;
        };
        let id = self.id(path, entry, seen);
        let spec = parse_application(entry, false)
            .map_err(|errors| self.field_errors(path, errors))
            .ok();
        let secret = match (entry.get("clientSecret"), &spec) {
            (None | Some(Value::Null), _) => None,
            (Some(Value::String(secret)), Some(spec))
                if spec.has_client_secret() && !secret.is_empty() =>
            {
                Some(Secret::new(secret.as_str()))
            }
            (Some(_), Some(spec)) if !spec.has_client_secret() => {
                self.problem(
                    &format!("{path}.clientSecret"),
                    "only WORKER and SERVICE applications have a client secret".to_owned(),
                );
                None
            }
            (Some(_), _) => {
                self.problem(
                    &format!("{path}.clientSecret"),
                    "must be a non-empty string".to_owned(),
                );
                None
            }
        };
        let credentials = self.array(
            entry,
            "pushCredentials",
            &format!("{path}.pushCredentials"),
            false,
        );
        if !credentials.is_empty() && spec.as_ref().is_some_and(|spec| !spec.is_native()) {
            self.problem(
                &format!("{path}.pushCredentials"),
                "push credentials belong to NATIVE_APP applications only".to_owned(),
            );
        }
        let mut ids = HashSet::new();
        let mut types: HashSet<CredentialType> = HashSet::new();
        let mut push_credentials = Vec::new();
        for (i, credential) in credentials.iter().enumerate() {
            let path = format!("{path}.pushCredentials[{i}]");
            let Value::Object(credential) = credential else {
                self.problem(&path, "must be an object".to_owned());
                continue;
            };
            let id = self.id(&path, credential, &mut ids);
            let legacy_allowed = ParseOptions {
                allow_legacy_fcm: true,
                reject_unknown_fields: false,
            };
            match parse_push_credential(credential, legacy_allowed) {
                Ok(parsed) if !types.insert(parsed.credential_type()) => self.problem(
                    &format!("{path}.type"),
                    format!(
                        "a second {} credential on one application",
                        parsed.credential_type().as_str()
                    ),
                ),
                Ok(parsed) => push_credentials.extend(id.map(|id| (id, parsed))),
                Err(errors) => self.field_errors(&path, errors),
            }
        }
        Some(SeedApplication {
            id: id?,
            spec: spec?,
            secret,
            push_credentials,
        })
    }
}

#[cfg(test)]
mod tests;
