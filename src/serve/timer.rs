//! A coarse timer for hyper's header-read timeout.
//!
//! hyper arms its header-read timer for every request it reads, and drops it as soon as the
//! headers are in. With tokio's timer each of those is an entry in the runtime's timer wheel,
//! under its lock, and moving the earliest deadline wakes a parked worker: on a two-core
//! machine that cost a tenth of the read throughput. The deadlines here
//! are generous (seconds) and need no precision, so the sleeps are entries in a plain map that
//! one task looks at every tick: arming and dropping a timer takes a short lock and no kernel.
//! A deadline fires at most one tick late.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// Sleeps that fire within a tick of their deadline; cheap to clone.
#[derive(Clone, Debug)]
pub struct CoarseTimer {
    shared: Arc<Shared>,
}

/// The keys are a counter: they need no hashing beyond themselves.
#[derive(Clone, Copy, Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // Spread over all the bits: the table takes bucket and tag from different ones.
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8) | u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type Sleepers = HashMap<u64, (Instant, Waker), BuildHasherDefault<KeyHasher>>;

/// Shards, so that the runtime's threads rarely wait for one another's sleeps.
const SHARDS: usize = 8;

#[derive(Debug, Default)]
struct Shared {
    next_key: AtomicU64,
    /// The pending sleeps that have been polled (deadline and whom to wake), by key modulo
    /// [`SHARDS`].
    shards: [Mutex<Sleepers>; SHARDS],
}

impl Shared {
    fn sleepers(&self, key: u64) -> MutexGuard<'_, Sleepers> {
        // Each write is one insert or remove: a panic cannot leave a map half-changed.
        self.shards[key as usize % SHARDS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl CoarseTimer {
    /// A timer whose sleeps are looked at every `tick`, by a task on the current runtime that
    /// ends when the last clone of the timer is dropped.
    pub fn start(tick: Duration) -> Self {
        let shared = Arc::new(Shared::default());
        let weak = Arc::downgrade(&shared);
        tokio::spawn(wake_due(weak, tick));
        Self { shared }
    }
}

/// Every tick, wakes the sleepers whose deadline has passed (they see it when polled).
async fn wake_due(shared: Weak<Shared>, tick: Duration) {
    let mut ticks = tokio::time::interval(tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let now = Instant::now();
        for shard in 0..SHARDS as u64 {
            let due: Vec<Waker> = {
                let mut sleepers = shared.sleepers(shard);
                let keys: Vec<u64> = sleepers
                    .iter()
                    .filter(|(_, (deadline, _))| *deadline <= now)
                    .map(|(key, _)| *key)
                    .collect();
                keys.iter()
                    .filter_map(|key| sleepers.remove(key))
                    .map(|(_, waker)| waker)
                    .collect()
            };
            due.into_iter().for_each(Waker::wake);
        }
    }
}

impl Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoarseSleep {
            deadline,
            key: self.shared.next_key.fetch_add(1, Ordering::Relaxed),
            registered: false,
            shared: Arc::clone(&self.shared),
        })
    }
}

/// One sleep: registered with the timer only once it has been polled and is not yet due.
struct CoarseSleep {
    deadline: Instant,
    key: u64,
    registered: bool,
    shared: Arc<Shared>,
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            if self.registered {
                self.shared.sleepers(self.key).remove(&self.key);
                self.registered = false;
            }
            return Poll::Ready(());
        }
        let (key, deadline) = (self.key, self.deadline);
        let mut sleepers = self.shared.sleepers(key);
        match sleepers.get_mut(&key) {
            // Polled again: keep the waker unless the task's has changed.
            Some((_, waker)) => waker.clone_from(context.waker()),
            None => {
                sleepers.insert(key, (deadline, context.waker().clone()));
            }
        }
        drop(sleepers);
        self.registered = true;
        Poll::Pending
    }
}

impl Sleep for CoarseSleep {}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        if self.registered {
            self.shared.sleepers(self.key).remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sleeps_end_at_their_deadline_within_a_tick() {
        let timer = CoarseTimer::start(Duration::from_millis(10));
        let started = Instant::now();
        timer.sleep(Duration::from_millis(50)).await;
        let slept = started.elapsed();
        assert!(slept >= Duration::from_millis(50), "{slept:?}");
        assert!(slept < Duration::from_secs(2), "{slept:?}");
        // A past deadline is ready at once.
        timer.sleep(Duration::ZERO).await;
    }

    #[tokio::test]
    async fn dropped_sleeps_leave_nothing_behind() {
        let timer = CoarseTimer::start(Duration::from_millis(10));
        for _ in 0..100 {
            let mut sleep = timer.sleep(Duration::from_secs(60));
            let mut context = Context::from_waker(Waker::noop());
            assert!(sleep.as_mut().poll(&mut context).is_pending());
        }
        assert!((0..SHARDS as u64).all(|shard| timer.shared.sleepers(shard).is_empty()));
    }

    #[tokio::test]
    async fn the_ticking_task_ends_with_the_timer() {
        let timer = CoarseTimer::start(Duration::from_millis(5));
        let weak = Arc::downgrade(&timer.shared);
        drop(timer);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(weak.upgrade().is_none());
    }
}
