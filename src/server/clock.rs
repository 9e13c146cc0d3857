//! The server's one clock. Times are Unix seconds (UTC) everywhere: in the database, in the
//! API, and in the calendar arithmetic of `domain::calendar`.

use crate::domain::calendar::DateTime;

/// Seconds since 1970-01-01T00:00:00Z.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The UTC date and time now.
pub fn now() -> DateTime {
    DateTime::from_unix(now_unix())
}
