//! The state every request reaches: the store, the settings fixed at start, the clock, the
//! journal, the fault rules, the token authority, and what the HTTPS listener presents.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::{AuthMode, Config, StoreLocation};
use crate::data::{Data, Memory};
use crate::database::{ConnectError, Database};
use crate::domain::{ParseOptions, Secret};
use crate::faults::Faults;
use crate::journal::Journal;
use crate::seed::{self, Seed, SeedError};
use crate::store::{Store, Tenancy};
use crate::tls::{Identity, TlsError};
use crate::tokens::TokenAuthority;

/// The settings handlers read, fixed at start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Authentication of `/v1` calls.
    pub auth: AuthMode,
    /// Whether unknown environments and applications are provisioned.
    pub tenancy: Tenancy,
    /// Base for `href`s, if configured.
    pub public_url: Option<String>,
    /// What request bodies may contain.
    pub parse_options: ParseOptions,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// How long a request may take, body included.
    pub request_timeout: Duration,
    /// Who may use `/__admin`.
    pub admin: AdminAccess,
    /// Whether a listener is on an address other than loopback: then an open admin API hands
    /// out no secrets.
    pub exposed: bool,
    /// The state file, if persistence is on.
    pub state_file: Option<PathBuf>,
}

/// Who may use the `/__admin` endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminAccess {
    /// They are not served.
    Disabled,
    /// Anyone who can reach the port.
    Open,
    /// Callers presenting `Authorization: Bearer <token>`.
    Token(Secret),
}

impl Settings {
    /// The settings of `config`, with the admin token it names already read.
    fn new(config: &Config, admin_token: Option<Secret>) -> Self {
        Self {
            auth: config.auth,
            tenancy: config.tenancy,
            public_url: config.public_url.clone(),
            parse_options: ParseOptions {
                allow_legacy_fcm: config.allow_legacy_fcm,
                reject_unknown_fields: config.reject_unknown_fields,
            },
            header_timeout: Duration::from_millis(config.header_timeout_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
            admin: match (admin_token, config.no_admin) {
                (_, true) => AdminAccess::Disabled,
                (Some(token), false) => AdminAccess::Token(token),
                (None, false) => AdminAccess::Open,
            },
            exposed: listen_addresses(config).any(|address| !address.ip().is_loopback()),
            state_file: config.state_file.clone(),
        }
    }
}

/// The addresses `config` listens on (for [`crate::MockServer`], the ones it would).
fn listen_addresses(config: &Config) -> impl Iterator<Item = std::net::SocketAddr> {
    (!config.no_http)
        .then_some(config.listen)
        .into_iter()
        .chain(config.tls_listen)
}

impl Settings {
    /// The start-up warning an open admin API on a shared network deserves, if it does.
    pub fn admin_warning(&self) -> Option<&'static str> {
        (self.exposed && self.admin == AdminAccess::Open).then_some(
            "the admin API (/__admin: reset, state import, fault injection) is open to anyone \
             who can reach this emulator, which listens on an address other than loopback; \
             secrets are withheld from GET /__admin/state. Set --admin-token-file or \
             --admin-token (PINGONE_MOCK_ADMIN_TOKEN_FILE, PINGONE_MOCK_ADMIN_TOKEN) to close it, \
             or --no-admin to remove it.",
        )
    }
}

/// Everything a handler can reach; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    /// The shared state, with `--store postgres://…`; then `store` stays empty.
    database: Option<Database>,
    settings: Settings,
    clock: Clock,
    journal: Journal,
    faults: Faults,
    tokens: TokenAuthority,
    /// The `--seed-file` state, which a reset restores.
    seed: Option<Seed>,
    ready: AtomicBool,
    /// `false` while the state file is being loaded: API calls wait for it.
    loaded: watch::Sender<bool>,
    /// The same, read on every call without the channel's lock, whose reader count every
    /// call would otherwise bounce between the cores.
    is_loaded: AtomicBool,
    /// `GET /openapi.json`, serialized when first asked for.
    openapi: OnceLock<Bytes>,
    /// What the HTTPS listener presents, when there is one.
    tls: Option<Identity>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The signing key file could not be read or used.
    #[error("--signing-key {path}: {reason}")]
    SigningKey {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The seed file could not be read, parsed or validated.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The admin token file could not be read or holds no usable token.
    #[error("--admin-token-file {path}: {reason}")]
    AdminTokenFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The HTTPS certificate or key could not be loaded or made.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The listening socket could not be bound.
    #[error("cannot listen: {0}")]
    Bind(#[from] std::io::Error),
    /// The database store could not be used.
    #[error(transparent)]
    Database(#[from] ConnectError),
    /// `--state-file` names a second place for a state kept in a database.
    #[error(
        "--state-file cannot be used with a database store: the database keeps the state \
         (export it with GET /__admin/state?includeSecrets=true)"
    )]
    StateFileWithDatabase,
    /// `AppState::new` or `try_new` was given a database store, which needs `AppState::start`.
    #[error("a database store is connected by AppState::start (or MockServer, or the binary)")]
    DatabaseNeedsStart,
}

