//! How long an email address is locked after repeated failed sign-ins.
//!
//! The first few failures are free (typos happen); after that each failure doubles the lock,
//! starting at 30 seconds and capped at 15 minutes, which makes online guessing hopeless
//! without locking a real admin out for long.

pub const FREE_FAILURES: i64 = 4;
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 15 * 60;

/// Seconds to lock the address for after its `failures`-th consecutive failure, if any.
pub fn lock_secs_after(failures: i64) -> Option<i64> {
    if failures <= FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES - 1).min(16) as u32;
    Some((FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_failures_are_free() {
        for n in 1..=FREE_FAILURES {
            assert_eq!(lock_secs_after(n), None);
        }
    }

    #[test]
    fn locks_double_then_cap() {
        assert_eq!(lock_secs_after(FREE_FAILURES + 1), Some(30));
        assert_eq!(lock_secs_after(FREE_FAILURES + 2), Some(60));
        assert_eq!(lock_secs_after(FREE_FAILURES + 3), Some(120));
        assert_eq!(lock_secs_after(FREE_FAILURES + 50), Some(MAX_LOCK_SECS));
    }
}
