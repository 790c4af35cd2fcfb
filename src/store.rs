//! The in-memory store: environments hold applications, applications hold push credentials.
//!
//! The handle is cheap to clone; its lock never leaves this file and every method is synchronous,
//! so no guard can be held across an `.await`. Each operation reads and writes under one guard.
//! Every change bumps a version number that watchers (the state-file writer) can wait on.

mod snapshot;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;
use uuid::Uuid;

pub use snapshot::{ApplicationRecord, CredentialRecord, EnvironmentRecord, Removed, Snapshot};

use crate::clock::Timestamp;
use crate::domain::{CredentialType, PushCredential};

/// Identifies one application: the store is keyed (environment, application, credential).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AppKey {
    /// The environment id.
    pub environment_id: Uuid,
    /// The application id.
    pub application_id: Uuid,
}

/// What the API may show of a stored credential: everything but the secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialView {
    /// The credential id.
    pub id: Uuid,
    /// Where it lives.
    pub app: AppKey,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last replaced (equal to `created_at` until then).
    pub updated_at: Timestamp,
    /// Its type.
    pub credential_type: CredentialType,
    /// The HMS client id, the one non-secret attribute.
    pub client_id: Option<String>,
}

/// Why a write was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No such credential on that application.
    #[error("push credential not found")]
    NotFound,
    /// The application already has a credential of this type.
    #[error("the application already has a {} push credential", .0.as_str())]
    DuplicateType(CredentialType),
    /// A replace tried to change the type.
    #[error("a {} push credential cannot change type", .0.as_str())]
    TypeChanged(CredentialType),
    /// A restored snapshot names one id twice.
    #[error("the id {0} appears more than once")]
    DuplicateId(Uuid),
}

/// A cloneable handle to the shared state.
#[derive(Clone, Debug)]
pub struct Store {
    state: Arc<Mutex<State>>,
    /// The number of changes so far; receivers are woken on each one.
    version: Arc<watch::Sender<u64>>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            version: Arc::new(watch::Sender::new(0)),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    environments: HashMap<Uuid, Environment>,
}

#[derive(Debug, Default)]
struct Environment {
    applications: HashMap<Uuid, Application>,
}

#[derive(Debug, Default)]
struct Application {
    /// In creation order; at most one per type, so a linear scan is a handful of comparisons.
    credentials: Vec<Stored>,
}

#[derive(Debug)]
struct Stored {
    id: Uuid,
    created_at: Timestamp,
    updated_at: Timestamp,
    credential: PushCredential,
}

