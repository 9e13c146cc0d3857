//! Unix seconds to UTC calendar dates and back (the proleptic Gregorian calendar): the one
//! date algorithm of the app, for the monthly summary, the CSV export and dates shown to people.
//! Pure arithmetic, so it works in the browser as well, without a date library. UTC is also
//! what Stripe's dashboard and invoices use for a payment's date.

const SECS_PER_DAY: i64 = 86_400;

/// A UTC date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl DateTime {
    pub fn from_unix(secs: i64) -> Self {
        let (days, rest) = (secs.div_euclid(SECS_PER_DAY), secs.rem_euclid(SECS_PER_DAY));
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (rest / 3600) as u32,
            minute: (rest % 3600 / 60) as u32,
            second: (rest % 60) as u32,
        }
    }

    /// `2026-11-27`, for machines (file names, `<time datetime>`).
    pub fn iso_date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `2026-11-27T03:18:31Z`.
    pub fn iso8601(&self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.iso_date(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

/// A calendar month, ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i64,
    pub month: u32,
}

impl Month {
    pub fn of_unix(secs: i64) -> Self {
        let date = DateTime::from_unix(secs);
        Month {
            year: date.year,
            month: date.month,
        }
    }

    /// `n` months earlier.
    pub fn minus(self, n: u32) -> Self {
        let index = self.year * 12 + i64::from(self.month) - 1 - i64::from(n);
        Month {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u32,
        }
    }

    /// Unix seconds at the first instant of the month.
    pub fn start_unix(self) -> i64 {
        days_from_civil(self.year, self.month, 1) * SECS_PER_DAY
    }

    /// `2026-11`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The month of a `label`; `None` for anything else.
    pub fn parse(label: &str) -> Option<Self> {
        let (year, month) = label.split_once('-')?;
        let month = month.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Month {
            year: year.parse().ok()?,
            month,
        })
    }
}

// Howard Hinnant's days-from-civil algorithms (public domain), exact for every i64 day, with
// day 0 = 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_become_utc_dates() {
        assert_eq!(DateTime::from_unix(0).iso8601(), "1970-01-01T00:00:00Z");
        assert_eq!(
            DateTime::from_unix(1_795_749_511).iso8601(),
            "2026-11-27T03:18:31Z"
        );
        // A leap day, and the second before a new year.
        assert_eq!(
            DateTime::from_unix(1_709_164_800).iso8601(),
            "2024-02-29T00:00:00Z"
        );
        assert_eq!(
            DateTime::from_unix(1_767_225_599).iso8601(),
            "2025-12-31T23:59:59Z"
        );
        // Before 1970, and the first leap day of a century divisible by 400.
        assert_eq!(DateTime::from_unix(-1).iso8601(), "1969-12-31T23:59:59Z");
        assert_eq!(DateTime::from_unix(951_782_400).iso_date(), "2000-02-29");
    }

    #[test]
    fn months_step_back_across_years_and_start_where_they_should() {
        let november = Month::of_unix(1_795_749_511);
        assert_eq!(november.label(), "2026-11");
        assert_eq!(november.minus(11).label(), "2025-12");
        assert_eq!(november.minus(23).label(), "2024-12");
        assert_eq!(
            Month {
                year: 2024,
                month: 3
            }
            .start_unix(),
            1_709_251_200
        );
        assert_eq!(Month::parse("2026-11"), Some(november));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("November"), None);
        let start = november.start_unix();
        assert_eq!(Month::of_unix(start), november);
        assert_eq!(Month::of_unix(start - 1), november.minus(1));
    }
}
