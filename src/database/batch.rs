//! Calls that share one statement: each hands its part to a task and waits; the task takes
//! everything waiting, runs one statement for all of it, and answers each caller with the
//! result. What a caller gets was done after it asked: it started after the caller's part
//! was taken.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

/// A caller's part, with where its answer goes.
type Waiting<T, R> = (T, oneshot::Sender<R>);

/// A handle to one batching task; the task ends with the last handle.
pub(super) struct Batcher<T, R> {
    sender: mpsc::UnboundedSender<Waiting<T, R>>,
}

impl<T, R> Clone for Batcher<T, R> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
        }
    }
}

impl<T, R> std::fmt::Debug for Batcher<T, R> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl<T: Send + 'static, R: Clone + Send + 'static> Batcher<T, R> {
    /// A task that runs `run` on at most `most` parts at a time.
    pub(super) fn spawn<F, Fut>(most: usize, run: F) -> Self
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = R> + Send,
    {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Waiting<T, R>>();
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut waiting = vec![first];
                while waiting.len() < most {
                    match receiver.try_recv() {
                        Ok(next) => waiting.push(next),
                        Err(_) => break,
                    }
                }
                let (parts, answers): (Vec<T>, Vec<_>) = waiting.into_iter().unzip();
                let result = run(parts).await;
                for answer in answers {
                    let _ = answer.send(result.clone());
                }
            }
        });
        Self { sender }
    }

    /// Hands `part` over and waits for the result of the statement that held it; `None` if the
    /// task is gone.
    pub(super) async fn call(&self, part: T) -> Option<R> {
        let (answer, result) = oneshot::channel();
        self.sender.send((part, answer)).ok()?;
        result.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_callers_share_runs_and_each_gets_a_run_that_started_after_it_asked() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let batcher = Batcher::spawn(64, move |parts: Vec<usize>| {
            let counted = counted.clone();
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                counted.fetch_add(1, Ordering::SeqCst);
                parts
            }
        });
        let callers: Vec<_> = (0..50)
            .map(|part| {
                let batcher = batcher.clone();
                tokio::spawn(async move { (part, batcher.call(part).await.unwrap()) })
            })
            .collect();
        for caller in callers {
            let (part, ran_with) = caller.await.unwrap();
            assert!(ran_with.contains(&part), "{part} was in the run it got");
        }
        let runs = runs.load(Ordering::SeqCst);
        assert!((1..50).contains(&runs), "{runs} runs for 50 callers");
    }
}
