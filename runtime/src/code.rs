//! Coded values: fields whose documentation lists the values they take (`0.退车,1.买断`,
//! `ALI 阿里客户`). Generated enums keep any value they do not know in an `Unknown`
//! variant and write it back unchanged, so a new code from the server never breaks decoding;
//! request validation still flags it, since the documentation lists what the server accepts.

/// Defines the behaviour of a text-coded enum whose last variant is `Unknown(String)`.
///
/// `top_runtime::text_codes!(CustomerType { Ali = "ALI" });`
#[macro_export]
macro_rules! text_codes {
    ($name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        impl $name {
            /// Every documented code, in documentation order.
            pub const CODES: &'static [&'static str] = &[$($code),+];

            /// The code as sent on the wire.
            pub fn code(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)+
                    Self::Unknown(code) => code,
                }
            }

            /// Whether the value is one of the documented codes.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(code: ::std::string::String) -> Self {
                match code.as_str() {
                    $($code => Self::$variant,)+
                    _ => Self::Unknown(code),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let text = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(d)?;
                ::core::result::Result::Ok(Self::from(text))
            }
        }

        impl $crate::validate::Checked for $name {
            fn is_blank(&self) -> bool {
                <str as $crate::validate::Checked>::is_blank(self.code())
            }
            fn check_value(&self, at: &$crate::validate::Path<'_>, rules: &$crate::validate::Rules, errors: &mut $crate::validate::ValidationErrors) {
                $crate::code::check_code(self.is_known(), self.code(), Self::CODES, at, rules, errors);
            }
        }

        impl $crate::api::param::WireValue for $name {
            fn write_wire(&self, out: &mut ::std::string::String) -> bool {
                out.push_str(self.code());
                true
            }
        }

        impl $crate::lenient::Item for $name {
            fn from_json(value: $crate::__private::serde_json::Value) -> ::core::result::Result<::core::option::Option<Self>, $crate::lenient::Error> {
                ::core::result::Result::Ok(<::std::string::String as $crate::lenient::Item>::from_json(value)?.map(Self::from))
            }
            fn read(reader: &mut $crate::lenient::Reader<'_>) -> ::core::result::Result<::core::option::Option<Self>, $crate::lenient::Error> {
                ::core::result::Result::Ok(<::std::string::String as $crate::lenient::Item>::read(reader)?.map(Self::from))
            }
        }

        impl $crate::strict::Item for $name {
            fn from_json(value: $crate::__private::serde_json::Value) -> ::core::result::Result<Self, $crate::strict::Error> {
                ::core::result::Result::Ok(Self::from(<::std::string::String as $crate::strict::Item>::from_json(value)?))
            }
        }

        impl $crate::view::AsJson for $name {
            fn as_json(&self) -> $crate::view::JsonView<'_> {
                $crate::view::JsonView::Text(self.code())
            }
        }
    };
}

/// Defines the behaviour of a number-coded enum whose last variant is `Unknown(i64)`.
///
/// `top_runtime::number_codes!(InstallType { NoInstallation = 0, InStore = 1 });`
#[macro_export]
macro_rules! number_codes {
    ($name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        impl $name {
            /// Every documented code, in documentation order.
            pub const CODES: &'static [i64] = &[$($code),+];

            /// The code as sent on the wire.
            pub fn code(&self) -> i64 {
                match self {
                    $(Self::$variant => $code,)+
                    Self::Unknown(code) => *code,
                }
            }

            /// Whether the value is one of the documented codes.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::convert::From<i64> for $name {
            fn from(code: i64) -> Self {
                match code {
                    $($code => Self::$variant,)+
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.code(), f)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                <i64 as $crate::__private::serde::Deserialize>::deserialize(d).map(Self::from)
            }
        }

        impl $crate::validate::Checked for $name {
            fn check_value(&self, at: &$crate::validate::Path<'_>, rules: &$crate::validate::Rules, errors: &mut $crate::validate::ValidationErrors) {
                let code = self.code();
                <i64 as $crate::validate::Checked>::check_value(&code, at, rules, errors);
                if !self.is_known() {
                    $crate::code::push_unknown(&code.to_string(), Self::CODES.iter().map(|c| c.to_string()).collect(), at, errors);
                }
            }
        }

        impl $crate::api::param::WireValue for $name {
            fn write_wire(&self, out: &mut ::std::string::String) -> bool {
                <i64 as $crate::api::param::WireValue>::write_wire(&self.code(), out)
            }
        }

        impl $crate::lenient::Item for $name {
            fn from_json(value: $crate::__private::serde_json::Value) -> ::core::result::Result<::core::option::Option<Self>, $crate::lenient::Error> {
                ::core::result::Result::Ok(<i64 as $crate::lenient::Item>::from_json(value)?.map(Self::from))
            }
            fn read(reader: &mut $crate::lenient::Reader<'_>) -> ::core::result::Result<::core::option::Option<Self>, $crate::lenient::Error> {
                ::core::result::Result::Ok(<i64 as $crate::lenient::Item>::read(reader)?.map(Self::from))
            }
        }

        impl $crate::strict::Item for $name {
            fn from_json(value: $crate::__private::serde_json::Value) -> ::core::result::Result<Self, $crate::strict::Error> {
                ::core::result::Result::Ok(Self::from(<::core::primitive::i64 as $crate::strict::Item>::from_json(value)?))
            }
        }

        impl $crate::view::AsJson for $name {
            fn as_json(&self) -> $crate::view::JsonView<'_> {
                $crate::view::JsonView::Number(self.code())
            }
        }
    };
}