impl AppState {
    /// A state built from `config`, its database connected and migrated when it names one:
    /// signing key and seed file loaded, not ready until [`AppState::set_ready`].
    ///
    /// With a database, the seed file is loaded into a database that never had one, so that
    /// replicas restarting later do not wipe what clients stored since; and replicas started
    /// without `--signing-key` share the key the first of them stored.
    pub async fn start(config: &Config) -> Result<Self, StartupError> {
        let StoreLocation::Postgres(url) = &config.store else {
            return Self::try_new(config);
        };
        if config.state_file.is_some() {
            return Err(StartupError::StateFileWithDatabase);
        }
        let wait = Duration::from_millis(config.store_wait_ms);
        let database =
            Database::connect(url.expose(), config.tenancy, config.journal_size, wait).await?;
        let unusable = |_| ConnectError::Unusable {
            target: "the database".to_owned(),
            reason: "it stopped answering during start-up".to_owned(),
        };
        let tokens = match &config.signing_key {
            Some(_) => None,
            None => {
                let pem = database
                    .signing_key(TokenAuthority::generate_pem)
                    .await
                    .map_err(unusable)?;
                Some(
                    TokenAuthority::from_pem(&pem).map_err(|error| StartupError::SigningKey {
                        path: "(stored in the database)".to_owned(),
                        reason: error.to_string(),
                    })?,
                )
            }
        };
        let state = Self::build(config, Some(database.clone()), tokens)?;
        if let Some(seed) = state.seed()
            && database.claim_seeding().await.map_err(unusable)?
        {
            let snapshot = seed.snapshot(state.clock().now());
            database.restore(snapshot).await.map_err(unusable)?;
        }
        Ok(state)
    }

    /// A state built from `config`, for the memory store: signing key and seed file loaded,
    /// not ready until [`AppState::set_ready`]. A database store needs [`AppState::start`].
    pub fn try_new(config: &Config) -> Result<Self, StartupError> {
        if config.store != StoreLocation::Memory {
            return Err(StartupError::DatabaseNeedsStart);
        }
        Self::build(config, None, None)
    }