impl Stored {
    fn view(&self, app: AppKey) -> CredentialView {
        CredentialView {
            id: self.id,
            app,
            created_at: self.created_at,
            updated_at: self.updated_at,
            credential_type: self.credential.credential_type(),
            client_id: self.credential.client_id().map(str::to_owned),
        }
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written record (every write is a
        // single push, assignment or removal), so a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records that the state changed; called after the write, with or without the guard.
    fn changed(&self) {
        self.version.send_modify(|version| *version += 1);
    }

    /// A receiver woken after every change, whose value counts the changes so far.
    pub fn watch_changes(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Adds a credential with a fresh id, unless the application already has one of its type.
    pub fn create(
        &self,
        app: AppKey,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        self.insert(app, Uuid::new_v4(), credential, now)
    }

    /// Adds a credential with a given id (seed data, legacy records), with the same rules as
    /// [`Store::create`].
    pub fn insert(
        &self,
        app: AppKey,
        id: Uuid,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        let mut state = self.lock();
        let application = state
            .environments
            .entry(app.environment_id)
            .or_default()
            .applications
            .entry(app.application_id)
            .or_default();
        let ty = credential.credential_type();
        if application
            .credentials
            .iter()
            .any(|stored| stored.credential.credential_type() == ty)
        {
            return Err(StoreError::DuplicateType(ty));
        }
        let stored = Stored {
            id,
            created_at: now,
            updated_at: now,
            credential,
        };
        let view = stored.view(app);
        application.credentials.push(stored);
        drop(state);
        self.changed();
        Ok(view)
    }

    /// The application's credentials in creation order; empty for an unknown application.
    pub fn list(&self, app: AppKey) -> Vec<CredentialView> {
        let state = self.lock();
        state
            .application(app)
            .map(|application| {
                application
                    .credentials
                    .iter()
                    .map(|s| s.view(app))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One credential of the application.
    pub fn get(&self, app: AppKey, id: Uuid) -> Option<CredentialView> {
        let state = self.lock();
        state
            .application(app)?
            .find(id)
            .map(|stored| stored.view(app))
    }

    /// Replaces a credential's content, keeping its id and `createdAt`; its type cannot change.
    /// `updatedAt` never goes back, even if the clock does.
    pub fn replace(
        &self,
        app: AppKey,
        id: Uuid,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        let mut state = self.lock();
        let stored = state
            .application_mut(app)
            .and_then(|application| application.find_mut(id))
            .ok_or(StoreError::NotFound)?;
        let stored_type = stored.credential.credential_type();
        if credential.credential_type() != stored_type {
            return Err(StoreError::TypeChanged(stored_type));
        }
        stored.credential = credential;
        stored.updated_at = now.max(stored.updated_at);
        let view = stored.view(app);
        drop(state);
        self.changed();
        Ok(view)
    }

    /// Removes a credential; `false` when there was none.
    pub fn delete(&self, app: AppKey, id: Uuid) -> bool {
        let mut state = self.lock();
        let Some(application) = state.application_mut(app) else {
            return false;
        };
        let before = application.credentials.len();
        application.credentials.retain(|stored| stored.id != id);
        let deleted = application.credentials.len() != before;
        drop(state);
        if deleted {
            self.changed();
        }
        deleted
    }
}

impl State {
    fn application(&self, app: AppKey) -> Option<&Application> {
        self.environments
            .get(&app.environment_id)?
            .applications
            .get(&app.application_id)
    }

    fn application_mut(&mut self, app: AppKey) -> Option<&mut Application> {
        self.environments
            .get_mut(&app.environment_id)?
            .applications
            .get_mut(&app.application_id)
    }
}

impl Application {
    fn find(&self, id: Uuid) -> Option<&Stored> {
        self.credentials.iter().find(|stored| stored.id == id)
    }

    fn find_mut(&mut self, id: Uuid) -> Option<&mut Stored> {
        self.credentials.iter_mut().find(|stored| stored.id == id)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use super::*;
    use crate::domain::Secret;

    fn app() -> AppKey {
        AppKey {
            environment_id: Uuid::new_v4(),
            application_id: Uuid::new_v4(),
        }
    }

    fn hms(client_id: &str) -> PushCredential {
        let body = serde_json::json!({"type":"HMS","clientId":client_id,"clientSecret":"s"});
        crate::domain::parse_push_credential(body.as_object().unwrap(), Default::default()).unwrap()
    }

    #[test]
    fn a_second_credential_of_the_same_type_is_refused() {
        let store = Store::new();
        let app = app();
        store.create(app, hms("a"), Utc::now()).unwrap();
        assert_eq!(
            store.create(app, hms("b"), Utc::now()),
            Err(StoreError::DuplicateType(CredentialType::Hms))
        );
        store
            .create(
                app,
                PushCredential::legacy_fcm(Secret::new("k")),
                Utc::now(),
            )
            .unwrap();
        assert_eq!(store.list(app).len(), 2);
    }

    #[test]
    fn credentials_are_listed_in_creation_order_per_application() {
        let store = Store::new();
        let (one, other) = (app(), app());
        let first = store.create(one, hms("a"), Utc::now()).unwrap();
        let second = store
            .create(
                one,
                PushCredential::legacy_fcm(Secret::new("k")),
                Utc::now(),
            )
            .unwrap();
        store.create(other, hms("c"), Utc::now()).unwrap();
        let ids: Vec<Uuid> = store.list(one).iter().map(|view| view.id).collect();
        assert_eq!(ids, vec![first.id, second.id]);
    }

    #[test]
    fn replace_keeps_id_and_created_at_and_never_moves_updated_at_back() {
        let store = Store::new();
        let app = app();
        let now = Utc::now();
        let created = store.create(app, hms("a"), now).unwrap();
        let replaced = store
            .replace(app, created.id, hms("b"), now - Duration::hours(1))
            .unwrap();
        assert_eq!(
            (replaced.id, replaced.created_at),
            (created.id, created.created_at)
        );
        assert_eq!(replaced.updated_at, now);
        assert_eq!(replaced.client_id.as_deref(), Some("b"));
        let later = store
            .replace(app, created.id, hms("c"), now + Duration::seconds(1))
            .unwrap();
        assert_eq!(later.updated_at, now + Duration::seconds(1));
    }

    #[test]
    fn replace_refuses_a_type_change_and_an_unknown_id() {
        let store = Store::new();
        let app = app();
        let created = store.create(app, hms("a"), Utc::now()).unwrap();
        let legacy = PushCredential::legacy_fcm(Secret::new("k"));
        assert_eq!(
            store.replace(app, created.id, legacy, Utc::now()),
            Err(StoreError::TypeChanged(CredentialType::Hms))
        );
        assert_eq!(
            store.replace(app, Uuid::new_v4(), hms("b"), Utc::now()),
            Err(StoreError::NotFound)
        );
    }

    #[test]
    fn a_credential_is_only_found_through_its_own_application() {
        let store = Store::new();
        let (owner, stranger) = (app(), app());
        let created = store.create(owner, hms("a"), Utc::now()).unwrap();
        assert!(store.get(stranger, created.id).is_none());
        assert!(!store.delete(stranger, created.id));
        assert!(store.delete(owner, created.id));
        assert!(!store.delete(owner, created.id));
        assert!(store.get(owner, created.id).is_none());
    }
}
