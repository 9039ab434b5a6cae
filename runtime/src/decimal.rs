//! `Decimal`: TOP's `Price` and `BigDecimal`, an exact decimal kept as its validated text.
//!
//! Amounts must round-trip exactly (`200.07`, `0.10` with its trailing zero), so the value is
//! never turned into a binary float and no arithmetic is offered: the text that was given or
//! received is the text that is sent or shown.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An exact decimal number as TOP sends it: `200.07`, `-3`, `0.10`, `1.5E+3`.
///
/// The text is a JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, which Java's
/// `new BigDecimal(String)` also accepts) and is kept exactly as given, trailing zeros
/// included; equality compares the text, so `0.1` and `0.10` differ.
///
/// Serde: serialized as an exact JSON number by `serde_json` (through its `RawValue`, so
/// `{"price":200.07}`); other serializers see serde_json's raw-value token struct, so use
/// [`Decimal::as_str`] with them. Deserialized from a decimal string or a JSON number:
/// integers exactly, a float as its shortest round-trip text (`200.07` stays `200.07`).
///
/// ```
/// use top_runtime::Decimal;
/// let price: Decimal = "0.10".parse()?;
/// assert_eq!(price.as_str(), "0.10");
/// assert_eq!(serde_json::to_string(&price).unwrap(), "0.10");
/// assert!("1,5".parse::<Decimal>().is_err());
/// # Ok::<(), top_runtime::decimal::ParseDecimalError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

/// Why a text is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDecimalError {
    input: String,
}

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a decimal number (expected digits with an optional sign, fraction and \
             exponent, like 200.07 or -3)",
            self.input
        )
    }
}

impl std::error::Error for ParseDecimalError {}

/// Whether `s` matches the JSON number grammar, which is what lets the text go out as a raw
/// JSON number unchanged.
fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let start = i;
    let int = digits(&mut i);
    // JSON forbids leading zeros (`007`), and so a raw number could not carry them.
    if int == 0 || (int > 1 && b[start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

impl Decimal {
    /// The decimal text, exactly as validated.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The decimal text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_decimal(s) {
            Ok(Decimal(s.to_owned()))
        } else {
            Err(ParseDecimalError {
                input: s.to_owned(),
            })
        }
    }
}

impl TryFrom<String> for Decimal {
    type Error = ParseDecimalError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        if is_decimal(&s) {
            Ok(Decimal(s))
        } else {
            Err(ParseDecimalError { input: s })
        }
    }
}

impl From<i64> for Decimal {
    fn from(n: i64) -> Self {
        Decimal(n.to_string())
    }
}

impl From<u64> for Decimal {
    fn from(n: u64) -> Self {
        Decimal(n.to_string())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The text is a valid JSON number by construction; as a `RawValue` serde_json writes
        // it verbatim, so no float ever touches the amount.
        let raw = serde_json::value::RawValue::from_string(self.0.clone())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// The shortest text that reads back as `f` (Rust's `Display` of `f64`), for numbers that
/// reached us as floats.
fn float_text<E: de::Error>(f: f64) -> Result<Decimal, E> {
    if f.is_finite() {
        Decimal::from_str(&f.to_string()).map_err(E::custom)
    } else {
        Err(E::custom(format!("{f} is not a decimal number")))
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DecimalVisitor;

        impl Visitor<'_> for DecimalVisitor {
            type Value = Decimal;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number or a string holding one")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }

            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }

            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                float_text(v)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                // Surrounding whitespace is how text sometimes arrives (XML, hand-written
                // JSON); it is never part of the number.
                Decimal::from_str(v.trim()).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(DecimalVisitor)
    }
}

impl Decimal {
    /// Reads a JSON value leniently: a number exactly as serde_json holds it, or a string
    /// holding a decimal; `None` for null and blank strings.
    pub(crate) fn from_json(value: serde_json::Value) -> Result<Option<Decimal>, String> {
        match value {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::Number(n) => {
                if n.is_f64() {
                    n.as_f64()
                        .map(float_text::<serde_json::Error>)
                        .transpose()
                        .map_err(|e| e.to_string())
                } else {
                    // Integers keep every digit; serde_json's integer text is exact.
                    Decimal::from_str(&n.to_string())
                        .map(Some)
                        .map_err(|e| e.to_string())
                }
            }
            serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
            serde_json::Value::String(s) => Decimal::from_str(s.trim())
                .map(Some)
                .map_err(|e| e.to_string()),
            other => Err(format!("expected a decimal number, found {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_json_numbers_and_keeps_the_text() {
        for ok in [
            "0",
            "-0",
            "200.07",
            "0.10",
            "-3",
            "1.5E+3",
            "2e-2",
            "10",
            "123456789012345678901234.5",
        ] {
            let d: Decimal = ok.parse().unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(d.as_str(), ok);
            assert_eq!(d.to_string(), ok);
        }
        for bad in [
            "", " 1", "1 ", "+1", "007", ".5", "5.", "1,5", "1e", "0x10", "NaN", "inf", "--1",
            "1.2.3",
        ] {
            let err = bad.parse::<Decimal>().unwrap_err();
            assert!(err.to_string().contains("is not a decimal number"), "{bad}");
        }
        assert_eq!(Decimal::from(-7i64).as_str(), "-7");
        assert_eq!(Decimal::from(u64::MAX).as_str(), "18446744073709551615");
    }

    #[test]
    fn serializes_as_an_exact_json_number() {
        #[derive(Serialize)]
        struct Item {
            price: Decimal,
            list: Vec<Decimal>,
        }
        let item = Item {
            price: "0.10".parse().unwrap(),
            list: vec!["123456789012345678901234.50".parse().unwrap()],
        };
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"price":0.10,"list":[123456789012345678901234.50]}"#
        );
        assert!(
            serde_json::to_string_pretty(&item)
                .unwrap()
                .contains("\"price\": 0.10")
        );
    }

    #[test]
    fn deserializes_strings_and_numbers() {
        let d: Decimal = serde_json::from_str("\"0.10\"").unwrap();
        assert_eq!(d.as_str(), "0.10");
        let d: Decimal = serde_json::from_str("200.07").unwrap();
        assert_eq!(d.as_str(), "200.07");
        let d: Decimal = serde_json::from_str("3882527336184474047").unwrap();
        assert_eq!(d.as_str(), "3882527336184474047");
        let d: Decimal = serde_json::from_str("-12").unwrap();
        assert_eq!(d.as_str(), "-12");
        assert!(serde_json::from_str::<Decimal>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Decimal>("true").is_err());
        // Round trip through serde_json keeps the text.
        let d: Decimal = "0.10".parse().unwrap();
        let back: Decimal = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        // A float reached as f64 comes back as its shortest text: the trailing zero is the
        // one thing a binary number cannot carry.
        assert_eq!(back.as_str(), "0.1");
    }

    #[test]
    fn lenient_json_values() {
        use serde_json::json;
        assert_eq!(
            Decimal::from_json(json!("  200.07 ")).unwrap(),
            Some("200.07".parse().unwrap())
        );
        assert_eq!(
            Decimal::from_json(json!(200.07)).unwrap(),
            Some("200.07".parse().unwrap())
        );
        assert_eq!(
            Decimal::from_json(json!(9007199254740993i64)).unwrap(),
            Some("9007199254740993".parse().unwrap())
        );
        assert_eq!(Decimal::from_json(json!("")).unwrap(), None);
        assert_eq!(Decimal::from_json(json!(null)).unwrap(), None);
        assert!(Decimal::from_json(json!("1,5")).is_err());
        assert!(Decimal::from_json(json!([1])).is_err());
    }
}
