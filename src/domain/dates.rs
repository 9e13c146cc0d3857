//! Calendar dates from Unix seconds, without a date library in the browser build. UTC, which
//! is also what Stripe's dashboard and invoices use for a payment's date.

/// (year, month 1-12, day 1-31) of the UTC day containing `unix_secs`.
pub fn civil_date(unix_secs: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm (public domain), exact for every i64 day.
    let days = unix_secs.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// "2026-11-27", for machines (CSV, `<time datetime>`).
pub fn iso_date(unix_secs: i64) -> String {
    let (year, month, day) = civil_date(unix_secs);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_fall_on_their_days() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(86_399), (1970, 1, 1));
        assert_eq!(civil_date(951_782_400), (2000, 2, 29));
        // 2026-11-27T12:00:00Z
        assert_eq!(civil_date(1_795_780_800), (2026, 11, 27));
        assert_eq!(civil_date(-1), (1969, 12, 31));
    }

    #[test]
    fn iso_dates_are_year_month_day() {
        assert_eq!(iso_date(1_795_780_800), "2026-11-27");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
    }
}
