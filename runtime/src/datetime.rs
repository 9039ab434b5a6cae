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

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
        serializer.collect_str(self)
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
