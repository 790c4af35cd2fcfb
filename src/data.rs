//! Where the state is: in this process's memory ([`Store`] with the clock, journal and fault
//! rules beside it) or in PostgreSQL ([`Database`]), shared by every replica. Handlers ask
//! [`Data`] and do not know which.
//!
//! Every method is `async`; the memory arm never waits, so a caller that must answer at once
//! (the push-credential calls answered before routing) can take the answer at the first poll.

use serde_json::Value;
use uuid::Uuid;

use crate::clock::{Clock, ClockSetting, Timestamp};
use crate::database::{ClientAuthError, Database};
use crate::domain::{ApplicationSpec, EnvironmentSpec, PushCredential, Secret};
use crate::faults::{Faults, RuleSpec};
use crate::journal::{Entry, Filter, Journal};
use crate::store::{
    AppKey, ApplicationView, CredentialView, EnvironmentView, Removed, Snapshot, Store, StoreError,
};

type Result<T> = std::result::Result<T, StoreError>;

/// The state of one server, wherever it is kept.
#[derive(Clone, Copy, Debug)]
pub struct Data<'a> {
    /// The memory side: used when there is no database.
    pub(crate) memory: Memory<'a>,
    /// The database, when the state is there.
    pub(crate) database: Option<&'a Database>,
}

/// What the memory store keeps besides the data; the clock is also each replica's copy of the
/// database's setting.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Memory<'a> {
    pub(crate) store: &'a Store,
    pub(crate) clock: &'a Clock,
    pub(crate) faults: &'a Faults,
    pub(crate) journal: &'a Journal,
}

impl Memory<'_> {
    fn store(&self) -> &Store {
        self.store
    }

    fn clock(&self) -> &Clock {
        self.clock
    }

    fn faults(&self) -> &Faults {
        self.faults
    }

    fn journal(&self) -> &Journal {
        self.journal
    }
}

/// Both arms of every method: the memory store's call, or the database's future awaited.
///
/// The database's future is boxed: held inline, its size (kilobytes of sqlx state) made every
/// memory-store call's future as large, and moving those cost the memory store: against the
/// round's first build (`bench/ab.sh`), creates went from 0.90-0.93 to 0.94-0.95 and reads from
/// 0.93-0.95 to 0.96 when it was boxed.
macro_rules! either {
    ($data:expr, memory: $memory:ident => $on_memory:expr, database: $database:ident => $on_database:expr $(,)?) => {
        match $data.database {
            None => {
                let $memory = $data.memory;
                $on_memory
            }
            Some($database) => Box::pin($on_database).await,
        }
    };
}

