//! The in-memory store: environments hold applications, applications hold push credentials.
//!
//! The handle is cheap to clone; its lock never leaves this module and every method is
//! synchronous, so no guard can be held across an `.await`. Each operation reads and writes under
//! one guard. The tenancy mode decides what an unknown environment or application id means:
//! in `auto` it is provisioned on first use (unless it was deleted), in `strict` it is not found.
//!
//! Every change (auto-provisioning included) bumps a version number that watchers (the
//! state-file writer) can wait on: a write marks the state dirty under the guard, and the guard
//! announces it once released.

mod credentials;
mod snapshot;
mod tenants;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::hash_map;
use std::collections::{HashMap, HashSet};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::{IndexMap, map as index_map};
use tokio::sync::watch;
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::domain::{ApplicationSpec, CredentialType, EnvironmentSpec, PushCredential, Secret};
use clap::ValueEnum;

pub use snapshot::{ApplicationRecord, CredentialRecord, EnvironmentRecord, Removed, Snapshot};
pub use tenants::{ApplicationView, ClientError, EnvironmentView, Grants};
pub(crate) use tenants::{constant_time_eq, generate_secret};

/// What happens to environment and application ids the server has not seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Tenancy {
    /// Unknown ids are provisioned on first use: an environment holding a native application.
    #[default]
    Auto,
    /// Unknown environments and applications are 404 `NOT_FOUND`, as in PingOne.
    Strict,
}

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

/// Why an operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No such environment, application or credential.
    #[error("not found")]
    NotFound,
    /// The application already has a credential of this type.
    #[error("the application already has a {} push credential", .0.as_str())]
    DuplicateType(CredentialType),
    /// A replace tried to change the credential's type.
    #[error("a {} push credential cannot change type", .0.as_str())]
    TypeChanged(CredentialType),
    /// Push credentials belong to native applications only.
    #[error("the application is not a native application")]
    NotNativeApp,
    /// A replace tried to change the application's type.
    #[error("an application cannot change type")]
    ApplicationTypeChanged(&'static str),
    /// The application has no client secret (it is not a worker or service).
    #[error("the application has no client secret")]
    NoSecret,
    /// A restored snapshot names one id twice.
    #[error("the id {0} appears more than once")]
    DuplicateId(Uuid),
    /// The database store cannot be reached (503: the client retries).
    #[error("the database is unavailable")]
    Unavailable,
}

/// A cloneable handle to the shared state.
#[derive(Clone, Debug)]
pub struct Store {
    state: Arc<Mutex<State>>,
    tenancy: Tenancy,
    /// The number of changes so far; receivers are woken on each one.
    version: Arc<watch::Sender<u64>>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            tenancy: Tenancy::default(),
            version: Arc::new(watch::Sender::new(0)),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Set by every write; the guard clears it and announces the change when released.
    dirty: bool,
    environments: HashMap<Uuid, Environment>,
    /// Ids deleted over the API: `auto` tenancy does not bring them back.
    deleted_environments: HashSet<Uuid>,
    deleted_applications: HashSet<AppKey>,
    /// Environments whose tokens may manage every environment (`"manages": ["*"]` in a seed).
    global_managers: HashSet<Uuid>,
    /// Orders listings by creation.
    next_seq: u64,
}

#[derive(Debug)]
struct Environment {
    seq: u64,
    spec: EnvironmentSpec,
    created_at: Timestamp,
    updated_at: Timestamp,
    /// Other environments whose tokens may manage this one (besides its own).
    managers: HashSet<Uuid>,
    applications: Applications,
}

/// An environment's applications, in [`Applications::SHARDS`] index maps picked by the id.
///
/// Index maps rather than hash maps for their small slots: the hash table holds positions
/// (8 bytes each) and the applications sit in one dense vector, where a table holding the
/// applications themselves pays for its free slots too (up to half of them). Several rather
/// than one because a map that outgrows its room reallocates and rehashes everything it holds,
/// under the store's lock: with a million applications in one map that held every call for up
/// to 145 ms; a shard holds a sixty-fourth of them. The order
/// is not the listing order: a delete moves a shard's last application into the gap; listings
/// sort by seq.
#[derive(Debug)]
struct Applications([IndexMap<Uuid, Application>; Applications::SHARDS]);

impl Default for Applications {
    fn default() -> Self {
        Self(std::array::from_fn(|_| IndexMap::new()))
    }
}

impl Applications {
    const SHARDS: usize = 64;

    fn shard(id: &Uuid) -> usize {
        // The low bits of the id: random in version 4 ids, and the counting part of ids
        // that count.
        (id.as_u128() % Self::SHARDS as u128) as usize
    }

