//! The request journal: what clients sent and what they got, for `GET /__admin/requests`.
//!
//! Bounded: past its capacity the oldest entries go. Bodies are recorded with every secret
//! replaced by `"***"` (see [`redact`]); headers are not recorded at all (bearer tokens).

pub mod record;
pub mod redact;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use uuid::Uuid;

/// One journaled request.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When the request arrived (real time; shown in RFC 3339 with milliseconds).
    #[serde(serialize_with = "serialize_time")]
    pub time: DateTime<Utc>,
    /// The HTTP method.
    #[serde(serialize_with = "serialize_method")]
    pub method: Method,
    /// The path, without the query string.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// How long it took to answer, in milliseconds.
    pub duration_ms: f64,
    /// The `Correlation-Id` the response carried.
    pub correlation_id: Option<Uuid>,
    /// The environment named by the path, if any.
    pub environment_id: Option<Uuid>,
    /// The body with secrets redacted (JSON text); `null` when there was none.
    pub body: redact::Recorded,
}

fn serialize_time<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&time.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

fn serialize_method<S: Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

/// Which entries to return; every criterion is optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this method.
    pub method: Option<Method>,
    /// Only paths starting with this.
    pub path_prefix: Option<String>,
    /// Only these statuses.
    pub status: Option<StatusFilter>,
    /// Only requests about this environment.
    pub environment_id: Option<Uuid>,
    /// At most this many, the most recent.
    pub limit: Option<usize>,
}

/// One status (`429`) or a class of them (`4xx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Exactly this status.
    Exact(StatusCode),
    /// Any status of this hundred (`4` for `4xx`).
    Class(u16),
}

impl StatusFilter {
    /// Parses `429` or `4xx`.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.to_ascii_lowercase();
        if let Some(class) = lower.strip_suffix("xx") {
            return class
                .parse::<u16>()
                .ok()
                .filter(|class| (1..=5).contains(class))
                .map(Self::Class);
        }
        text.parse::<u16>()
            .ok()
            .and_then(|code| StatusCode::from_u16(code).ok())
            .map(Self::Exact)
    }

    fn matches(self, status: u16) -> bool {
        match self {
            Self::Exact(expected) => expected.as_u16() == status,
            Self::Class(class) => status / 100 == class,
        }
    }
}

impl Filter {
    /// Copies of the matching `entries` (given oldest first, returned so), and with a limit the
    /// most recent of them.
    pub fn select<'a>(&self, entries: impl DoubleEndedIterator<Item = &'a Entry>) -> Vec<Entry> {
        let mut matching: Vec<Entry> = entries
            .rev()
            .filter(|entry| self.matches(entry))
            .take(self.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect();
        matching.reverse();
        matching
    }

    fn matches(&self, entry: &Entry) -> bool {
        self.method
            .as_ref()
            .is_none_or(|method| *method == entry.method)
            && self
                .path_prefix
                .as_ref()
                .is_none_or(|prefix| entry.path.starts_with(prefix.as_str()))
            && self
                .status
                .is_none_or(|status| status.matches(entry.status))
            && self
                .environment_id
                .is_none_or(|id| entry.environment_id == Some(id))
    }
}

/// What a finished request leaves in the journal: an [`Entry`] with its path borrowed, so that
/// a full journal writes it over the oldest entry's without allocating.
#[derive(Debug)]
pub struct Record<'a> {
    /// When the request arrived.
    pub time: DateTime<Utc>,
    /// The HTTP method.
    pub method: Method,
    /// The path, without the query string.
    pub path: &'a str,
    /// The status answered.
    pub status: u16,
    /// How long it took to answer, in milliseconds.
    pub duration_ms: f64,
    /// The `Correlation-Id` the response carried.
    pub correlation_id: Option<Uuid>,
    /// The environment named by the path, if any.
    pub environment_id: Option<Uuid>,
    /// The body with secrets redacted.
    pub body: redact::Recorded,
}

impl Record<'_> {
    /// Writes this over `entry`, keeping the path's allocation.
    fn write_over(self, entry: &mut Entry) {
        entry.path.clear();
        entry.path.push_str(self.path);
        entry.time = self.time;
        entry.method = self.method;
        entry.status = self.status;
        entry.duration_ms = self.duration_ms;
        entry.correlation_id = self.correlation_id;
        entry.environment_id = self.environment_id;
        entry.body = self.body;
    }

    /// The entry this record makes.
    pub fn into_entry(self) -> Entry {
        let mut entry = Entry::default();
        self.write_over(&mut entry);
        entry
    }
}

/// A cloneable handle to the journal; its lock never leaves this file.
#[derive(Clone, Debug)]
pub struct Journal {
    capacity: usize,
    ring: Arc<Mutex<Ring>>,
}

/// The entries: once there are `capacity` of them, each new one is written over the oldest, in
/// place, so that a full journal neither allocates nor frees.
#[derive(Debug, Default)]
struct Ring {
    entries: Vec<Entry>,
    /// Where the oldest entry is, once the ring is full.
    oldest: usize,
}

