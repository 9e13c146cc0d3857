//! How many password checks may run at once. Argon2id is memory-hard (about 19 MiB a check),
//! so an unbounded flood of sign-ins would exhaust memory and the blocking pool; instead a
//! check beyond the limits is refused at once with 503 and `Retry-After`, before any hashing.
//! Two limits: one for the whole server, and one per client address so that a single client
//! cannot take every slot.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// A refused check is worth retrying almost at once: a check takes a fraction of a second.
const RETRY_AFTER_SECS: u64 = 1;

#[derive(Clone, Debug)]
pub struct HashGate {
    total: Arc<Semaphore>,
    per_client: usize,
    /// Checks running per client address; an address with none is removed.
    running: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// A slot to run one password check in; dropping it frees the slot.
#[derive(Debug)]
pub struct HashPermit {
    _total: OwnedSemaphorePermit,
    client: IpAddr,
    running: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl HashGate {
    pub fn new(total: usize, per_client: usize) -> Self {
        HashGate {
            total: Arc::new(Semaphore::new(total)),
            per_client,
            running: Arc::default(),
        }
    }

    /// A slot for `client`, or `Busy` when the server or this client is at its limit.
    pub fn enter(&self, client: IpAddr) -> Result<HashPermit, AppError> {
        let busy = AppError::Busy {
            retry_after_secs: RETRY_AFTER_SECS,
        };
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let of_client = running.entry(client).or_default();
        if *of_client >= self.per_client {
            tracing::warn!(%client, "sign-in refused: this client is checking too many passwords at once");
            return Err(busy);
        }
        let Ok(total) = self.total.clone().try_acquire_owned() else {
            if *of_client == 0 {
                running.remove(&client);
            }
            tracing::warn!(%client, "sign-in refused: the server is checking too many passwords at once");
            return Err(busy);
        };
        *of_client += 1;
        Ok(HashPermit {
            _total: total,
            client,
            running: self.running.clone(),
        })
    }
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = running.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_total_limit_refuses_beyond_k_until_a_slot_is_freed() {
        let gate = HashGate::new(2, 2);
        let a = gate.enter(ip("192.0.2.1")).unwrap();
        let _b = gate.enter(ip("192.0.2.2")).unwrap();
        assert!(matches!(
            gate.enter(ip("192.0.2.3")),
            Err(AppError::Busy { .. })
        ));
        drop(a);
        assert!(gate.enter(ip("192.0.2.3")).is_ok());
    }

    #[test]
    fn one_client_cannot_take_every_slot() {
        let gate = HashGate::new(8, 1);
        let first = gate.enter(ip("192.0.2.1")).unwrap();
        assert!(gate.enter(ip("192.0.2.1")).is_err());
        assert!(
            gate.enter(ip("192.0.2.2")).is_ok(),
            "another client still gets in"
        );
        drop(first);
        assert!(gate.enter(ip("192.0.2.1")).is_ok());
        assert!(
            gate.running.lock().unwrap().is_empty(),
            "no address is remembered once its checks end"
        );
    }
}
