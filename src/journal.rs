//! The request journal: what clients sent and what they got, for `GET /__admin/requests`.
//!
//! Bounded: past its capacity the oldest entries go. Bodies are recorded with every secret
//! replaced by `"***"` (see [`redact`]); headers are not recorded at all (bearer tokens).

pub mod record;
pub mod redact;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use uuid::Uuid;

use crate::extract::environment_in_path;

/// One journaled request.
#[derive(Clone, Debug, Serialize)]
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
    /// The environment named by the path, if any: worked out from the path when the journal is
    /// read, not on every request.
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
                .is_none_or(|id| environment_in_path(&entry.path) == Some(id))
    }
}

/// A cloneable handle to the journal; its lock never leaves this file.
#[derive(Clone, Debug)]
pub struct Journal {
    capacity: usize,
    entries: Arc<Mutex<VecDeque<Entry>>>,
}

impl Journal {
    /// A journal that keeps at most `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            // The deque grows as needed: a large capacity costs nothing until it is used.
            entries: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        // Each write is one push or pop: a panic cannot leave the deque inconsistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many entries it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds an entry, dropping the oldest beyond the capacity.
    pub fn push(&self, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        while entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The matching entries, oldest first; with a limit, the most recent ones.
    pub fn entries(&self, filter: &Filter) -> Vec<Entry> {
        let entries = self.lock();
        let mut matching: Vec<Entry> = entries
            .iter()
            .rev()
            .filter(|entry| filter.matches(entry))
            .take(filter.limit.unwrap_or(usize::MAX))
            .map(|entry| Entry {
                environment_id: environment_in_path(&entry.path),
                ..entry.clone()
            })
            .collect();
        drop(entries);
        matching.reverse();
        matching
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(method: &str, path: &str, status: u16) -> Entry {
        Entry {
            time: DateTime::UNIX_EPOCH,
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            path: path.to_owned(),
            status,
            duration_ms: 0.0,
            correlation_id: None,
            environment_id: None,
            body: None,
        }
    }

    fn paths(entries: Vec<Entry>) -> Vec<String> {
        entries.into_iter().map(|entry| entry.path).collect()
    }

    #[test]
    fn the_journal_never_grows_past_its_capacity() {
        let journal = Journal::new(3);
        for index in 0..10 {
            journal.push(entry("GET", &format!("/{index}"), 200));
            assert!(journal.entries(&Filter::default()).len() <= 3);
        }
        assert_eq!(
            paths(journal.entries(&Filter::default())),
            ["/7", "/8", "/9"]
        );
        let none = Journal::new(0);
        none.push(entry("GET", "/", 200));
        assert!(none.entries(&Filter::default()).is_empty());
    }

    #[test]
    fn filters_combine_and_a_limit_keeps_the_most_recent() {
        let journal = Journal::new(10);
        journal.push(entry("POST", "/v1/a", 201));
        journal.push(entry("GET", "/v1/a", 200));
        journal.push(entry("POST", "/v1/b", 429));
        journal.push(entry("POST", "/v1/a", 400));
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
