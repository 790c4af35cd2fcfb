//! A coarse timer for hyper's header-read timeout, one per connection.
//!
//! hyper arms its header-read timer for every request it reads, and drops it as soon as the
//! headers are in. With tokio's timer each of those is an entry in the runtime's timer wheel,
//! under its lock, and moving the earliest deadline wakes a parked worker: on a two-core
//! machine that cost a tenth of the read throughput (docs/PERFORMANCE.md). A timer shared by
//! all connections, even a lock-light one, still has every request write to memory that both
//! cores use, and pass it back and forth.
//!
//! The deadlines are generous (seconds) and need no precision. So each connection gets a
//! timer of its own ([`Timers::connection`]): its sleeps are kept in the connection's own slot,
//! which only that connection's task writes to, and one task looks at every slot each tick.
//! A deadline fires at most one tick late.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// The slots of a server's connections, looked at every tick by a task that ends when the
/// last clone of this is dropped.
#[derive(Clone, Debug)]
pub struct Timers {
    slots: Arc<Mutex<Vec<Weak<Slot>>>>,
}

/// A connection's pending sleeps that have been polled. hyper's HTTP/1 server has one at a
/// time (the header-read timeout), but a [`Timer`] may be asked for any number.
#[derive(Debug, Default)]
struct Slot(Mutex<Sleepers>);

#[derive(Debug, Default)]
struct Sleepers {
    next_key: u64,
    /// Key, deadline and whom to wake.
    pending: Vec<(u64, Instant, Waker)>,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, Sleepers> {
        // Each write is one push or removal: a panic cannot leave the list half-changed.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Timers {
    /// Timers whose sleeps are looked at every `tick`, by a task on the current runtime.
    pub fn start(tick: Duration) -> Self {
        let slots = Arc::default();
        tokio::spawn(wake_due(Arc::downgrade(&slots), tick));
        Self { slots }
    }

    /// The timer of a new connection.
    pub fn connection(&self) -> ConnectionTimer {
        let slot = Arc::new(Slot::default());
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(&slot));
        ConnectionTimer { slot }
    }
}

/// Every tick, forgets the slots of closed connections and wakes the sleepers whose deadline
/// has passed (they see it when polled).
async fn wake_due(slots: Weak<Mutex<Vec<Weak<Slot>>>>, tick: Duration) {
    let mut ticks = tokio::time::interval(tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(slots) = slots.upgrade() else {
            return;
        };
        let open: Vec<Arc<Slot>> = {
            let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
            slots.retain(|slot| slot.strong_count() > 0);
            slots.iter().filter_map(Weak::upgrade).collect()
        };
        drop(slots);
        let now = Instant::now();
        let mut due = Vec::new();
        for slot in &open {
            let mut sleepers = slot.lock();
            sleepers.pending.retain(|(_, deadline, waker)| {
                let is_due = *deadline <= now;
                if is_due {
                    due.push(waker.clone());
                }
                !is_due
            });
        }
        due.into_iter().for_each(Waker::wake);
    }
}

/// One connection's timer; cheap to clone.
#[derive(Clone, Debug)]
pub struct ConnectionTimer {
    slot: Arc<Slot>,
}

impl Timer for ConnectionTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoarseSleep {
            deadline,
            key: None,
            slot: Arc::clone(&self.slot),
        })
    }
}

/// One sleep: in its connection's slot only once it has been polled and is not yet due.
struct CoarseSleep {
    deadline: Instant,
    /// Its key in the slot, once it is there.
    key: Option<u64>,
    slot: Arc<Slot>,
}

impl CoarseSleep {
    fn leave(&mut self) {
        if let Some(key) = self.key.take() {
            self.slot.lock().pending.retain(|(other, ..)| *other != key);
        }
    }
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            self.leave();
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        let mut sleepers = self.slot.lock();
        let known = self.key.and_then(|key| {
            sleepers
                .pending
                .iter_mut()
                .find(|(other, ..)| *other == key)
        });
        match known {
            // Polled again: keep the waker unless the task's has changed.
            Some((_, _, waker)) => waker.clone_from(context.waker()),
            // First polled.
            None => {
                let key = sleepers.next_key;
                sleepers.next_key += 1;
                sleepers
                    .pending
                    .push((key, deadline, context.waker().clone()));
                drop(sleepers);
                self.key = Some(key);
            }
        }
        Poll::Pending
    }
}

impl Sleep for CoarseSleep {}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        self.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(timer: &ConnectionTimer) -> usize {
        timer.slot.lock().pending.len()
    }

    #[tokio::test]
    async fn sleeps_end_at_their_deadline_within_a_tick() {
        let timers = Timers::start(Duration::from_millis(10));
        let timer = timers.connection();
        let started = Instant::now();
        timer.sleep(Duration::from_millis(50)).await;
        let slept = started.elapsed();
        assert!(slept >= Duration::from_millis(50), "{slept:?}");
        assert!(slept < Duration::from_secs(2), "{slept:?}");
        // A past deadline is ready at once.
        timer.sleep(Duration::ZERO).await;
        assert_eq!(pending(&timer), 0);
    }

    #[tokio::test]
    async fn sleeps_of_one_connection_all_end() {
        let timers = Timers::start(Duration::from_millis(10));
        let timer = timers.connection();
        let other = timers.connection();
        let started = Instant::now();
        let long = tokio::spawn(timer.sleep(Duration::from_millis(80)));
        let short = tokio::spawn(timer.sleep(Duration::from_millis(30)));
        let elsewhere = tokio::spawn(other.sleep(Duration::from_millis(30)));
        short.await.unwrap();
        elsewhere.await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(30));
        long.await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(80));
        assert_eq!(pending(&timer) + pending(&other), 0);
    }

    #[tokio::test]
    async fn dropped_sleeps_leave_nothing_behind() {
        let timers = Timers::start(Duration::from_millis(10));
        let timer = timers.connection();
        for _ in 0..100 {
            let mut sleep = timer.sleep(Duration::from_secs(60));
            let mut context = Context::from_waker(Waker::noop());
            assert!(sleep.as_mut().poll(&mut context).is_pending());
            assert!(sleep.as_mut().poll(&mut context).is_pending());
            assert_eq!(pending(&timer), 1);
        }
        assert_eq!(pending(&timer), 0);
    }

    #[tokio::test]
    async fn closed_connections_are_forgotten_and_the_task_ends_with_the_timers() {
        let timers = Timers::start(Duration::from_millis(5));
        let timer = timers.connection();
        let _kept = timers.connection();
        drop(timer);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(timers.slots.lock().unwrap().len(), 1);
        let weak = Arc::downgrade(&timers.slots);
        drop(timers);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(weak.upgrade().is_none());
    }
}
