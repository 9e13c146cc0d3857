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
        self.running.send_modify(|n| *n += 1);
        let ended = Ended(self.running.clone());
        tokio::spawn(async move {
            let _ended = ended;
            task.await;
        });
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

/// Counts a task out when it ends, a panic included.
struct Ended(Arc<watch::Sender<usize>>);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}