    fn build(
        config: &Config,
        database: Option<Database>,
        shared_tokens: Option<TokenAuthority>,
    ) -> Result<Self, StartupError> {
        let tokens = match (&config.signing_key, shared_tokens) {
            (None, Some(shared)) => shared,
            (None, None) => TokenAuthority::generated(),
            (Some(path), _) => {
                let failed = |reason: String| StartupError::SigningKey {
                    path: path.display().to_string(),
                    reason,
                };
                let pem =
                    std::fs::read_to_string(path).map_err(|error| failed(error.to_string()))?;
                TokenAuthority::from_pem(&pem).map_err(|error| failed(error.to_string()))?
            }
        };
        let tls = config
            .tls_listen
            .map(|_| Identity::load(config))
            .transpose()?;
        let admin_token = match (&config.admin_token, &config.admin_token_file) {
            (Some(token), _) => Some(token.clone()),
            (None, Some(path)) => Some(read_admin_token(path)?),
            (None, None) => None,
        };
        let store = Store::with_tenancy(config.tenancy);
        let clock = Clock::new();
        let seed = config
            .seed_file
            .as_deref()
            .map(seed::load_file)
            .transpose()?;
        if let (Some(seed), None) = (&seed, &database) {
            seed.apply(&store, clock.now());
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                database,
                settings: Settings::new(config, admin_token),
                clock,
                journal: Journal::new(config.journal_size),
                faults: Faults::new(),
                tokens,
                seed,
                ready: AtomicBool::new(false),
                loaded: watch::Sender::new(true),
                is_loaded: AtomicBool::new(true),
                openapi: OnceLock::new(),
                tls,
            }),
        })
    }

    /// A state built from `config`, for callers that know its files load.
    ///
    /// # Panics
    /// If `config` names a signing key or seed file that cannot be loaded; use
    /// [`AppState::try_new`] for those.
    pub fn new(config: &Config) -> Self {
        Self::try_new(config).unwrap_or_else(|error| panic!("{error}"))
    }

    /// The `--seed-file` state, if one was given: a reset restores it.
    pub fn seed(&self) -> Option<&Seed> {
        self.inner.seed.as_ref()
    }

    /// The token authority that signs and verifies access tokens.
    pub fn tokens(&self) -> &TokenAuthority {
        &self.inner.tokens
    }

    /// What the HTTPS listener presents (`--tls-listen`), if there is one.
    pub fn tls(&self) -> Option<&Identity> {
        self.inner.tls.as_ref()
    }

    /// The memory store (empty when the state is in a database: see [`AppState::data`]).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The state, wherever it is kept.
    pub fn data(&self) -> Data<'_> {
        let inner = &self.inner;
        Data {
            memory: Memory {
                store: &inner.store,
                clock: &inner.clock,
                faults: &inner.faults,
                journal: &inner.journal,
            },
            database: inner.database.as_ref(),
        }
    }

    /// The database, when the state is kept in one.
    pub fn database(&self) -> Option<&Database> {
        self.inner.database.as_ref()
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    /// The fault-injection rules.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// Whether `/readyz` answers 200: start-up is done and the state file, if any, is loaded.
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire) && self.is_loaded()
    }

    /// Where `GET /openapi.json` keeps its document, built on the first call.
    pub(crate) fn openapi_cache(&self) -> &OnceLock<Bytes> {
        &self.inner.openapi
    }

    /// Whether the state file, if any, is loaded.
    pub fn is_loaded(&self) -> bool {
        self.inner.is_loaded.load(Ordering::Acquire)
    }

    /// Waits until the state file, if any, is loaded.
    pub async fn loaded(&self) {
        let mut loaded = self.inner.loaded.subscribe();
        // The sender lives as long as `self`, so this cannot fail while anyone waits.
        let _ = loaded.wait_for(|loaded| *loaded).await;
    }

    pub(crate) fn set_loaded(&self, loaded: bool) {
        self.inner.is_loaded.store(loaded, Ordering::Release);
        self.inner.loaded.send_replace(loaded);
    }

    /// Marks the server ready (start-up work is done).
    pub fn set_ready(&self) {
        self.inner.ready.store(true, Ordering::Release);
    }
}

/// The token in `path`: its first line, trimmed; it must fit `Authorization: Bearer <token>`.
fn read_admin_token(path: &std::path::Path) -> Result<Secret, StartupError> {
    let failed = |reason: String| StartupError::AdminTokenFile {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|error| failed(error.to_string()))?;
    let token = text.lines().next().unwrap_or_default().trim();
    crate::config::parse_admin_token(token).map_err(failed)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    fn settings(listen: [u8; 4], tls: Option<[u8; 4]>, token: Option<&str>) -> Settings {
        let config = Config {
            listen: SocketAddr::from((listen, 8080)),
            tls_listen: tls.map(|ip| SocketAddr::from((ip, 8443))),
            ..Config::default()
        };
        Settings::new(&config, token.map(Secret::new))
    }

    #[test]
    fn an_open_admin_api_beyond_loopback_is_warned_about_naming_the_flag() {
        let exposed = settings([0, 0, 0, 0], None, None);
        let warning = exposed.admin_warning().expect("a warning");
        assert!(warning.contains("--admin-token-file") && warning.contains("loopback"));
        assert!(settings([127, 0, 0, 1], Some([10, 0, 0, 5]), None).exposed);
        for quiet in [
            settings([127, 0, 0, 1], None, None),
            settings([127, 0, 0, 1], Some([127, 0, 0, 1]), None),
            settings([0, 0, 0, 0], None, Some("token")),
        ] {
            assert_eq!(quiet.admin_warning(), None, "{quiet:?}");
        }
        assert!(
            !format!("{:?}", settings([0, 0, 0, 0], None, Some("tok-s3cret"))).contains("s3cret")
        );
    }
}