    fn get(&self, id: &Uuid) -> Option<&Application> {
        self.0[Self::shard(id)].get(id)
    }

    fn entry(&mut self, id: Uuid) -> index_map::Entry<'_, Uuid, Application> {
        self.0[Self::shard(&id)].entry(id)
    }

    fn insert(&mut self, id: Uuid, application: Application) -> Option<Application> {
        self.0[Self::shard(&id)].insert(id, application)
    }

    fn swap_remove(&mut self, id: &Uuid) -> Option<Application> {
        self.0[Self::shard(id)].swap_remove(id)
    }

    fn len(&self) -> usize {
        self.0.iter().map(IndexMap::len).sum()
    }

    fn iter(&self) -> impl Iterator<Item = (&Uuid, &Application)> + Clone {
        self.0.iter().flatten()
    }

    fn values(&self) -> impl Iterator<Item = &Application> {
        self.0.iter().flat_map(IndexMap::values)
    }
}

#[derive(Debug)]
struct Application {
    seq: u64,
    attributes: Attributes,
    created_at: Timestamp,
    updated_at: Timestamp,
    credentials: Credentials,
}

/// An application's attributes and client secret. Every auto-provisioned application has the
/// same attributes but for the id in its name, and no secret, so those store nothing: with a
/// million applications, a stored copy each (three small heap strings and a vector) was a third
/// of the process's memory.
#[derive(Debug)]
enum Attributes {
    /// [`ApplicationSpec::auto_provisioned`] for the application's id.
    AutoProvisioned,
    /// Anything else: given over the API, in a seed or a state file.
    Given(Box<Given>),
}

/// What an application that was not auto-provisioned holds besides the common fields.
#[derive(Debug)]
struct Given {
    spec: ApplicationSpec,
    /// Workers and services have one; the other types never do.
    client_secret: Option<Secret>,
}

impl Attributes {
    /// `spec` and `client_secret` for the application `id`, stored compactly when they are the
    /// auto-provisioned ones.
    fn new(spec: ApplicationSpec, client_secret: Option<Secret>, id: Uuid) -> Self {
        if client_secret.is_none() && spec == ApplicationSpec::auto_provisioned(id) {
            Self::AutoProvisioned
        } else {
            Self::Given(Box::new(Given {
                spec,
                client_secret,
            }))
        }
    }

    /// The attributes of the application `id`.
    fn spec(&self, id: Uuid) -> Cow<'_, ApplicationSpec> {
        match self {
            Self::AutoProvisioned => Cow::Owned(ApplicationSpec::auto_provisioned(id)),
            Self::Given(given) => Cow::Borrowed(&given.spec),
        }
    }

    /// Replaces the attributes of the application `id`, keeping its client secret.
    fn set_spec(&mut self, spec: ApplicationSpec, id: Uuid) {
        let client_secret = match std::mem::replace(self, Self::AutoProvisioned) {
            Self::AutoProvisioned => None,
            Self::Given(given) => given.client_secret,
        };
        *self = Self::new(spec, client_secret, id);
    }

    fn client_secret(&self) -> Option<&Secret> {
        match self {
            Self::AutoProvisioned => None,
            Self::Given(given) => given.client_secret.as_ref(),
        }
    }

    fn client_secret_mut(&mut self) -> Option<&mut Secret> {
        match self {
            Self::AutoProvisioned => None,
            Self::Given(given) => given.client_secret.as_mut(),
        }
    }

    fn is_native(&self) -> bool {
        match self {
            Self::AutoProvisioned => true,
            Self::Given(given) => given.spec.is_native(),
        }
    }
}

/// An application's push credentials in creation order, at most one per type, so a linear scan
/// is a handful of comparisons. Exactly as many as there are: a vector would make room for four
/// on the first push, most applications hold one.
#[derive(Debug, Default)]
struct Credentials(Box<[Stored]>);

impl Credentials {
    fn push(&mut self, stored: Stored) {
        let mut all = Vec::with_capacity(self.0.len() + 1);
        all.extend(std::mem::take(&mut self.0));
        all.push(stored);
        self.0 = all.into_boxed_slice();
    }

    /// Removes the credential `id`; says whether it was there.
    fn remove(&mut self, id: Uuid) -> bool {
        let Some(index) = self.0.iter().position(|stored| stored.id == id) else {
            return false;
        };
        let mut all = std::mem::take(&mut self.0).into_vec();
        all.remove(index);
        self.0 = all.into_boxed_slice();
        true
    }
}

impl Deref for Credentials {
    type Target = [Stored];

    fn deref(&self) -> &[Stored] {
        &self.0
    }
}

impl DerefMut for Credentials {
    fn deref_mut(&mut self) -> &mut [Stored] {
        &mut self.0
    }
}

