//! The whole store as plain data, secrets included: to export it, replace it, or reset it.

use std::collections::HashSet;

use uuid::Uuid;

use super::tenants::generate_secret;
use super::{Application, Attributes, Environment, Grants, State, Store, StoreError, Stored};
use crate::clock::Timestamp;
use crate::domain::{ApplicationSpec, EnvironmentSpec, PushCredential, Secret};

/// Everything the store holds, environments and applications in creation order.
///
/// Ids deleted over the API (which `auto` tenancy does not bring back) are not part of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The environments.
    pub environments: Vec<EnvironmentRecord>,
}

/// One environment, the grants its tokens hold, and its applications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentRecord {
    /// The environment id.
    pub id: Uuid,
    /// Its attributes.
    pub spec: EnvironmentSpec,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last replaced.
    pub updated_at: Timestamp,
    /// Which other environments its tokens may manage (in `strict` tenancy).
    pub manages: Grants,
    /// Its applications.
    pub applications: Vec<ApplicationRecord>,
}

/// One application, its client secret, and its push credentials in creation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRecord {
    /// The application id.
    pub id: Uuid,
    /// Its attributes.
    pub spec: ApplicationSpec,
    /// The client secret of a worker or service; restoring one without a secret generates it.
    pub client_secret: Option<Secret>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last replaced.
    pub updated_at: Timestamp,
    /// Its push credentials.
    pub push_credentials: Vec<CredentialRecord>,
}

/// One stored push credential, with its secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRecord {
    /// The credential id.
    pub id: Uuid,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last replaced.
    pub updated_at: Timestamp,
    /// The credential itself.
    pub credential: PushCredential,
}

/// What removing an environment took away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    /// Environments removed (0 or 1 for one id).
    pub environments: usize,
    /// Applications removed with them.
    pub applications: usize,
    /// Push credentials removed with them.
    pub push_credentials: usize,
}

impl Store {
    /// A copy of everything, secrets included; the guard is held only while copying.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        let mut environments: Vec<(u64, EnvironmentRecord)> = state
            .environments
            .iter()
            .map(|(id, environment)| (environment.seq, state.record(*id, environment)))
            .collect();
        drop(state);
        environments.sort_by_key(|(seq, _)| *seq);
        Snapshot {
            environments: environments.into_iter().map(|(_, record)| record).collect(),
        }
    }

    /// Replaces everything with `snapshot`, all at once: a reader sees the old state or the new
    /// one, never a mix. Refused, with nothing changed, if the snapshot repeats an id, gives an
    /// application two credentials of one type, or gives credentials to a non-native application.
    /// Forgets deleted ids: `auto` tenancy may provision any id again.
    /// Says what was replaced.
    pub fn restore(&self, snapshot: Snapshot) -> Result<Removed, StoreError> {
        let fresh = State::from_snapshot(snapshot)?;
        Ok(self.replace_state(fresh))
    }

    /// Removes everything, deleted ids and grants included; says what that was.
    pub fn clear(&self) -> Removed {
        self.replace_state(State::default())
    }

    fn replace_state(&self, fresh: State) -> Removed {
        let mut state = self.lock();
        let old = std::mem::replace(&mut *state, fresh);
        state.touch();
        drop(state);
        let mut removed = Removed::default();
        for environment in old.environments.values() {
            removed.add(environment);
        }
        removed
    }

    /// Removes one environment with its applications, credentials and the grants its tokens
    /// held. Unlike a `DELETE`, the id is not remembered as deleted: `auto` tenancy may
    /// provision it again.
    pub fn remove_environment(&self, environment_id: Uuid) -> Removed {
        let mut state = self.lock();
        let mut removed = Removed::default();
        if let Some(environment) = state.environments.remove(&environment_id) {
            removed.add(&environment);
            state.touch();
        }
        if state.deleted_environments.remove(&environment_id) {
            state.touch();
        }
        let before = state.deleted_applications.len();
        state
            .deleted_applications
            .retain(|key| key.environment_id != environment_id);
        if state.deleted_applications.len() != before {
            state.touch();
        }
        state.forget_manager(environment_id);
        removed
    }
}

impl Removed {
    /// How much `snapshot` holds.
    pub fn counting(snapshot: &Snapshot) -> Self {
        let applications = snapshot
            .environments
            .iter()
            .flat_map(|environment| &environment.applications);
        Self {
            environments: snapshot.environments.len(),
            applications: applications.clone().count(),
            push_credentials: applications
                .map(|application| application.push_credentials.len())
                .sum(),
        }
    }

