//! TOP's date-time: a civil `yyyy-MM-dd HH:mm:ss` in China time (fixed UTC+8).
//!
//! TOP never sends a zone, and China has had no daylight saving since 1991, so a fixed
//! offset is exact and needs no time-zone database.

use std::fmt;
use std::str::FromStr;

use jiff::civil;
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The offset of China Standard Time, in which TOP reads and writes every date.
pub const CHINA_OFFSET: Offset = Offset::constant(8);

/// The one wire format TOP uses for dates.
pub const FORMAT: &str = "yyyy-MM-dd HH:mm:ss";

/// A TOP `Date`: civil date and time in China time, second precision.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(civil::DateTime);

/// A string that is not a `yyyy-MM-dd HH:mm:ss` date-time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeParseError {
    /// The rejected input.
    pub input: String,
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a date-time of the form {FORMAT}",
            self.input
        )
    }
}

impl std::error::Error for DateTimeParseError {}

impl DateTime {
    /// A date-time from its civil parts; `None` when they name no real instant of the calendar.
    pub fn new(year: i16, month: i8, day: i8, hour: i8, minute: i8, second: i8) -> Option<Self> {
        civil::DateTime::new(year, month, day, hour, minute, second, 0)
            .ok()
            .map(Self)
    }

    /// The China-time civil reading of an instant.
    pub fn from_timestamp(timestamp: jiff::Timestamp) -> Self {
        Self::from(CHINA_OFFSET.to_datetime(timestamp))
    }

    /// The China-time reading of milliseconds since the Unix epoch, as TOP sends some dates.
    pub fn from_epoch_millis(millis: i64) -> Option<Self> {
        jiff::Timestamp::from_millisecond(millis)
            .ok()
            .map(Self::from_timestamp)
    }

    /// Now, read in China time whatever the machine's zone.
    pub fn now() -> Self {
        Self::from_timestamp(jiff::Timestamp::now())
    }

    /// The instant this China-time reading stands for.
    pub fn to_timestamp(self) -> Option<jiff::Timestamp> {
        CHINA_OFFSET.to_timestamp(self.0).ok()
    }

    /// The civil date-time.
    pub fn civil(self) -> civil::DateTime {
        self.0
    }
}

impl From<civil::DateTime> for DateTime {
    fn from(value: civil::DateTime) -> Self {
        // TOP has second precision; a finer reading would not survive the wire.
        Self(value.with().subsec_nanosecond(0).build().unwrap_or(value))
    }
}

impl FromStr for DateTime {
    type Err = DateTimeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateTimeParseError {
            input: s.to_owned(),
        };
        let b = s.as_bytes();
        // Exactly `dddd-dd-dd dd:dd:dd`: the SDKs' SimpleDateFormat would accept looser
        // forms, but the gateway documents this one and a strict reading catches typos.
        let shape_ok = b.len() == 19
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b' ',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| -> i16 {
            b[range]
                .iter()
                .fold(0i16, |acc, d| acc * 10 + i16::from(d - b'0'))
        };
        let narrow = |v: i16| i8::try_from(v).map_err(|_| err());
        Self::new(
            num(0..4),
            narrow(num(5..7))?,
            narrow(num(8..10))?,
            narrow(num(11..13))?,
            narrow(num(14..16))?,
            narrow(num(17..19))?,
        )
        .ok_or_else(err)
    }
}

impl DateTime {
    /// The wire text `yyyy-MM-dd HH:mm:ss`, written into a stack buffer; `None` for a year
    /// outside 0..=9999, which has no four-digit form.
    fn wire_bytes(self) -> Option<[u8; 19]> {
        let d = self.0;
        let year = u16::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let mut out = *b"0000-00-00 00:00:00";
        let digits = |out: &mut [u8], mut value: u16| {
            for slot in out.iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        digits(&mut out[0..4], year);
        // Month, day, hour, minute and second are in range by construction (0..=59 at most).
        for (at, part) in [
            (5, d.month()),
            (8, d.day()),
            (11, d.hour()),
            (14, d.minute()),
            (17, d.second()),
        ] {
            digits(&mut out[at..at + 2], part.unsigned_abs().into());
        }
        Some(out)
    }
}

impl DateTime {
    /// Appends the wire text to `out`, as `Display` writes it, without the formatting
    /// machinery for the usual four-digit years: dates are on the call path, as parameters
    /// and in JSON.
    pub(crate) fn push_wire(self, out: &mut String) {
        match self.wire_bytes() {
            Some(bytes) => out.extend(bytes.iter().map(|&b| char::from(b))),
            None => {
                // Writing into a `String` cannot fail.
                let _ = fmt::Write::write_fmt(out, format_args!("{self}"));
            }
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Dates are written for every request that has one: digits straight into a buffer
        // cost a fraction of `write!` with six padded arguments.
        if let Some(text) = self.wire_bytes()
            && let Ok(text) = std::str::from_utf8(&text)
        {
            return f.write_str(text);
        }
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A plain string where possible: `collect_str` goes through the formatting machinery.
        match self.wire_bytes() {
            Some(text) => match std::str::from_utf8(&text) {
                Ok(text) => serializer.serialize_str(text),
                Err(_) => serializer.collect_str(self),
            },
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_wire_form() {
        let d: DateTime = "2019-09-08 22:33:34".parse().unwrap();
        assert_eq!(d.to_string(), "2019-09-08 22:33:34");
        assert_eq!(d, DateTime::new(2019, 9, 8, 22, 33, 34).unwrap());
    }

    #[test]
    fn prints_like_the_padded_format_across_the_range() {
        for (y, mo, d, h, mi, s) in [
            (0, 1, 1, 0, 0, 0),
            (7, 2, 3, 4, 5, 6),
            (999, 12, 31, 23, 59, 59),
            (2024, 2, 29, 9, 8, 7),
            (9999, 12, 31, 23, 59, 59),
            (-1, 1, 1, 0, 0, 0),
            (-9999, 6, 15, 12, 30, 45),
        ] {
            let date = DateTime::new(y, mo, d, h, mi, s).unwrap();
            let want = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
            assert_eq!(date.to_string(), want);
            assert_eq!(serde_json::to_string(&date).unwrap(), format!("\"{want}\""));
        }
    }

    #[test]
    fn rejects_other_shapes_and_impossible_dates() {
        for bad in [
            "2019-9-8 22:33:34",
            "2019-09-08T22:33:34",
            "2019-02-30 00:00:00",
            "2019-09-08 24:00:00",
            "2019-09-08 22:33:34 ",
            "",
            "２０１９-09-08 22:33:34",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn epoch_millis_read_in_china_time() {
        // 2016-01-01T04:00:00Z is noon in Beijing.
        let d = DateTime::from_epoch_millis(1_451_620_800_000).unwrap();
        assert_eq!(d.to_string(), "2016-01-01 12:00:00");
        assert_eq!(
            d.to_timestamp().unwrap().as_millisecond(),
            1_451_620_800_000
        );
    }
}
