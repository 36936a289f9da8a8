//! Dates as people in Mianyang read them: China Standard Time, UTC+8 all year.

const CST_OFFSET: i64 = 8 * 3600;

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2026-11-28 22:30` in UTC+8.
pub fn format_datetime(unix_secs: i64) -> String {
    let local = unix_secs + CST_OFFSET;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", secs / 3600, (secs % 3600) / 60)
}

/// `2026-11-28` in UTC+8.
pub fn format_date(unix_secs: i64) -> String {
    let (y, m, d) = civil_from_days((unix_secs + CST_OFFSET).div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-28` (midnight in UTC+8) to Unix seconds; `None` for anything that is not a real calendar date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // days_from_civil (Howard Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let t = (era * 146_097 + doe - 719_468) * 86_400 - CST_OFFSET;
    // 2026-02-31 would roll over into March: only dates that read back the same exist.
    (civil_from_days((t + CST_OFFSET).div_euclid(86_400)) == (y, m as u32, d as u32)).then_some(t)
}

/// `2026-12-01T09:30` (an HTML `datetime-local` value, read in UTC+8; seconds allowed) to Unix seconds.
pub fn parse_datetime_local(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(['T', ' '])?;
    let day = parse_date(date)?;
    let mut it = time.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = it.next().map_or(Some(0), |v| v.parse().ok())?;
    if it.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&sec) {
        return None;
    }
    Some(day + h * 3600 + m * 60 + sec)
}

/// The `datetime-local` value of a time (UTC+8), for a form field.
pub fn format_datetime_local(unix_secs: i64) -> String {
    format_datetime(unix_secs).replace(' ', "T")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_round_trip() {
        let t = parse_datetime_local("2026-12-01T09:30").unwrap();
        assert_eq!(t, parse_date("2026-12-01").unwrap() + 9 * 3600 + 30 * 60);
        assert_eq!(format_datetime_local(t), "2026-12-01T09:30");
        assert_eq!(parse_datetime_local("2026-12-01 09:30:15"), Some(t + 15));
        for bad in ["2026-12-01", "2026-12-01T24:00", "2026-12-01T09:60", "2026-02-30T09:00", "T09:00", "2026-12-01T9"]
        {
            assert_eq!(parse_datetime_local(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_parse_in_china_time() {
        let t = parse_date("2026-11-28").unwrap();
        assert_eq!(format_datetime(t), "2026-11-28 00:00");
        assert_eq!(parse_date("2028-02-29").map(format_date).as_deref(), Some("2028-02-29"));
        for bad in ["2026-13-01", "2026-02-31", "2027-02-29", "yesterday", "2026-1-1-1", ""] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn formats_in_china_standard_time() {
        assert_eq!(format_datetime(0), "1970-01-01 08:00");
        // 2026-11-28T22:30:00Z is 2026-11-29 06:30 in Mianyang.
        assert_eq!(format_datetime(1_795_905_000), "2026-11-29 06:30");
        assert_eq!(format_date(951_753_600), "2000-02-29");
        assert_eq!(format_date(-86_400 - CST_OFFSET), "1969-12-31");
    }
}