    fn add(&mut self, environment: &Environment) {
        self.environments += 1;
        self.applications += environment.applications.len();
        self.push_credentials += environment
            .applications
            .values()
            .map(|application| application.credentials.len())
            .sum::<usize>();
    }
}

impl State {
    /// The record of one environment, with the grants held by its tokens.
    fn record(&self, id: Uuid, environment: &Environment) -> EnvironmentRecord {
        let manages = if self.global_managers.contains(&id) {
            Grants::All
        } else {
            let mut managed: Vec<(u64, Uuid)> = self
                .environments
                .iter()
                .filter(|(target, other)| **target != id && other.managers.contains(&id))
                .map(|(target, other)| (other.seq, *target))
                .collect();
            managed.sort_unstable();
            if managed.is_empty() {
                Grants::Own
            } else {
                Grants::Some(managed.into_iter().map(|(_, target)| target).collect())
            }
        };
        let mut applications: Vec<(u64, ApplicationRecord)> = environment
            .applications
            .iter()
            .map(|(id, application)| (application.seq, application.record(*id)))
            .collect();
        applications.sort_by_key(|(seq, _)| *seq);
        EnvironmentRecord {
            id,
            spec: environment.spec.clone(),
            created_at: environment.created_at,
            updated_at: environment.updated_at,
            manages,
            applications: applications.into_iter().map(|(_, record)| record).collect(),
        }
    }

    fn from_snapshot(snapshot: Snapshot) -> Result<Self, StoreError> {
        let mut state = Self::default();
        let mut credential_ids = HashSet::new();
        let mut grants = Vec::new();
        for record in snapshot.environments {
            let seq = state.seq();
            let mut environment = Environment::new(seq, record.spec, record.created_at);
            environment.updated_at = record.updated_at;
            for application in record.applications {
                let (id, seq) = (application.id, state.seq());
                let restored = Application::restore(seq, application, &mut credential_ids)?;
                // Application ids are unique within their environment (the store's key).
                if environment.applications.insert(id, restored).is_some() {
                    return Err(StoreError::DuplicateId(id));
                }
            }
            if state.environments.insert(record.id, environment).is_some() {
                return Err(StoreError::DuplicateId(record.id));
            }
            grants.push((record.id, record.manages));
        }
        for (manager, manages) in grants {
            match manages {
                Grants::Own => {}
                Grants::All => {
                    state.global_managers.insert(manager);
                }
                Grants::Some(targets) => {
                    for target in targets {
                        if let Some(environment) = state.environments.get_mut(&target) {
                            environment.managers.insert(manager);
                        }
                    }
                }
            }
        }
        Ok(state)
    }
}

impl Application {
    fn record(&self, id: Uuid) -> ApplicationRecord {
        ApplicationRecord {
            id,
            spec: self.attributes.spec(id).into_owned(),
            client_secret: self.attributes.client_secret().cloned(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            push_credentials: self.credentials.iter().map(Stored::record).collect(),
        }
    }

    fn restore(
        seq: u64,
        record: ApplicationRecord,
        credential_ids: &mut HashSet<Uuid>,
    ) -> Result<Self, StoreError> {
        if !record.push_credentials.is_empty() && !record.spec.is_native() {
            return Err(StoreError::NotNativeApp);
        }
        let client_secret = if record.spec.has_client_secret() {
            Some(record.client_secret.unwrap_or_else(generate_secret))
        } else {
            None
        };
        let attributes = Attributes::new(record.spec, client_secret, record.id);
        let mut application = Self::new(seq, attributes, record.created_at);
        application.updated_at = record.updated_at;
        for credential in record.push_credentials {
            let ty = credential.credential.credential_type();
            if application
                .credentials
                .iter()
                .any(|stored| stored.credential.credential_type() == ty)
            {
                return Err(StoreError::DuplicateType(ty));
            }
            if !credential_ids.insert(credential.id) {
                return Err(StoreError::DuplicateId(credential.id));
            }
            application.credentials.push(Stored {
                id: credential.id,
                created_at: credential.created_at,
                updated_at: credential.updated_at,
                credential: credential.credential,
            });
        }
        Ok(application)
    }
}

impl Stored {
    fn record(&self) -> CredentialRecord {
        CredentialRecord {
            id: self.id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            credential: self.credential.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
