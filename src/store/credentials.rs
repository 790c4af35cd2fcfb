//! Push-credential operations: one credential per type per native application.

use uuid::Uuid;

use super::{AppKey, Application, CredentialView, Store, StoreError, Stored, Tenancy};
use crate::clock::Timestamp;
use crate::domain::PushCredential;

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

impl Application {
    fn find(&self, id: Uuid) -> Option<&Stored> {
        self.credentials.iter().find(|stored| stored.id == id)
    }

    fn find_mut(&mut self, id: Uuid) -> Option<&mut Stored> {
        self.credentials.iter_mut().find(|stored| stored.id == id)
    }

    fn add(
        &mut self,
        app: AppKey,
        id: Uuid,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        if !self.attributes.is_native() {
            return Err(StoreError::NotNativeApp);
        }
        let ty = credential.credential_type();
        if self
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
        self.credentials.push(stored);
        Ok(view)
    }
}

impl Store {
    /// Runs `read` on the application under the store's lock; 404 when there is none.
    fn read_application<T>(
        &self,
        app: AppKey,
        now: Timestamp,
        read: impl FnOnce(&mut Application) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut state = self.lock();
        read(
            state
                .application(app, self.tenancy, now)
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Runs `change` on the application under the store's lock (provisioned as `tenancy` says;
    /// 404 when there is none), and marks the state changed when it succeeds.
    fn change_application<T>(
        &self,
        app: AppKey,
        tenancy: Tenancy,
        now: Timestamp,
        change: impl FnOnce(&mut Application) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(app, tenancy, now)
            .ok_or(StoreError::NotFound)?;
        let changed = change(application)?;
        state.touch();
        Ok(changed)
    }

    /// Adds a credential with a fresh id to a native application, unless it already has one of
    /// its type.
    pub fn create(
        &self,
        app: AppKey,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        self.change_application(app, self.tenancy, now, |application| {
            application.add(app, Uuid::new_v4(), credential, now)
        })
    }

    /// Adds a credential with a given id (seed data, legacy records), provisioning its
    /// environment and application if needed, with the same rules as [`Store::create`].
    pub fn insert(
        &self,
        app: AppKey,
        id: Uuid,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        self.change_application(app, Tenancy::Auto, now, |application| {
            application.add(app, id, credential, now)
        })
    }

    /// The application's credentials in creation order.
    pub fn list(&self, app: AppKey, now: Timestamp) -> Result<Vec<CredentialView>, StoreError> {
        self.read_application(app, now, |application| {
            Ok(application
                .credentials
                .iter()
                .map(|stored| stored.view(app))
                .collect())
        })
    }

    /// One credential of the application.
    pub fn get(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<CredentialView, StoreError> {
        self.read_application(app, now, |application| {
            application
                .find(id)
                .map(|stored| stored.view(app))
                .ok_or(StoreError::NotFound)
        })
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
        self.change_application(app, self.tenancy, now, |application| {
            let stored = application.find_mut(id).ok_or(StoreError::NotFound)?;
            let stored_type = stored.credential.credential_type();
            if credential.credential_type() != stored_type {
                return Err(StoreError::TypeChanged(stored_type));
            }
            stored.credential = credential;
            stored.updated_at = now.max(stored.updated_at);
            Ok(stored.view(app))
        })
    }

    /// Removes a credential.
    pub fn delete(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<(), StoreError> {
        self.change_application(app, self.tenancy, now, |application| {
            if application.credentials.remove(id) {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })
    }
}