use crate::validate::{Checked, Path, Rule, Rules, ValidationErrors};

#[doc(hidden)]
pub fn check_code(
    known: bool,
    code: &str,
    codes: &[&str],
    at: &Path<'_>,
    rules: &Rules,
    errors: &mut ValidationErrors,
) {
    code.check_value(at, rules, errors);
    if !known {
        push_unknown(
            code,
            codes.iter().map(|c| (*c).to_owned()).collect(),
            at,
            errors,
        );
    }
}

#[doc(hidden)]
pub fn push_unknown(
    code: &str,
    allowed: Vec<String>,
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    errors.push(
        at,
        Rule::UnknownCode {
            actual: code.to_owned(),
            allowed,
        },
    );
}

#[cfg(test)]
mod tests {
    use crate::validate::{Path, Rule, Rules, ValidationErrors, check};

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Channel {
        GhApp,
        Unknown(String),
    }
    crate::text_codes!(Channel { GhApp = "GH_APP" });

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum InstallType {
        NoInstallation,
        InStore,
        Unknown(i64),
    }
    crate::number_codes!(InstallType { NoInstallation = 0, InStore = 1 });

    #[test]
    fn known_and_unknown_codes_round_trip() {
        assert_eq!(
            serde_json::from_str::<Channel>("\"GH_APP\"").unwrap(),
            Channel::GhApp
        );
        let new: Channel = serde_json::from_str("\"NEW_ONE\"").unwrap();
        assert_eq!(new, Channel::Unknown("NEW_ONE".into()));
        assert_eq!(serde_json::to_string(&new).unwrap(), "\"NEW_ONE\"");
        let n: InstallType = serde_json::from_str("7").unwrap();
        assert_eq!(n, InstallType::Unknown(7));
        assert_eq!(serde_json::to_string(&n).unwrap(), "7");
        assert_eq!(serde_json::to_string(&InstallType::InStore).unwrap(), "1");
        assert_eq!(InstallType::NoInstallation.code(), 0);
    }

    #[test]
    fn unknown_codes_fail_validation() {
        let mut errors = ValidationErrors::new();
        check(
            &mut errors,
            &Path::ROOT,
            "channel",
            &Channel::from("X"),
            Rules::new().max_length(32),
        );
        check(
            &mut errors,
            &Path::ROOT,
            "install_type",
            &InstallType::from(1),
            Rules::new(),
        );
        check(
            &mut errors,
            &Path::ROOT,
            "install_type",
            &InstallType::from(9),
            Rules::new(),
        );
        let rules: Vec<_> = errors.into_iter().map(|v| (v.path, v.rule)).collect();
        assert_eq!(
            rules,
            vec![
                (
                    "channel".to_owned(),
                    Rule::UnknownCode {
                        actual: "X".into(),
                        allowed: vec!["GH_APP".into()]
                    }
                ),
                (
                    "install_type".to_owned(),
                    Rule::UnknownCode {
                        actual: "9".into(),
                        allowed: vec!["0".into(), "1".into()]
                    }
                ),
            ]
        );
    }
}
