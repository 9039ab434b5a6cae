//! China time (UTC+8, no daylight saving) by plain calendar arithmetic on the system clock,
//! so it cannot share a bug with the runtime's `jiff`-based rendering, and does not depend on
//! the machine's time zone.

use std::time::{SystemTime, UNIX_EPOCH};

/// The China offset from UTC, in seconds.
const OFFSET: i64 = 8 * 3600;

/// Seconds since the Unix epoch now (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Renders Unix seconds as `yyyy-MM-dd HH:mm:ss` in China time.
pub fn format(unix: i64) -> String {
    let local = unix + OFFSET;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The current China time as a TOP timestamp.
pub fn now() -> String {
    format(unix_now())
}

/// Parses a TOP timestamp (exactly `yyyy-MM-dd HH:mm:ss`, China time) into Unix seconds.
pub fn parse(text: &str) -> Result<i64, String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b' ',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!("{text:?} is not `yyyy-MM-dd HH:mm:ss`"));
    }
    let num = |from: usize, to: usize| -> i64 {
        bytes[from..to]
            .iter()
            .fold(0, |acc, b| acc * 10 + i64::from(b - b'0'))
    };
    let (year, month, day) = (num(0, 4), num(5, 7), num(8, 10));
    let (hour, minute, second) = (num(11, 13), num(14, 16), num(17, 19));
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(format!("{text:?} is not a valid date and time"));
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_instants() {
        // 2016-01-01T04:00:00Z
        assert_eq!(format(1_451_620_800), "2016-01-01 12:00:00");
        assert_eq!(parse("2016-01-01 12:00:00"), Ok(1_451_620_800));
        // Crosses midnight and the year in UTC+8 only: 2015-12-31T16:00:00Z.
        assert_eq!(format(1_451_577_600), "2016-01-01 00:00:00");
        assert_eq!(format(0), "1970-01-01 08:00:00");
        assert_eq!(parse("2024-02-29 23:59:59"), Ok(1_709_222_399));
        assert_eq!(format(1_709_222_399), "2024-02-29 23:59:59");
    }

    #[test]
    fn round_trips_and_rejects_bad_text() {
        let now = unix_now();
        assert_eq!(parse(&format(now)), Ok(now));
        for bad in [
            "2016-1-01 12:00:00",
            "2016-01-01T12:00:00",
            "2016-02-30 12:00:00",
            "2015-02-29 00:00:00",
            "2016-01-01 24:00:00",
            "2016-01-01 12:00",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
