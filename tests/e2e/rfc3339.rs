//! Parsing the RFC 3339 timestamps of task and user bodies, to check they are UTC and to compare
//! `updated_at` before and after a PATCH whatever fraction digits a stack prints.

/// Seconds and nanoseconds since the Unix epoch, in UTC.
pub type Instant = (i64, u32);

/// Parses `2026-11-28T11:02:58.123456Z` or `...+00:00`. Returns `None` for anything that is not
/// RFC 3339 with an explicit offset, and `Err`-like `None` is what the checks report.
/// `utc_only` refuses offsets other than `Z`/`+00:00`/`-00:00`.
pub fn parse(text: &str, utc_only: bool) -> Option<Instant> {
    let b = text.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos: u32 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let mut padded: String = frac[..digits].chars().take(9).collect();
        while padded.len() < 9 {
            padded.push('0');
        }
        nanos = padded.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || !matches!(rb[0], b'+' | b'-') || rb[3] != b':' {
                return None;
            }
            let h: i64 = rest[1..3].parse().ok()?;
            let m: i64 = rest[4..6].parse().ok()?;
            let sign = if rb[0] == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
    };
    if utc_only && offset_seconds != 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds,
        nanos,
    ))
}

/// Howard Hinnant's days-from-civil algorithm.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_forms() {
        assert_eq!(parse("1970-01-01T00:00:00Z", true), Some((0, 0)));
        assert_eq!(
            parse("1970-01-01T00:00:01.5+00:00", true),
            Some((1, 500_000_000))
        );
        assert_eq!(
            parse("2026-11-28T11:02:58.123456Z", true),
            Some((1_795_863_778, 123_456_000))
        );
    }

    #[test]
    fn offsets_are_applied_or_refused() {
        assert_eq!(parse("1970-01-01T01:00:00+01:00", false), Some((0, 0)));
        assert_eq!(parse("1970-01-01T01:00:00+01:00", true), None);
    }

    #[test]
    fn rejects_naive_and_malformed_timestamps() {
        assert_eq!(parse("2026-11-28T11:02:58", false), None);
        assert_eq!(parse("2026-11-28 11:02:58.123", false), None);
        assert_eq!(parse("28/11/2026 11:02:58Z", false), None);
        assert_eq!(parse("2026-13-28T11:02:58Z", false), None);
        assert_eq!(parse("2026-11-28T11:02:58.Z", false), None);
    }

    #[test]
    fn orders_by_time_whatever_the_precision() {
        assert!(parse("2026-11-28T11:02:58.9Z", true) < parse("2026-11-28T11:02:59Z", true));
    }
}
