//! Fault injection: rules that make PingOne calls fail or slow down on purpose, so that a
//! client's retries, backoff and timeouts can be tested.
//!
//! Rules are tried in the order they were added; the first that matches the call and fires (its
//! probability roll succeeds and it has calls left) decides. Each rule rolls its own seeded
//! generator, so a seed replays the same sequence of outcomes.

mod spec;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::InjectedError;
use crate::rng::SplitMix64;
pub use spec::RuleSpec;

/// What a rule does when it fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Answer this error instead of calling the handler.
    Error(InjectedError),
    /// Wait this long, then handle the call normally.
    Delay(Duration),
}

/// A rule with its counters.
#[derive(Debug)]
struct Rule {
    id: Uuid,
    spec: RuleSpec,
    counts: Counts,
}

/// A rule's counters, in memory or in the database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// The calls it rolled for.
    pub draws: u64,
    /// The calls it fired on.
    pub hits: u64,
}

impl RuleSpec {
    /// Whether the rule fires for `call`, its counts advanced: `None` when it does not roll
    /// (another call, or no calls left). Only matching calls roll, so that a seed's sequence
    /// depends on those calls alone.
    pub fn roll(&self, call: Call<'_>, counts: &mut Counts) -> Option<bool> {
        if self.times.is_some_and(|times| counts.hits >= times) || !self.matches(call) {
            return None;
        }
        let fires = roll(self.seed, counts.draws) < self.probability;
        counts.draws += 1;
        counts.hits += u64::from(fires);
        Some(fires)
    }

    /// The rule as listed: its id, what it was given, what is left and how often it fired.
    pub fn listed(&self, id: Uuid, hits: u64) -> Value {
        let mut object = Map::new();
        object.insert("id".into(), json!(id));
        if let Value::Object(spec) = self.to_json() {
            object.extend(spec);
        }
        if let Some(times) = self.times {
            object.insert("remaining".into(), json!(times.saturating_sub(hits)));
        }
        object.insert("hits".into(), json!(hits));
        Value::Object(object)
    }
}

/// The roll numbered `draw` (from 0) of a rule seeded `seed`, in `[0, 1)`: a pure function
/// of the two, so that replicas sharing the count of draws roll alike.
fn roll(seed: u64, draw: u64) -> f64 {
    SplitMix64::after(seed, draw).next_f64()
}

/// A call as fault rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The matched path template.
    pub template: &'a str,
    /// The environment in the path.
    pub environment_id: Option<Uuid>,
}

/// A cloneable handle to the rules; the lock never leaves this file and is never held while
/// waiting (delays happen after [`Faults::decide`] returns).
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    rules: Mutex<Vec<Rule>>,
    /// Whether there are rules: set under the lock, read without it by every call.
    any: AtomicBool,
}

/// The rules, under their lock; keeps [`Inner::any`] in step when released.
struct Rules<'a> {
    guard: MutexGuard<'a, Vec<Rule>>,
    any: &'a AtomicBool,
}

impl std::ops::Deref for Rules<'_> {
    type Target = Vec<Rule>;
    fn deref(&self) -> &Vec<Rule> {
        &self.guard
    }
}

impl std::ops::DerefMut for Rules<'_> {
    fn deref_mut(&mut self) -> &mut Vec<Rule> {
        &mut self.guard
    }
}

impl Drop for Rules<'_> {
    fn drop(&mut self) {
        self.any.store(!self.guard.is_empty(), Ordering::Release);
    }
}

impl Faults {
    /// No rules.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Rules<'_> {
        Rules {
            // Counters are plain integers updated in place: a panic cannot corrupt them.
            guard: self
                .inner
                .rules
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            any: &self.inner.any,
        }
    }

    /// Whether no rule is set: then no call needs [`Faults::decide`], and none takes its lock.
    pub fn is_empty(&self) -> bool {
        !self.inner.any.load(Ordering::Acquire)
    }

    /// Adds a rule after the existing ones; returns it as listed.
    pub fn add(&self, spec: RuleSpec) -> Value {
        let rule = Rule {
            id: Uuid::new_v4(),
            spec,
            counts: Counts::default(),
        };
        let listed = rule.spec.listed(rule.id, 0);
        self.lock().push(rule);
        listed
    }

    /// Every rule with its hit count, in the order they are tried.
    pub fn list(&self) -> Vec<Value> {
        self.lock()
            .iter()
            .map(|rule| rule.spec.listed(rule.id, rule.counts.hits))
            .collect()
    }

    /// Removes one rule; `false` if there was none with that id.
    pub fn remove(&self, id: Uuid) -> bool {
        let mut rules = self.lock();
        let before = rules.len();
        rules.retain(|rule| rule.id != id);
        rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// What to do with `call`, counting the hit on the rule that fires.
    pub fn decide(&self, call: Call<'_>) -> Option<Action> {
        let mut rules = self.lock();
        for rule in rules.iter_mut() {
            if rule.spec.roll(call, &mut rule.counts) == Some(true) {
                return Some(rule.spec.action.clone());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
