//! The whole store as plain data, secrets included: to export it, replace it, or reset it.

use std::collections::HashSet;

use uuid::Uuid;

use super::{Application, Environment, State, Store, StoreError, Stored};
use crate::clock::Timestamp;
use crate::domain::PushCredential;

/// Everything the store holds, environments and applications sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The environments.
    pub environments: Vec<EnvironmentRecord>,
}

/// One environment and its applications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentRecord {
    /// The environment id.
    pub id: Uuid,
    /// Its applications.
    pub applications: Vec<ApplicationRecord>,
}

/// One application and its push credentials, in creation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRecord {
    /// The application id.
    pub id: Uuid,
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
        let mut environments: Vec<EnvironmentRecord> = state
            .environments
            .iter()
            .map(|(id, environment)| {
                let mut applications: Vec<ApplicationRecord> = environment
                    .applications
                    .iter()
                    .map(|(id, application)| ApplicationRecord {
                        id: *id,
                        push_credentials: application
                            .credentials
                            .iter()
                            .map(Stored::record)
                            .collect(),
                    })
                    .collect();
                applications.sort_by_key(|application| application.id);
                EnvironmentRecord {
                    id: *id,
                    applications,
                }
            })
            .collect();
        drop(state);
        environments.sort_by_key(|environment| environment.id);
        Snapshot { environments }
    }

    /// Replaces everything with `snapshot`, all at once: a reader sees the old state or the new
    /// one, never a mix. Refused, with nothing changed, if the snapshot repeats an id or gives an
    /// application two credentials of one type.
    pub fn restore(&self, snapshot: Snapshot) -> Result<(), StoreError> {
        let fresh = State::from_snapshot(snapshot)?;
        *self.lock() = fresh;
        self.changed();
        Ok(())
    }

    /// Removes everything; says what that was.
    pub fn clear(&self) -> Removed {
        let old = std::mem::take(&mut *self.lock());
        self.changed();
        let mut removed = Removed::default();
        for environment in old.environments.values() {
            removed.add(environment);
        }
        removed
    }

    /// Removes one environment with its applications and credentials.
    pub fn remove_environment(&self, environment_id: Uuid) -> Removed {
        let removed = self.lock().environments.remove(&environment_id);
        let Some(environment) = removed else {
            return Removed::default();
        };
        self.changed();
        let mut removed = Removed::default();
        removed.add(&environment);
        removed
    }
}

impl Removed {
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

impl State {
    fn from_snapshot(snapshot: Snapshot) -> Result<Self, StoreError> {
        let mut state = Self::default();
        let mut credential_ids = HashSet::new();
        for environment in snapshot.environments {
            let mut applications = std::collections::HashMap::new();
            for application in environment.applications {
                let mut credentials: Vec<Stored> = Vec::new();
                for record in application.push_credentials {
                    let ty = record.credential.credential_type();
                    if credentials
                        .iter()
                        .any(|stored| stored.credential.credential_type() == ty)
                    {
                        return Err(StoreError::DuplicateType(ty));
                    }
                    if !credential_ids.insert(record.id) {
                        return Err(StoreError::DuplicateId(record.id));
                    }
                    credentials.push(Stored {
                        id: record.id,
                        created_at: record.created_at,
                        updated_at: record.updated_at,
                        credential: record.credential,
                    });
                }
                if applications
                    .insert(application.id, Application { credentials })
                    .is_some()
                {
                    return Err(StoreError::DuplicateId(application.id));
                }
            }
            if state
                .environments
                .insert(environment.id, Environment { applications })
                .is_some()
            {
                return Err(StoreError::DuplicateId(environment.id));
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::Secret;
    use crate::store::AppKey;

    fn legacy() -> PushCredential {
        PushCredential::legacy_fcm(Secret::new("server-key"))
    }

    fn record(id: Uuid) -> CredentialRecord {
        let now = Utc::now();
        CredentialRecord {
            id,
            created_at: now,
            updated_at: now,
            credential: legacy(),
        }
    }

    fn one_app(
        environment: Uuid,
        application: Uuid,
        credentials: Vec<CredentialRecord>,
    ) -> Snapshot {
        Snapshot {
            environments: vec![EnvironmentRecord {
                id: environment,
                applications: vec![ApplicationRecord {
                    id: application,
                    push_credentials: credentials,
                }],
            }],
        }
    }

    #[test]
    fn a_snapshot_restores_to_the_same_state() {
        let store = Store::new();
        let app = AppKey {
            environment_id: Uuid::new_v4(),
            application_id: Uuid::new_v4(),
        };
        store.create(app, legacy(), Utc::now()).unwrap();
        let snapshot = store.snapshot();
        let other = Store::new();
        other.restore(snapshot.clone()).unwrap();
        assert_eq!(other.snapshot(), snapshot);
        assert_eq!(other.list(app), store.list(app));
    }

    #[test]
    fn a_snapshot_with_repeated_ids_or_types_changes_nothing() {
        let store = Store::new();
        let (environment, application, id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        store
            .restore(one_app(environment, application, vec![record(id)]))
            .unwrap();
        let before = store.snapshot();
        let two_of_a_type = one_app(
            environment,
            application,
            vec![record(Uuid::new_v4()), record(Uuid::new_v4())],
        );
        assert!(matches!(
            store.restore(two_of_a_type),
            Err(StoreError::DuplicateType(_))
        ));
        let mut same_id_twice = one_app(environment, application, vec![record(id)]);
        same_id_twice.environments[0]
            .applications
            .push(ApplicationRecord {
                id: Uuid::new_v4(),
                push_credentials: vec![record(id)],
            });
        assert_eq!(
            store.restore(same_id_twice),
            Err(StoreError::DuplicateId(id))
        );
        assert_eq!(store.snapshot(), before);
    }

    #[test]
    fn removing_an_environment_leaves_the_others_and_counts_what_went() {
        let store = Store::new();
        let (gone, kept) = (Uuid::new_v4(), Uuid::new_v4());
        let mut snapshot = one_app(gone, Uuid::new_v4(), vec![record(Uuid::new_v4())]);
        snapshot
            .environments
            .extend(one_app(kept, Uuid::new_v4(), vec![]).environments);
        store.restore(snapshot).unwrap();
        let version = *store.watch_changes().borrow();
        assert_eq!(
            store.remove_environment(gone),
            Removed {
                environments: 1,
                applications: 1,
                push_credentials: 1
            }
        );
        assert_eq!(store.remove_environment(gone), Removed::default());
        let ids: Vec<Uuid> = store.snapshot().environments.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![kept]);
        assert_eq!(*store.watch_changes().borrow(), version + 1);
        let cleared = store.clear();
        assert_eq!((cleared.environments, cleared.applications), (1, 1));
        assert_eq!(store.snapshot(), Snapshot::default());
    }
}
