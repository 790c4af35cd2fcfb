//! The PostgreSQL store (`--store postgres://…`): the whole state in one database, so that
//! several replicas answer the same.
//!
//! Every operation is one statement or one transaction, so a call that fails halfway writes
//! nothing, and the rules replicas must agree on are the schema's constraints (one credential
//! per type per application, deletes that cascade). A call acknowledged by one replica was
//! committed, so every replica sees it from then on. The schema is created and migrated at
//! start by the versioned migrations in `migrations/`, which sqlx runs under an advisory lock:
//! replicas starting together take turns.
//!
//! What is not data but must be shared too lives here as well: the clock setting, the fault
//! rules with their counters, the request journal and the token signing key (`control.rs`,
//! `journal.rs`).

mod batch;
mod control;
mod journal;
mod resources;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::journal::Entry;
use batch::Batcher;
use control::Control;
pub use control::FaultDecision;
pub use resources::ClientAuthError;

use crate::store::{StoreError, Tenancy};

/// The migrations in `migrations/`, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// How long a call waits for a connection before it is answered 503: the database is gone.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A handle to the database; cheap to clone (a pool).
#[derive(Clone)]
pub struct Database {
    pool: PgPool,
    /// Writes the journal (none when its size is 0).
    journal: Option<Batcher<Entry, Result<(), StoreError>>>,
    /// Reads the control row for the calls waiting for it.
    control: Batcher<(), Result<Control, StoreError>>,
    tenancy: Tenancy,
    /// How many journal entries the database keeps.
    journal_size: usize,
}

impl fmt::Debug for Database {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The pool's options hold the password.
        formatter
            .debug_struct("Database")
            .field("tenancy", &self.tenancy)
            .finish_non_exhaustive()
    }
}

/// Why the database could not be used at start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL is not a PostgreSQL URL.
    #[error("--store: not a PostgreSQL URL (postgres://user:password@host:port/database): {0}")]
    Url(String),
    /// The database did not answer, or refused the schema.
    #[error("--store {target}: {reason}")]
    Unusable {
        /// Host, port and database, never the credentials.
        target: String,
        /// What went wrong.
        reason: String,
    },
}

impl Database {
    /// Connects to `url`, waiting up to `wait` for the database to answer, and migrates the
    /// schema.
    pub async fn connect(
        url: &str,
        tenancy: Tenancy,
        journal_size: usize,
        wait: Duration,
    ) -> Result<Self, ConnectError> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|error: sqlx::Error| ConnectError::Url(redact(&error.to_string(), url)))?;
        let target = format!(
            "{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("postgres")
        );
        // Connections are not pinged before each use (sqlx's default): that is a round trip more
        // for every statement (reads of one credential, alternating: 8,315-10,023/s pinged,
        // 8,600-11,693/s not, pairs 1.03-1.17).
        // A connection the database dropped fails its next statement, that call is answered
        // 503, and the pool replaces the connection.
        // 16 connections a replica (and 2 for the journal), so that several replicas stay well
        // under PostgreSQL's default of 100; 8 or 32 made no difference to reads or creates
        // with 32 clients on this machine.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_lazy_with(options.clone());
        // A journal entry is no acknowledged write, and a flush to disk per call would cap
        // every replica's throughput: its inserts commit with `synchronous_commit = off`.
        let journal_pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_lazy_with(options.options([("synchronous_commit", "off")]));
        let size = i64::try_from(journal_size).unwrap_or(i64::MAX);
        let journal = (journal_size > 0).then(|| {
            Batcher::spawn(journal::MOST_AT_ONCE, move |entries| {
                journal::insert(journal_pool.clone(), size, entries)
            })
        });
        let control = {
            let pool = pool.clone();
            Batcher::spawn(usize::MAX, move |_| control::read(pool.clone()))
        };
        let started = tokio::time::Instant::now();
        loop {
            match MIGRATOR.run(&pool).await {
                Ok(()) => break,
                Err(error) if started.elapsed() < wait => {
                    tracing::warn!(database = %target, error = %redact(&error.to_string(), url), "database not usable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(error) => {
                    return Err(ConnectError::Unusable {
                        target,
                        reason: redact(&error.to_string(), url),
                    });
                }
            }
        }
        Ok(Self {
            pool,
            journal,
            control,
            tenancy,
            journal_size,
        })
    }

    /// The tenancy mode.
    pub fn tenancy(&self) -> Tenancy {
        self.tenancy
    }

    /// Whether the database answers now (for `/readyz`).
    pub async fn is_reachable(&self) -> bool {
        let ping = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(ACQUIRE_TIMEOUT, ping).await, Ok(Ok(_)))
    }
}

/// A database failure as the API sees it: the database is not there (503), whatever the
/// cause. Logged here, without the statement's parameters (they hold secrets).
pub(crate) fn unavailable(error: sqlx::Error) -> StoreError {
    tracing::warn!(error = %error, "database call failed");
    StoreError::Unavailable
}

/// `text` with the password of `url` replaced by `***`, should an error message quote it.
fn redact(text: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(credentials, _)| credentials.split_once(':'))
        .map(|(_, password)| password)
        .filter(|password| !password.is_empty());
    match password {
        Some(password) => text.replace(password, "***"),
        None => text.to_owned(),
    }
}
