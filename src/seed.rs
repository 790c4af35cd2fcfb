//! The one document format for whole states: `--seed-file`, `GET`/`PUT /__admin/state`, and the
//! `--state-file`. An export can be fed back as a seed file, and the other way round.
//!
//! ```json
//! {"schemaVersion": 1,
//!  "environments": [{
//!    "id": "…", "name": "Admin", "region": "NA", "type": "SANDBOX", "license": {"id": "…"},
//!    "manages": ["*"], "createdAt": "…", "updatedAt": "…",
//!    "applications": [{
//!      "id": "…", "name": "Terraform", "enabled": true, "protocol": "OPENID_CONNECT", "type": "NATIVE_APP",
//!      "grantTypes": ["AUTHORIZATION_CODE"], "tokenEndpointAuthMethod": "NONE",
//!      "pushCredentials": [{"id": "…", "type": "HMS", "clientId": "…", "clientSecret": "…"}]
//!    }]
//! }]}
//! ```
//!
//! Each entry is what a client would send to create it, plus its `id`, and optionally its
//! `createdAt`/`updatedAt` (left out: the time of loading). Worker and service applications may
//! carry their `clientSecret` (left out: one is generated). `manages` lists the other
//! environments whose resources this environment's tokens may manage in `strict` tenancy
//! (`["*"]`: all). Two differences from the API: stored legacy `FCM` records are accepted, and
//! an environment may have no `license` (environments provisioned automatically have none).
//! `schemaVersion` may be left out of a seed file; when present it must be 1. Unknown fields
//! are refused, and every problem is reported with its JSON path. An exported document has
//! every secret replaced by `"***"` unless asked otherwise; such a document cannot be loaded.

mod read;
mod write;

use std::fmt;
use std::path::Path;

use serde_json::Value;

pub use read::from_document;
pub use write::to_document;

use crate::clock::Timestamp;
use crate::domain::FieldError;
use crate::store::{Snapshot, Store, StoreError};
use read::Dated;

/// The version of the format this build writes and reads.
pub const SCHEMA_VERSION: u64 = 1;

/// What stands in for a secret in a redacted document.
pub const REDACTED: &str = "***";

/// Whether a document shows the secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    /// Every secret is `"***"`: safe to show.
    Redacted,
    /// The real values: for the state file and for a deliberate admin export.
    Included,
}

/// A seed document that passed validation: applying it cannot fail.
#[derive(Clone, Debug)]
pub struct Seed {
    /// The validated document; its entries without timestamps get the time of each use.
    document: Dated,
}

/// Every problem found in a seed document, each with the entry it concerns.
#[derive(Debug, thiserror::Error)]
pub struct SeedError {
    source_name: String,
    problems: Vec<(String, String)>,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed file {}: {} problem(s)",
            self.source_name,
            self.problems.len()
        )?;
        for (path, problem) in &self.problems {
            write!(f, "\n  {path}: {problem}")?;
        }
        Ok(())
    }
}

impl SeedError {
    /// `(entry path, problem)` pairs, e.g. `("environments[0].applications[2].pushCredentials[0].token", "…")`.
    pub fn problems(&self) -> &[(String, String)] {
        &self.problems
    }

    fn new(source_name: &str, path: &str, problem: String) -> Self {
        Self {
            source_name: source_name.to_owned(),
            problems: vec![(path.to_owned(), problem)],
        }
    }
}

/// Reads and validates a seed file.
pub fn load_file(path: &Path) -> Result<Seed, SeedError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|error| SeedError::new(&name, "(file)", format!("cannot be read: {error}")))?;
    parse(&name, &text)
}

/// Validates a seed document; `source_name` names it in errors.
pub fn parse(source_name: &str, text: &str) -> Result<Seed, SeedError> {
    let document: Value = serde_json::from_str(text).map_err(|error| {
        SeedError::new(
            source_name,
            "(document)",
            format!("is not valid JSON: {error}"),
        )
    })?;
    match read::read(&document) {
        Ok(document) => Ok(Seed { document }),
        Err(errors) => Err(SeedError {
            source_name: source_name.to_owned(),
            problems: errors.into_iter().map(describe).collect(),
        }),
    }
}

/// `(path, "CODE: message")`; a problem with the document as a whole is at `(document)`.
fn describe(error: FieldError) -> (String, String) {
    let path = match error.target.as_str() {
        "" | "body" => "(document)".to_owned(),
        _ => error.target,
    };
    (path, format!("{}: {}", error.code.as_str(), error.message))
}

impl Seed {
    /// The state the seed describes; entries without timestamps are created `now`.
    pub fn snapshot(&self, now: Timestamp) -> Snapshot {
        self.document.at(now)
    }

    /// Replaces everything in the store with the seed's state (deleted ids and grants too).
    pub fn apply(&self, store: &Store, now: Timestamp) {
        // Validation already ruled out every reason a restore could be refused.
        let restored: Result<_, StoreError> = store.restore(self.snapshot(now));
        debug_assert!(restored.is_ok(), "{restored:?}");
    }
}

#[cfg(test)]
mod document_tests;
#[cfg(test)]
mod tests;