impl Data<'_> {
    // Push credentials.

    pub async fn create(
        &self,
        app: AppKey,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView> {
        either!(self,
            memory: state => state.store().create(app, credential, now),
            database: db => db.create(app, credential, now))
    }

    pub async fn list(&self, app: AppKey, now: Timestamp) -> Result<Vec<CredentialView>> {
        either!(self,
            memory: state => state.store().list(app, now),
            database: db => db.list(app, now))
    }

    pub async fn get(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<CredentialView> {
        either!(self,
            memory: state => state.store().get(app, id, now),
            database: db => db.get(app, id, now))
    }

    pub async fn replace(
        &self,
        app: AppKey,
        id: Uuid,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView> {
        either!(self,
            memory: state => state.store().replace(app, id, credential, now),
            database: db => db.replace(app, id, credential, now))
    }

    pub async fn delete(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<()> {
        either!(self,
            memory: state => state.store().delete(app, id, now),
            database: db => db.delete(app, id, now))
    }

    // Environments.

    pub async fn create_environment(
        &self,
        spec: EnvironmentSpec,
        created_by: Option<Uuid>,
        now: Timestamp,
    ) -> Result<EnvironmentView> {
        either!(self,
            memory: state => Ok(state.store().create_environment(spec, created_by, now)),
            database: db => db.create_environment(spec, created_by, now))
    }

    pub async fn list_environments(&self) -> Result<Vec<EnvironmentView>> {
        either!(self,
            memory: state => Ok(state.store().list_environments()),
            database: db => db.list_environments())
    }

    pub async fn get_environment(&self, id: Uuid, now: Timestamp) -> Result<EnvironmentView> {
        either!(self,
            memory: state => state.store().get_environment(id, now),
            database: db => db.get_environment(id, now))
    }

    pub async fn replace_environment(
        &self,
        id: Uuid,
        spec: EnvironmentSpec,
        now: Timestamp,
    ) -> Result<EnvironmentView> {
        either!(self,
            memory: state => state.store().replace_environment(id, spec, now),
            database: db => db.replace_environment(id, spec, now))
    }

    pub async fn delete_environment(&self, id: Uuid) -> Result<()> {
        either!(self,
            memory: state => state.store().delete_environment(id),
            database: db => db.delete_environment(id))
    }

    pub async fn may_manage(&self, token_environment: Uuid, target: Uuid) -> Result<bool> {
        either!(self,
            memory: state => Ok(state.store().may_manage(token_environment, target)),
            database: db => db.may_manage(token_environment, target))
    }

    // Applications.

    pub async fn create_application(
        &self,
        environment_id: Uuid,
        spec: ApplicationSpec,
        now: Timestamp,
    ) -> Result<ApplicationView> {
        either!(self,
            memory: state => state.store().create_application(environment_id, spec, now),
            database: db => db.create_application(environment_id, spec, now))
    }

    pub async fn list_applications(
        &self,
        environment_id: Uuid,
        now: Timestamp,
    ) -> Result<Vec<ApplicationView>> {
        either!(self,
            memory: state => state.store().list_applications(environment_id, now),
            database: db => db.list_applications(environment_id, now))
    }

    pub async fn get_application(&self, key: AppKey, now: Timestamp) -> Result<ApplicationView> {
        either!(self,
            memory: state => state.store().get_application(key, now),
            database: db => db.get_application(key, now))
    }

    pub async fn replace_application(
        &self,
        key: AppKey,
        spec: ApplicationSpec,
        now: Timestamp,
    ) -> Result<ApplicationView> {
        either!(self,
            memory: state => state.store().replace_application(key, spec, now),
            database: db => db.replace_application(key, spec, now))
    }

    pub async fn delete_application(&self, key: AppKey) -> Result<()> {
        either!(self,
            memory: state => state.store().delete_application(key),
            database: db => db.delete_application(key))
    }

    pub async fn application_secret(&self, key: AppKey, now: Timestamp) -> Result<Secret> {
        either!(self,
            memory: state => state.store().application_secret(key, now),
            database: db => db.application_secret(key, now))
    }

    pub async fn regenerate_secret(&self, key: AppKey, now: Timestamp) -> Result<Secret> {
        either!(self,
            memory: state => state.store().regenerate_secret(key, now),
            database: db => db.regenerate_secret(key, now))
    }

    pub async fn authenticate_client(
        &self,
        environment_id: Uuid,
        client_id: &str,
        secret: &str,
    ) -> std::result::Result<ApplicationView, ClientAuthError> {
        either!(self,
            memory: state => state
                .store()
                .authenticate_client(environment_id, client_id, secret)
                .map_err(ClientAuthError::Client),
            database: db => db.authenticate_client(environment_id, client_id, secret))
    }

    // The whole state.

    pub async fn snapshot(&self) -> Result<Snapshot> {
        either!(self,
            memory: state => Ok(state.store().snapshot()),
            database: db => db.snapshot())
    }

    pub async fn restore(&self, snapshot: Snapshot) -> Result<Removed> {
        either!(self,
            memory: state => state.store().restore(snapshot),
            database: db => db.restore(snapshot))
    }

    pub async fn clear(&self) -> Result<Removed> {
        either!(self,
            memory: state => Ok(state.store().clear()),
            database: db => db.clear())
    }

    pub async fn remove_environment(&self, environment_id: Uuid) -> Result<Removed> {
        either!(self,
            memory: state => Ok(state.store().remove_environment(environment_id)),
            database: db => db.remove_environment(environment_id))
    }

    // Test control.

    pub async fn clock(&self) -> Result<ClockSetting> {
        either!(self,
        memory: state => Ok(state.clock().setting()),
        database: db => async move {
            let setting = db.control().await?.clock;
            self.memory.clock().set(setting);
            Ok(setting)
        })
    }

    pub async fn set_clock(&self, setting: ClockSetting) -> Result<()> {
        self.memory.clock().set(setting);
        either!(self,
            memory: _state => Ok(()),
            database: db => db.set_clock(setting))
    }

    pub async fn add_fault(&self, spec: RuleSpec) -> Result<Value> {
        either!(self,
            memory: state => Ok(state.faults().add(spec)),
            database: db => db.add_fault(&spec))
    }

    pub async fn faults(&self) -> Result<Vec<Value>> {
        either!(self,
            memory: state => Ok(state.faults().list()),
            database: db => db.faults())
    }

    pub async fn remove_fault(&self, id: Uuid) -> Result<bool> {
        either!(self,
            memory: state => Ok(state.faults().remove(id)),
            database: db => db.remove_fault(id))
    }

    pub async fn clear_faults(&self) -> Result<()> {
        either!(self,
            memory: state => {
                state.faults().clear();
                Ok(())
            },
            database: db => db.clear_faults())
    }

    pub async fn journal(&self, filter: &Filter) -> Result<Vec<Entry>> {
        either!(self,
            memory: state => Ok(state.journal().entries(filter)),
            database: db => db.entries(filter))
    }

    pub async fn clear_journal(&self) -> Result<()> {
        either!(self,
            memory: state => {
                state.journal().clear();
                Ok(())
            },
            database: db => db.clear_journal())
    }
}
