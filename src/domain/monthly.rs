//! Sessions and money per calendar month (UTC) over the last twelve months, from the session
//! ledger: purchases add sessions and money in the month they were paid, refunds take them
//! away in the month they were made.

use serde::{Deserialize, Serialize};

use super::calendar::Month;

pub const MONTHS: u32 = 12;

/// One ledger row: when (Unix seconds), sessions (+/−) and money (+/−, minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub at: i64,
    pub sessions: i64,
    pub amount: i64,
}

/// One month's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTotal {
    /// `2026-11`.
    pub month: String,
    /// Sessions bought, less sessions refunded.
    pub sessions: i64,
    /// Money paid, less money refunded, in minor units.
    pub amount: i64,
}

/// The first instant (Unix seconds) of the oldest month shown when it is `now`.
pub fn window_start(now: i64) -> i64 {
    Month::of_unix(now).minus(MONTHS - 1).start_unix()
}

/// Twelve months, oldest first, ending with the month of `now`; months with nothing are 0.
/// Movements outside the window are left out.
pub fn summarize(movements: &[Movement], now: i64) -> Vec<MonthTotal> {
    let current = Month::of_unix(now);
    (0..MONTHS)
        .rev()
        .map(|back| {
            let month = current.minus(back);
            let within = movements.iter().filter(|m| Month::of_unix(m.at) == month);
            MonthTotal {
                month: month.label(),
                sessions: within.clone().map(|m| m.sessions).sum(),
                amount: within.map(|m| m.amount).sum(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-27T03:18:31Z
    const NOW: i64 = 1_795_749_511;

    fn at(year: i64, month: u32) -> i64 {
        Month { year, month }.start_unix() + 3600
    }

    #[test]
    fn twelve_months_oldest_first_ending_now_with_empty_months_as_zero() {
        let months = summarize(&[], NOW);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].month, "2025-12");
        assert_eq!(months[11].month, "2026-11");
        assert!(months.iter().all(|m| m.sessions == 0 && m.amount == 0));
        assert_eq!(
            window_start(NOW),
            Month {
                year: 2025,
                month: 12
            }
            .start_unix()
        );
    }

    #[test]
    fn purchases_and_refunds_count_in_their_own_months() {
        let movements = [
            Movement {
                at: at(2026, 11),
                sessions: 10,
                amount: 20_000,
            },
            Movement {
                at: at(2026, 11),
                sessions: 5,
                amount: 12_500,
            },
            Movement {
                at: at(2026, 11),
                sessions: -2,
                amount: -5_000,
            },
            Movement {
                at: at(2026, 3),
                sessions: 1,
                amount: 2_000,
            },
            // Before the window: left out.
            Movement {
                at: at(2025, 11),
                sessions: 99,
                amount: 99,
            },
        ];
        let months = summarize(&movements, NOW);
        assert_eq!(
            months[11],
            MonthTotal {
                month: "2026-11".into(),
                sessions: 13,
                amount: 27_500
            }
        );
        assert_eq!(
            months[3],
            MonthTotal {
                month: "2026-03".into(),
                sessions: 1,
                amount: 2_000
            }
        );
        assert_eq!(months.iter().map(|m| m.sessions).sum::<i64>(), 14);
    }
}
