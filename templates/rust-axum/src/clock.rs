//! Timestamps as fixed-width RFC 3339 strings in UTC (`2026-01-31T09:05:03.123456Z`).
//!
//! Both databases store them as text (see docs/adr/0001): a fixed width keeps them sortable,
//! and microseconds make `updated_at` move even when a PATCH follows a create immediately.

use time::OffsetDateTime;

/// The current time, formatted for storage and for the API.
pub fn now_rfc3339() -> String {
    format_rfc3339(OffsetDateTime::now_utc())
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
        assert_eq!(now_rfc3339().len(), "2023-11-14T22:13:20.000000Z".len());
    }
}
