//! How long an email address is locked after repeated failed sign-ins.
//!
//! The first few failures are free (typos happen); after that each failure doubles the lock,
//! starting at 30 seconds and capped at 15 minutes, which makes online guessing hopeless
//! without locking a real admin out for long.

pub const FREE_FAILURES: i64 = 4;
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 15 * 60;
/// An address with no failure for this long starts again from nothing (its row is removed).
pub const FORGET_AFTER_SECS: i64 = 24 * 60 * 60;

/// What one more attempt on an address may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Refused without checking the password.
    Locked { until: i64 },
    /// Checked, and counted as a failure before the check (a success clears the count). When
    /// it is one failure too many the lock starts now, before the check, so that attempts
    /// arriving meanwhile are refused instead of all being checked.
    Counted { failures: i64, locked_until: i64 },
}

/// The address has `failures` so far and is locked until `locked_until`.
pub fn admit(failures: i64, locked_until: i64, now: i64) -> Admission {
    if locked_until > now {
        return Admission::Locked {
            until: locked_until,
        };
    }
    let failures = failures + 1;
    Admission::Counted {
        failures,
        locked_until: lock_secs_after(failures).map_or(locked_until, |secs| now + secs),
    }
}

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
    fn the_attempt_that_earns_a_lock_starts_it_and_later_ones_are_refused() {
        let now = 1_000;
        let mut failures = 0;
        let mut locked_until = 0;
        for _ in 0..FREE_FAILURES {
            match admit(failures, locked_until, now) {
                Admission::Counted {
                    failures: f,
                    locked_until: l,
                } => (failures, locked_until) = (f, l),
                locked => panic!("free attempt refused: {locked:?}"),
            }
        }
        assert_eq!(locked_until, 0);
        assert_eq!(
            admit(failures, locked_until, now),
            Admission::Counted {
                failures: FREE_FAILURES + 1,
                locked_until: now + 30
            }
        );
        assert_eq!(
            admit(FREE_FAILURES + 1, now + 30, now + 29),
            Admission::Locked { until: now + 30 }
        );
        assert_eq!(
            admit(FREE_FAILURES + 1, now + 30, now + 30),
            Admission::Counted {
                failures: FREE_FAILURES + 2,
                locked_until: now + 30 + 60
            }
        );
    }

    #[test]
    fn locks_double_then_cap() {
        assert_eq!(lock_secs_after(FREE_FAILURES + 1), Some(30));
        assert_eq!(lock_secs_after(FREE_FAILURES + 2), Some(60));
        assert_eq!(lock_secs_after(FREE_FAILURES + 3), Some(120));
        assert_eq!(lock_secs_after(FREE_FAILURES + 50), Some(MAX_LOCK_SECS));
    }
}
