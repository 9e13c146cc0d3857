//! Work a request starts and does not wait for (issuing the invoice of a payment the webhook
//! just recorded), counted so that a caller can wait until none is running: shutdown does, and
//! the tests, to check what that work did, or did not do, once it is over. And the flag that
//! says the server is stopping, which the background jobs read between items.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct BackgroundTasks {
    running: Arc<watch::Sender<usize>>,
    stopping: Arc<watch::Sender<bool>>,
}

impl Default for BackgroundTasks {
    fn default() -> Self {
        BackgroundTasks {
            running: Arc::new(watch::Sender::new(0)),
            stopping: Arc::new(watch::Sender::new(false)),
        }
    }
}

impl BackgroundTasks {
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let running = self.track();
        tokio::spawn(async move {
            let _running = running;
            task.await;
        });
    }

    /// Counts work that waits elsewhere (a queued invoice) as running until the guard is
    /// dropped.
    pub fn track(&self) -> Running {
        self.running.send_modify(|n| *n += 1);
        Running(self.running.clone())
    }

    /// The server is shutting down: jobs finish the item they hold and take no other.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Returns once [`stop`](Self::stop) was called.
    pub async fn stopped(&self) {
        let _ = self
            .stopping
            .subscribe()
            .wait_for(|stopping| *stopping)
            .await;
    }

    /// Returns once no task is running.
    pub async fn idle(&self) {
        // `self` holds the sender, so the wait can only end with the count at 0.
        let _ = self.running.subscribe().wait_for(|n| *n == 0).await;
    }
}

/// Counts a piece of work out when dropped: when its task ends, a panic included.
#[derive(Debug)]
pub struct Running(Arc<watch::Sender<usize>>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}