#[derive(Debug)]
struct Stored {
    id: Uuid,
    created_at: Timestamp,
    updated_at: Timestamp,
    credential: PushCredential,
}

impl Store {
    /// An empty store in `auto` tenancy.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store with the given tenancy mode.
    pub fn with_tenancy(tenancy: Tenancy) -> Self {
        Self {
            tenancy,
            ..Self::default()
        }
    }

    /// The tenancy mode.
    pub fn tenancy(&self) -> Tenancy {
        self.tenancy
    }

    /// A receiver woken after every change, whose value counts the changes so far.
    pub fn watch_changes(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    fn lock(&self) -> Guard<'_> {
        // Every write is a single insert, assignment or removal, so a panic elsewhere cannot leave
        // a half-written record behind: a poisoned lock is still consistent.
        let state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Guard {
            state: Some(state),
            version: &self.version,
        }
    }
}

/// The store's lock guard: once released, it announces a change if the state was written.
struct Guard<'a> {
    state: Option<MutexGuard<'a, State>>,
    version: &'a watch::Sender<u64>,
}

impl Deref for Guard<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        self.state.as_deref().expect("present until dropped")
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        self.state.as_deref_mut().expect("present until dropped")
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        let Some(mut state) = self.state.take() else {
            return;
        };
        let changed = std::mem::take(&mut state.dirty);
        // Release the lock first: a woken watcher may want it.
        drop(state);
        if changed {
            self.version.send_modify(|version| *version += 1);
        }
    }
}

impl State {
    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Marks the state as changed; the guard announces it.
    fn touch(&mut self) {
        self.dirty = true;
    }

    /// The environment, provisioned first in `auto` tenancy if it was never seen.
    fn environment(
        &mut self,
        id: Uuid,
        tenancy: Tenancy,
        now: Timestamp,
    ) -> Option<&mut Environment> {
        let Self {
            environments,
            deleted_environments,
            next_seq,
            dirty,
            ..
        } = self;
        provisioned_environment(
            environments,
            deleted_environments,
            next_seq,
            dirty,
            id,
            tenancy,
            now,
        )
    }

    /// The application, provisioned first (with its environment) in `auto` tenancy if never seen.
    ///
    /// Every call reads through here, so a known application costs two hash lookups: the
    /// deleted-ids sets are only consulted for ids that are not there.
    fn application(
        &mut self,
        key: AppKey,
        tenancy: Tenancy,
        now: Timestamp,
    ) -> Option<&mut Application> {
        let Self {
            environments,
            deleted_environments,
            deleted_applications,
            next_seq,
            dirty,
            ..
        } = self;
        let environment = provisioned_environment(
            environments,
            deleted_environments,
            next_seq,
            dirty,
            key.environment_id,
            tenancy,
            now,
        )?;
        match environment.applications.entry(key.application_id) {
            index_map::Entry::Occupied(entry) => Some(entry.into_mut()),
            index_map::Entry::Vacant(entry) => {
                if tenancy != Tenancy::Auto || deleted_applications.contains(&key) {
                    return None;
                }
                *next_seq += 1;
                *dirty = true;
                let attributes = Attributes::AutoProvisioned;
                Some(entry.insert(Application::new(*next_seq, attributes, now)))
            }
        }
    }
}

/// [`State::environment`] over the fields it needs, so that a caller can hold the others.
fn provisioned_environment<'a>(
    environments: &'a mut HashMap<Uuid, Environment>,
    deleted: &HashSet<Uuid>,
    next_seq: &mut u64,
    dirty: &mut bool,
    id: Uuid,
    tenancy: Tenancy,
    now: Timestamp,
) -> Option<&'a mut Environment> {
    match environments.entry(id) {
        hash_map::Entry::Occupied(entry) => Some(entry.into_mut()),
        hash_map::Entry::Vacant(entry) => {
            if tenancy != Tenancy::Auto || deleted.contains(&id) {
                return None;
            }
            *next_seq += 1;
            *dirty = true;
            let spec = EnvironmentSpec::auto_provisioned(id);
            Some(entry.insert(Environment::new(*next_seq, spec, now)))
        }
    }
}

impl Environment {
    fn new(seq: u64, spec: EnvironmentSpec, now: Timestamp) -> Self {
        Self {
            seq,
            spec,
            created_at: now,
            updated_at: now,
            managers: HashSet::new(),
            applications: Applications::default(),
        }
    }
}

impl Application {
    fn new(seq: u64, attributes: Attributes, now: Timestamp) -> Self {
        Self {
            seq,
            attributes,
            created_at: now,
            updated_at: now,
            credentials: Credentials::default(),
        }
    }
}
