//! Time: the current instant at the precision both databases store, and the API's
//! fixed-width RFC 3339 UTC form (`2026-01-31T09:05:03.123456Z`).
//!
//! PostgreSQL keeps `timestamptz` to the microsecond and SQLite keeps the text sqlx writes, so
//! `now()` drops the nanoseconds: a task read back equals the task that was written, and six
//! digits make `updated_at` move even when a PATCH follows a create immediately.

use time::OffsetDateTime;

/// The current time in UTC, truncated to whole microseconds.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.microsecond() * 1_000)
        .unwrap_or(now)
}

/// Formats any instant as UTC RFC 3339 with exactly six fractional digits.
pub fn format_rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

/// `#[serde(with = "rfc3339")]` for timestamps in API responses.
pub mod rfc3339 {
    use serde::Serializer;
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_rfc3339(*at))
    }
}

/// Seconds since the Unix epoch, for JWT `iat`/`exp`.
pub fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_fixed_width_in_utc() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(format_rfc3339(at), "2023-11-14T22:13:20.000000Z");
        let offset = at.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(format_rfc3339(offset), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn now_has_microsecond_precision() {
        let now = now();
        assert_eq!(now.nanosecond() % 1_000, 0);
        assert_eq!(now.offset(), time::UtcOffset::UTC);
    }
}
