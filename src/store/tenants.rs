//! Environments and applications: the parents of push credentials, and who may manage what.

use uuid::Uuid;

use super::Tenancy;
use super::{AppKey, Application, Attributes, Environment, State, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{APPLICATION_TYPES, ApplicationSpec, EnvironmentSpec, Secret, canonical};

/// An environment as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentView {
    /// The environment id.
    pub id: Uuid,
    /// Its attributes.
    pub spec: EnvironmentSpec,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last replaced.
    pub updated_at: Timestamp,
}

/// An application as the API shows it; its client secret stays in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationView {
    /// Where it lives.
    pub key: AppKey,
    /// Its attributes.
    pub spec: ApplicationSpec,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last replaced.
    pub updated_at: Timestamp,
}

/// Which environments a token from an environment may manage besides its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Grants {
    /// Only its own.
    #[default]
    Own,
    /// These as well.
    Some(Vec<Uuid>),
    /// Every environment.
    All,
}

/// Why client authentication at the token endpoint failed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// Unknown client, wrong secret, disabled, or no secret at all.
    #[error("client authentication failed")]
    InvalidClient,
    /// The client may not use the client-credentials grant.
    #[error("the client is not allowed the client_credentials grant")]
    UnauthorizedClient,
}

impl Environment {
    fn view(&self, id: Uuid) -> EnvironmentView {
        EnvironmentView {
            id,
            spec: self.spec.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl Application {
    fn view(&self, key: AppKey) -> ApplicationView {
        ApplicationView {
            key,
            spec: self.attributes.spec(key.application_id).into_owned(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl State {
    /// Drops every grant held by `manager` (an environment that is gone).
    pub(super) fn forget_manager(&mut self, manager: Uuid) {
        self.global_managers.remove(&manager);
        for environment in self.environments.values_mut() {
            environment.managers.remove(&manager);
        }
    }

    fn add_environment(
        &mut self,
        id: Uuid,
        spec: EnvironmentSpec,
        now: Timestamp,
    ) -> EnvironmentView {
        let seq = self.seq();
        self.touch();
        self.deleted_environments.remove(&id);
        let environment = Environment::new(seq, spec, now);
        let view = environment.view(id);
        self.environments.insert(id, environment);
        view
    }

    fn add_application(
        &mut self,
        key: AppKey,
        spec: ApplicationSpec,
        secret: Option<Secret>,
        tenancy: Tenancy,
        now: Timestamp,
    ) -> Result<ApplicationView, StoreError> {
        if self.environment(key.environment_id, tenancy, now).is_none() {
            return Err(StoreError::NotFound);
        }
        let seq = self.seq();
        self.touch();
        self.deleted_applications.remove(&key);
        let environment = self
            .environments
            .get_mut(&key.environment_id)
            .ok_or(StoreError::NotFound)?;
        let secret = if spec.has_client_secret() {
            Some(secret.unwrap_or_else(generate_secret))
        } else {
            None
        };
        let attributes = Attributes::new(spec, secret, key.application_id);
        let application = Application::new(seq, attributes, now);
        let view = application.view(key);
        environment
            .applications
            .insert(key.application_id, application);
        Ok(view)
    }
}

/// A client secret in the shape PingOne generates: 64 URL-safe characters.
pub(crate) fn generate_secret() -> Secret {
    let random = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    Secret::new(random)
}

impl Store {
    /// Creates an environment with a fresh id; tokens of `created_by` may manage it.
    pub fn create_environment(
        &self,
        spec: EnvironmentSpec,
        created_by: Option<Uuid>,
        now: Timestamp,
    ) -> EnvironmentView {
        let mut state = self.lock();
        let id = Uuid::new_v4();
        let view = state.add_environment(id, spec, now);
        if let (Some(creator), Some(environment)) = (created_by, state.environments.get_mut(&id)) {
            environment.managers.insert(creator);
        }
        view
    }

    /// Adds an environment with a given id (seed data), replacing any with that id.
    pub fn insert_environment(
        &self,
        id: Uuid,
        spec: EnvironmentSpec,
        now: Timestamp,
    ) -> EnvironmentView {
        self.lock().add_environment(id, spec, now)
    }

    /// Lets tokens of `manager` manage more environments (in `strict` tenancy).
    pub fn grant(&self, manager: Uuid, grants: &Grants) {
        let mut state = self.lock();
        match grants {
            Grants::Own => return,
            Grants::All => {
                state.global_managers.insert(manager);
            }
            Grants::Some(managed) => {
                for target in managed {
                    if let Some(environment) = state.environments.get_mut(target) {
                        environment.managers.insert(manager);
                    }
                }
            }
        }
        state.touch();
    }

    /// Every environment in creation order.
    pub fn list_environments(&self) -> Vec<EnvironmentView> {
        let state = self.lock();
        let mut environments: Vec<(u64, EnvironmentView)> = state
            .environments
            .iter()
            .map(|(id, environment)| (environment.seq, environment.view(*id)))
            .collect();
        environments.sort_by_key(|(seq, _)| *seq);
        environments.into_iter().map(|(_, view)| view).collect()
    }

    /// One environment (provisioned in `auto` tenancy).
    pub fn get_environment(&self, id: Uuid, now: Timestamp) -> Result<EnvironmentView, StoreError> {
        let mut state = self.lock();
        state
            .environment(id, self.tenancy, now)
            .map(|environment| environment.view(id))
            .ok_or(StoreError::NotFound)
    }

    /// Replaces an environment's attributes, keeping its id, `createdAt` and contents.
    pub fn replace_environment(
        &self,
        id: Uuid,
        spec: EnvironmentSpec,
        now: Timestamp,
    ) -> Result<EnvironmentView, StoreError> {
        let mut state = self.lock();
        let environment = state
            .environment(id, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        environment.spec = spec;
        environment.updated_at = now.max(environment.updated_at);
        let view = environment.view(id);
        state.touch();
        Ok(view)
    }

    /// Deletes an environment and everything in it; its id is not provisioned again.
    pub fn delete_environment(&self, id: Uuid) -> Result<(), StoreError> {
        let mut state = self.lock();
        state.environments.remove(&id).ok_or(StoreError::NotFound)?;
        state.deleted_environments.insert(id);
        state.forget_manager(id);
        state.touch();
        Ok(())
    }

    /// Creates an application with a fresh id; workers and services get a generated secret.
    pub fn create_application(
        &self,
        environment_id: Uuid,
        spec: ApplicationSpec,
        now: Timestamp,
    ) -> Result<ApplicationView, StoreError> {
        let mut state = self.lock();
        let key = AppKey {
            environment_id,
            application_id: Uuid::new_v4(),
        };
        state.add_application(key, spec, None, self.tenancy, now)
    }

    /// Adds an application with a given id and optional client secret (seed data), provisioning
    /// nothing: its environment must exist.
    pub fn insert_application(
        &self,
        key: AppKey,
        spec: ApplicationSpec,
        secret: Option<Secret>,
        now: Timestamp,
    ) -> Result<ApplicationView, StoreError> {
        let mut state = self.lock();
        state.add_application(key, spec, secret, Tenancy::Strict, now)
    }

    /// The environment's applications in creation order.
    pub fn list_applications(
        &self,
        environment_id: Uuid,
        now: Timestamp,
    ) -> Result<Vec<ApplicationView>, StoreError> {
        let mut state = self.lock();
        let environment = state
            .environment(environment_id, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        let mut applications: Vec<(u64, ApplicationView)> = environment
            .applications
            .iter()
            .map(|(id, application)| {
                (
                    application.seq,
                    application.view(AppKey {
                        environment_id,
                        application_id: *id,
                    }),
                )
            })
            .collect();
        applications.sort_by_key(|(seq, _)| *seq);
        Ok(applications.into_iter().map(|(_, view)| view).collect())
    }

    /// One application (provisioned as a native application in `auto` tenancy).
    pub fn get_application(
        &self,
        key: AppKey,
        now: Timestamp,
    ) -> Result<ApplicationView, StoreError> {
        let mut state = self.lock();
        state
            .application(key, self.tenancy, now)
            .map(|application| application.view(key))
            .ok_or(StoreError::NotFound)
    }

    /// Replaces an application's attributes; its type cannot change.
    pub fn replace_application(
        &self,
        key: AppKey,
        spec: ApplicationSpec,
        now: Timestamp,
    ) -> Result<ApplicationView, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(key, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        let current = application.attributes.spec(key.application_id);
        if current.application_type() != spec.application_type() {
            let current = canonical(&APPLICATION_TYPES, current.application_type());
            return Err(StoreError::ApplicationTypeChanged(current));
        }
        let spec = spec.keeping_create_only(&current);
        application.attributes.set_spec(spec, key.application_id);
        application.updated_at = now.max(application.updated_at);
        let view = application.view(key);
        state.touch();
        Ok(view)
    }

    /// Deletes an application and its push credentials; its id is not provisioned again.
    pub fn delete_application(&self, key: AppKey) -> Result<(), StoreError> {
        let mut state = self.lock();
        state
            .environments
            .get_mut(&key.environment_id)
            .and_then(|environment| environment.applications.swap_remove(&key.application_id))
            .ok_or(StoreError::NotFound)?;
        state.deleted_applications.insert(key);
        state.touch();
        Ok(())
    }

    /// The client secret of a worker or service application.
    pub fn application_secret(&self, key: AppKey, now: Timestamp) -> Result<Secret, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(key, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        application
            .attributes
            .client_secret()
            .cloned()
            .ok_or(StoreError::NoSecret)
    }

    /// Replaces the client secret of a worker or service application with a new one.
    pub fn regenerate_secret(&self, key: AppKey, now: Timestamp) -> Result<Secret, StoreError> {
        let mut state = self.lock();
        let application = state
            .application(key, self.tenancy, now)
            .ok_or(StoreError::NotFound)?;
        let stored = application
            .attributes
            .client_secret_mut()
            .ok_or(StoreError::NoSecret)?;
        let secret = generate_secret();
        *stored = secret.clone();
        state.touch();
        Ok(secret)
    }

    /// Authenticates a client of `environment_id` for the client-credentials grant.
    pub fn authenticate_client(
        &self,
        environment_id: Uuid,
        client_id: &str,
        secret: &str,
    ) -> Result<ApplicationView, ClientError> {
        let state = self.lock();
        let application_id = Uuid::try_parse(client_id).map_err(|_| ClientError::InvalidClient)?;
        let application = state
            .environments
            .get(&environment_id)
            .and_then(|environment| environment.applications.get(&application_id))
            .ok_or(ClientError::InvalidClient)?;
        let matches = application
            .attributes
            .client_secret()
            .is_some_and(|stored| constant_time_eq(stored.expose(), secret));
        let spec = application.attributes.spec(application_id);
        if !matches || !spec.is_enabled() {
            return Err(ClientError::InvalidClient);
        }
        if !spec.has_grant_type("CLIENT_CREDENTIALS") {
            return Err(ClientError::UnauthorizedClient);
        }
        Ok(application.view(AppKey {
            environment_id,
            application_id,
        }))
    }

    /// Whether a token issued by `token_environment` may act on `target`.
    ///
    /// In `auto` tenancy any environment's token manages every environment. In `strict`, a token
    /// manages its own environment, environments created with it, and what a seed grants.
    pub fn may_manage(&self, token_environment: Uuid, target: Uuid) -> bool {
        if self.tenancy == Tenancy::Auto || token_environment == target {
            return true;
        }
        let state = self.lock();
        state.global_managers.contains(&token_environment)
            || state
                .environments
                .get(&target)
                .is_some_and(|environment| environment.managers.contains(&token_environment))
    }
}

/// Compares secrets without an early exit on the first differing byte.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
