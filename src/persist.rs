//! The optional state file (`--state-file`): loaded at start, saved after every change.
//!
//! Saving writes `<file>.tmp` (mode 0600: it holds the secrets), flushes it to disk, renames it
//! over the file and flushes the directory, so a crash at any moment leaves either the old
//! complete file or the new one. Changes are debounced and at most one write is in flight; a
//! last write happens on graceful shutdown.

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::clock::Timestamp;
use crate::domain::FieldError;
use crate::seed::{self, Secrets};
use crate::store::{Snapshot, Store};

/// How long to wait after a change for more before writing: a burst becomes one write.
const DEBOUNCE: Duration = Duration::from_millis(75);
/// How long to wait before trying again after a failed write.
const RETRY: Duration = Duration::from_secs(1);
/// How many problems a load error lists before saying "and N more".
const LISTED_PROBLEMS: usize = 10;

/// Why the state file could not be loaded. The file is never written after this.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// It exists but cannot be read.
    #[error("cannot read the state file {}: {source}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: io::Error,
    },
    /// It is not JSON.
    #[error("the state file {} is not valid JSON (line {line}, column {column})", .path.display())]
    NotJson {
        /// The file.
        path: PathBuf,
        /// Where parsing stopped.
        line: usize,
        /// Where parsing stopped.
        column: usize,
    },
    /// It is JSON but not a valid state document (unknown `schemaVersion` included).
    #[error("the state file {} is not a valid state document: {}", .path.display(), describe(.problems))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem, with its JSON path.
        problems: Vec<FieldError>,
    },
}

fn describe(problems: &[FieldError]) -> String {
    let mut text = String::new();
    for (index, problem) in problems.iter().take(LISTED_PROBLEMS).enumerate() {
        if index > 0 {
            text.push_str("; ");
        }
        let _ = write!(text, "{}: {}", problem.target, problem.message);
    }
    if problems.len() > LISTED_PROBLEMS {
        let _ = write!(text, "; and {} more", problems.len() - LISTED_PROBLEMS);
    }
    text
}

/// Reads a state document from `path`; `None` if there is no file yet. Entries without
/// timestamps (a file written by hand) get `now`.
pub fn load(path: &Path, now: Timestamp) -> Result<Option<Snapshot>, LoadError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(LoadError::Unreadable {
                path: path.to_owned(),
                source,
            });
        }
    };
    let document: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|error| LoadError::NotJson {
            path: path.to_owned(),
            line: error.line(),
            column: error.column(),
        })?;
    seed::from_document(&document, now)
        .map(Some)
        .map_err(|problems| LoadError::Invalid {
            path: path.to_owned(),
            problems,
        })
}

/// Writes `snapshot` to `path` atomically, secrets included, readable by the owner only.
pub fn save(path: &Path, snapshot: &Snapshot) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(&seed::to_document(snapshot, Secrets::Included))
        .map_err(io::Error::other)?;
    bytes.push(b'\n');
    let temporary = temporary_path(path);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    #[cfg(unix)]
    {
        // `mode` applies only when the file is created; a leftover temporary keeps its own.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    sync_directory(path)
}

/// `<file>.tmp`, beside the file so that the rename stays on one file system.
fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Makes the rename itself durable.
fn sync_directory(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(directory)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The background writer of one state file.
#[derive(Debug)]
pub struct Persister {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    store: Store,
    path: PathBuf,
}

impl Persister {
    /// Starts saving `store` to `path` after each change from now on.
    pub fn spawn(store: Store, path: PathBuf) -> Self {
        let (stop, stopped) = oneshot::channel();
        // Subscribed here, not in the task: a change made before the task first runs counts.
        let changes = store.watch_changes();
        let task = tokio::spawn(write_changes(store.clone(), changes, path.clone(), stopped));
        Self {
            stop,
            task,
            store,
            path,
        }
    }

    /// Stops the writer (letting a write in flight finish) and saves one last time.
    pub async fn finish(self) -> io::Result<()> {
        let _ = self.stop.send(());
        let _ = self.task.await;
        let snapshot = self.store.snapshot();
        let path = self.path;
        tokio::task::spawn_blocking(move || save(&path, &snapshot))
            .await
            .map_err(io::Error::other)?
    }
}

async fn write_changes(
    store: Store,
    mut changes: watch::Receiver<u64>,
    path: PathBuf,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut failed = false;
    loop {
        let next = async {
            if failed {
                tokio::time::sleep(RETRY).await;
            } else if changes.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(DEBOUNCE).await;
        };
        tokio::select! {
            () = next => {}
            _ = &mut stopped => return,
        }
        changes.borrow_and_update();
        let snapshot = store.snapshot();
        let target = path.clone();
        let saved = tokio::task::spawn_blocking(move || save(&target, &snapshot)).await;
        failed = match saved {
            Ok(Ok(())) => false,
            Ok(Err(error)) => {
                tracing::error!("cannot save the state file {}: {error}", path.display());
                true
            }
            Err(error) => {
                tracing::error!("the state file writer failed: {error}");
                true
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::domain::{PushCredential, Secret};
    use crate::store::AppKey;

    fn now() -> Timestamp {
        crate::clock::Clock::new().now()
    }

    fn store_with_one_credential() -> Store {
        let store = Store::new();
        let app = AppKey {
            environment_id: Uuid::new_v4(),
            application_id: Uuid::new_v4(),
        };
        let credential = PushCredential::legacy_fcm(Secret::new("server-key"));
        // Through the emulator's clock: stored times have the file's millisecond precision.
        let now = crate::clock::Clock::new().now();
        store.create(app, credential, now).unwrap();
        store
    }

    #[test]
    fn a_saved_state_loads_back_and_only_its_owner_can_read_it() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("state.json");
        assert!(load(&path, now()).unwrap().is_none());
        let store = store_with_one_credential();
        save(&path, &store.snapshot()).unwrap();
        assert_eq!(load(&path, now()).unwrap(), Some(store.snapshot()));
        assert!(!temporary_path(&path).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_file_is_reported_with_its_reason() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("state.json");
        let cases: [(&[u8], &str); 3] = [
            (b"{\"schemaVersion\": 1,", "not valid JSON"),
            (
                b"{\"schemaVersion\": 99, \"environments\": []}",
                "Unsupported schemaVersion 99",
            ),
            (
                b"{\"schemaVersion\": 1, \"environments\": [{\"id\": \"x\"}]}",
                "environments[0].id",
            ),
        ];
        for (bytes, expected) in cases {
            fs::write(&path, bytes).unwrap();
            let message = load(&path, now()).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
            assert!(message.contains("state.json"), "{message}");
        }
        let unreadable = load(directory.path(), now()).unwrap_err();
        assert!(matches!(unreadable, LoadError::Unreadable { .. }));
    }

    #[tokio::test]
    async fn changes_are_written_and_a_last_write_happens_on_finish() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("state.json");
        let store = Store::new();
        let persister = Persister::spawn(store.clone(), path.clone());
        let filled = store_with_one_credential().snapshot();
        store.restore(filled.clone()).unwrap();
        for _ in 0..100 {
            if load(&path, now()).ok().flatten().as_ref() == Some(&filled) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(load(&path, now()).unwrap(), Some(filled));
        store.clear();
        persister.finish().await.unwrap();
        assert_eq!(load(&path, now()).unwrap(), Some(Snapshot::default()));
    }
}