impl Ring {
    /// Oldest first.
    fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        let (newer, older) = self.entries.split_at(self.oldest);
        older.iter().chain(newer)
    }
}

impl Journal {
    /// A journal that keeps at most `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            // The ring grows as needed: a large capacity costs nothing until it is used.
            ring: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        // Each write is to one entry, and a panic cannot happen halfway through one.
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many entries it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds an entry; past the capacity, in place of the oldest.
    pub fn push(&self, record: Record<'_>) {
        if self.capacity == 0 {
            return;
        }
        let mut ring = self.lock();
        if ring.entries.len() < self.capacity {
            ring.entries.push(record.into_entry());
        } else {
            let oldest = ring.oldest;
            record.write_over(&mut ring.entries[oldest]);
            ring.oldest = (oldest + 1) % self.capacity;
        }
    }

    /// The matching entries, oldest first; with a limit, the most recent ones.
    pub fn entries(&self, filter: &Filter) -> Vec<Entry> {
        filter.select(self.lock().iter())
    }

    /// Forgets everything.
    pub fn clear(&self) {
        *self.lock() = Ring::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(journal: &Journal, method: &str, path: &str, status: u16) {
        journal.push(Record {
            time: DateTime::UNIX_EPOCH,
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            path,
            status,
            duration_ms: 0.0,
            correlation_id: None,
            environment_id: crate::call::Call::classify(&Method::GET, path).environment_id,
            body: None,
        });
    }

    fn paths(entries: Vec<Entry>) -> Vec<String> {
        entries.into_iter().map(|entry| entry.path).collect()
    }

    #[test]
    fn the_journal_never_grows_past_its_capacity() {
        let journal = Journal::new(3);
        for index in 0..10 {
            push(&journal, "GET", &format!("/{index}"), 200);
            assert!(journal.entries(&Filter::default()).len() <= 3);
        }
        assert_eq!(
            paths(journal.entries(&Filter::default())),
            ["/7", "/8", "/9"]
        );
        let none = Journal::new(0);
        push(&none, "GET", "/", 200);
        assert!(none.entries(&Filter::default()).is_empty());
    }

    #[test]
    fn entries_written_over_old_ones_keep_nothing_of_them() {
        let journal = Journal::new(2);
        journal.push(Record {
            time: DateTime::UNIX_EPOCH,
            method: Method::POST,
            path: "/v1/a-rather-long-path-that-leaves-its-capacity-behind",
            status: 201,
            duration_ms: 1.5,
            correlation_id: Some(Uuid::nil()),
            environment_id: Some(Uuid::nil()),
            body: redact::note("a body"),
        });
        push(&journal, "GET", "/v1/b", 200);
        push(&journal, "DELETE", "/v1/c", 204);
        let entries = journal.entries(&Filter::default());
        assert_eq!(paths(entries.clone()), ["/v1/b", "/v1/c"]);
        let last = &entries[1];
        assert_eq!(
            (&last.method, last.status, last.duration_ms),
            (&Method::DELETE, 204, 0.0)
        );
        assert!(last.correlation_id.is_none() && last.body.is_none());
        assert!(last.environment_id.is_none());
    }

    #[test]
    fn filters_combine_and_a_limit_keeps_the_most_recent() {
        let journal = Journal::new(10);
        push(&journal, "POST", "/v1/a", 201);
        push(&journal, "GET", "/v1/a", 200);
        push(&journal, "POST", "/v1/b", 429);
        push(&journal, "POST", "/v1/a", 400);
        let filter = |method: Option<Method>, prefix: Option<&str>, status: Option<&str>| Filter {
            method,
            path_prefix: prefix.map(str::to_owned),
            status: status.and_then(StatusFilter::parse),
            ..Filter::default()
        };
        let posts = journal.entries(&filter(Some(Method::POST), None, None));
        assert_eq!(paths(posts), ["/v1/a", "/v1/b", "/v1/a"]);
        let client_errors = journal.entries(&filter(None, Some("/v1/a"), Some("4xx")));
        assert_eq!(client_errors.len(), 1);
        assert_eq!(client_errors[0].status, 400);
        let limited = journal.entries(&Filter {
            limit: Some(2),
            ..Filter::default()
        });
        assert_eq!(paths(limited), ["/v1/b", "/v1/a"]);
        journal.clear();
        assert!(journal.entries(&Filter::default()).is_empty());
    }

    #[test]
    fn status_filters_are_exact_codes_or_classes() {
        assert_eq!(
            StatusFilter::parse("429"),
            Some(StatusFilter::Exact(StatusCode::TOO_MANY_REQUESTS))
        );
        assert_eq!(StatusFilter::parse("5XX"), Some(StatusFilter::Class(5)));
        for bad in ["", "6xx", "0xx", "abc", "99", "1000"] {
            assert_eq!(StatusFilter::parse(bad), None, "{bad}");
        }
    }
}
