//! What every generated request tells the runtime: its method, client family, session
//! requirement, response type, and its parameters encoded for the wire.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::validate::Validate;

/// Which gateway family sends an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientFamily {
    /// The TOP REST gateway (`DefaultTaobaoClient`).
    Top,
    /// The Qimen (奇门) cloud gateway (`DefaultQimenCloudClient`), sent with `target_app_key`.
    Qimen,
}

/// Whether an API needs a user session key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SessionRequirement {
    /// Sent without a session key.
    None,
    /// Works with or without one.
    Optional,
    /// Needs the user's session key (`client.execute(req, sessionKey)` in the samples).
    Required,
}

/// A generated request type.
pub trait ApiRequest: Validate {
    /// The TOP method name, `tmall.fin.car.open.bill.notify`.
    const METHOD: &'static str;
    /// The gateway family that sends it.
    const CLIENT: ClientFamily;
    /// Whether a session key is needed.
    const SESSION: SessionRequirement;
    /// The typed success response.
    type Response: DeserializeOwned;

    /// The API parameters under their wire names, encoded as the official SDKs send them;
    /// `None` for absent values, which are left out of the request and the signature.
    fn params(&self) -> Vec<(&'static str, Option<String>)>;
}

/// Encoding of parameter values (TOP-PROTOCOL: Number as decimal, Boolean `true`/`false`,
/// Date in China time, a list of plain values comma-joined, a struct as JSON).
pub mod param {
    use super::Serialize;

    /// A plain value as it is sent.
    pub trait WireValue {
        /// The text sent for the value; `None` when there is nothing to send.
        fn wire(&self) -> Option<String>;
    }

    impl WireValue for String {
        fn wire(&self) -> Option<String> {
            Some(self.clone())
        }
    }

    impl WireValue for i64 {
        fn wire(&self) -> Option<String> {
            Some(self.to_string())
        }
    }

    impl WireValue for bool {
        fn wire(&self) -> Option<String> {
            Some(self.to_string())
        }
    }

    impl WireValue for crate::DateTime {
        fn wire(&self) -> Option<String> {
            Some(self.to_string())
        }
    }

    impl<T: WireValue> WireValue for Option<T> {
        fn wire(&self) -> Option<String> {
            self.as_ref().and_then(WireValue::wire)
        }
    }

    impl<T: WireValue> WireValue for Vec<T> {
        fn wire(&self) -> Option<String> {
            let parts: Vec<String> = self.iter().filter_map(WireValue::wire).collect();
            (!parts.is_empty()).then(|| parts.join(","))
        }
    }

    /// A scalar, coded value or list of them.
    pub fn value<T: WireValue + ?Sized>(value: &T) -> Option<String> {
        value.wire()
    }

    /// A struct or list of structs: one JSON string under the wire names, absent fields left
    /// out, dates as China-time strings, non-ASCII written as is.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
        // Straight to text, not through `serde_json::Value`, whose map would sort the
        // fields: the SDKs send them in declaration order.
        serde_json::to_string(value)
            .ok()
            .filter(|text| text != "null")
    }
}

#[cfg(test)]
mod tests {
    use super::param;

    #[test]
    fn plain_values_follow_the_protocol() {
        assert_eq!(
            param::value(&3882527336184474047i64).as_deref(),
            Some("3882527336184474047")
        );
        assert_eq!(param::value(&true).as_deref(), Some("true"));
        let d: crate::DateTime = "2019-09-08 22:33:34".parse().unwrap();
        assert_eq!(param::value(&d).as_deref(), Some("2019-09-08 22:33:34"));
        assert_eq!(param::value(&vec![1i64, 2, 3]).as_deref(), Some("1,2,3"));
        assert_eq!(param::value(&Option::<i64>::None), None);
        assert_eq!(param::value(&Vec::<i64>::new()), None);
    }

    #[test]
    fn structs_are_one_json_string_with_raw_non_ascii() {
        #[derive(serde::Serialize)]
        struct S {
            name: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            absent: Option<i64>,
        }
        let s = S {
            name: "张三",
            absent: None,
        };
        assert_eq!(param::json(&s).as_deref(), Some(r#"{"name":"张三"}"#));
        assert_eq!(param::json(&Option::<i64>::None), None);
    }
}
