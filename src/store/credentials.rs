//! Push-credential operations: one credential per type per native application.

use uuid::Uuid;

use super::{AppKey, Application, CredentialView, Store, StoreError, Stored};
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
    /// Adds a credential with a fresh id to a native application, unless it already has one of
    /// its type.
    pub fn create(
        &self,
        app: AppKey,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(app, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        let view = application.add(app, Uuid::new_v4(), credential, now)?;
        state.touch();
        Ok(view)
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
        let mut state = self.lock();
        let application = state
            .application(app, super::Tenancy::Auto, now)
            .ok_or(StoreError::NotFound)?;
        let view = application.add(app, id, credential, now)?;
        state.touch();
        Ok(view)
    }

    /// The application's credentials in creation order.
    pub fn list(&self, app: AppKey, now: Timestamp) -> Result<Vec<CredentialView>, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(app, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        Ok(application
            .credentials
            .iter()
            .map(|stored| stored.view(app))
            .collect())
    }

    /// One credential of the application.
    pub fn get(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<CredentialView, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(app, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        application
            .find(id)
            .map(|stored| stored.view(app))
            .ok_or(StoreError::NotFound)
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
            .application(app, self.tenancy, now)
            .and_then(|application| application.find_mut(id))
            .ok_or(StoreError::NotFound)?;
        let stored_type = stored.credential.credential_type();
        if credential.credential_type() != stored_type {
            return Err(StoreError::TypeChanged(stored_type));
        }
        stored.credential = credential;
        stored.updated_at = now.max(stored.updated_at);
        let view = stored.view(app);
        state.touch();
        Ok(view)
    }

    /// Removes a credential.
    pub fn delete(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<(), StoreError> {
        let mut state = self.lock();
        let application = state
            .application(app, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        if !application.credentials.remove(id) {
            return Err(StoreError::NotFound);
        }
        state.touch();
        Ok(())
    }
}
