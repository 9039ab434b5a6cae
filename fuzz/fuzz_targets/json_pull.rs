//! The pull reader (`lenient::Reader`) against the tree reader (`lenient::Fields` over a
//! `serde_json::Value`), on any bytes.
//!
//! Input: one mode byte, then the body. Mode bit 0: the body is a whole response to decode
//! (bit 1 XML, bit 2 simplify, bits 3–4 which API) rather than a value to read (bit 1: an
//! XML document whose root is read).
//!
//! Invariants: nothing panics; the reader takes a document out whole exactly when
//! serde_json parses it (and it nests at most 64 levels), as the same value; a pair of
//! structs with a field of every lenient type, read by hand-written code of both kinds
//! (the pull one as the generator writes it), reads every valid document to the same value
//! or the same error (path and message), unless the reader gave up, which it may only do on
//! a repeated member; and `decode_response` (pull first) answers as the tree decoder does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use top_apis::{
    QimenTmallCarLeaseSignstatusSynchronizeRequest, TaobaoAliautoRiskInfoTmallYcServiceSyncRequest,
    TmallFinCarOpenBillNotifyRequest,
};
use top_runtime::lenient::{self, Error, Fields, Item, Reader};
use top_runtime::prepare::Format;
use top_runtime::response::{self, ResponseError, ResponseSpec};
use top_runtime::{ApiRequest, DateTime, Decimal, Json, JsonMap};

macro_rules! pair {
    ($old:ident, $new:ident { $($field:ident: $ty:ty | $nty:ty = $wire:literal $how:ident),* $(,)? }) => {
        #[derive(Default, PartialEq)]
        struct $old { $($field: Option<$ty>,)* }
        #[derive(Default, PartialEq)]
        struct $new { $($field: Option<$nty>,)* }

        // One name for both, so that their `Debug` texts compare (content may hold any name).
        impl std::fmt::Debug for $old {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("S")$(.field(stringify!($field), &self.$field))*.finish()
            }
        }
        impl std::fmt::Debug for $new {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("S")$(.field(stringify!($field), &self.$field))*.finish()
            }
        }

        // As the generator wrote it before the pull reader.
        impl Item for $old {
            fn from_json(value: Value) -> Result<Option<Self>, Error> {
                let Some(mut fields) = Fields::new(value)? else { return Ok(None) };
                let read = Self { $($field: fields.$how($wire),)* };
                fields.finish()?;
                Ok(Some(read))
            }
        }

        // As the generator writes it now.
        impl Item for $new {
            fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
                let Some(mut fields) = reader.object()? else { return Ok(None) };
                let mut read = Self::default();
                while let Some(name) = fields.next(reader)? {
                    pair!(@match fields, reader, read, name, 0usize, [$($field $wire $how,)*]);
                }
                fields.finish()?;
                Ok(Some(read))
            }
        }
    };
    (@match $fields:ident, $reader:ident, $read:ident, $name:ident, $i:expr, []) => {
        $fields.skip($reader)
    };
    (@match $fields:ident, $reader:ident, $read:ident, $name:ident, $i:expr, [$field:ident $wire:literal $how:ident, $($rest:tt)*]) => {
        if &*$name == $wire {
            $fields.$how($reader, $i, &mut $read.$field)
        } else {
            pair!(@match $fields, $reader, $read, $name, $i + 1, [$($rest)*])
        }
    };
}

pair!(OldInner, NewInner {
    price: Decimal | Decimal = "p" value,
    number: i64 | i64 = "n" value,
    when: DateTime | DateTime = "w" value,
    flag: bool | bool = "f" value,
    text: String | String = "t" value,
    any: Json | Json = "j" value,
    map: JsonMap | JsonMap = "m" value,
});

pair!(OldOuter, NewOuter {
    items: Vec<OldInner> | Vec<NewInner> = "i" list,
    inner: OldInner | NewInner = "x" value,
    codes: Vec<i64> | Vec<i64> = "c" list,
    names: Vec<String> | Vec<String> = "s" list,
    flag: bool | bool = "f" value,
});

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn values(text: &str) {
    let parsed = serde_json::from_str::<Value>(text).ok();
    let mut reader = Reader::new(text);
    let taken = reader.take_json();
    match &parsed {
        Some(value) if depth(value) <= 64 => {
            assert_eq!(
                taken.as_ref().ok(),
                Some(value),
                "the reader takes it whole"
            )
        }
        Some(_) => assert!(taken.is_err() && reader.abandoned(), "too deep"),
        // The reader reads one value: it may stop before text serde_json rejects.
        None => assert!(
            taken.is_err() || !reader.at_end(),
            "the reader took what serde_json rejects: {text}"
        ),
    }
    let Some(value) = parsed.filter(|v| depth(v) <= 64) else {
        return;
    };
    let old = lenient::read::<OldOuter>(value);
    let mut reader = Reader::new(text);
    let new = lenient::read_from::<NewOuter>(&mut reader);
    if reader.abandoned() {
        assert!(
            repeats_a_member(text),
            "gave up without a repeated member: {text}"
        );
        return;
    }
    match (old, new) {
        (Ok(old), Ok(new)) => {
            assert_eq!(format!("{old:?}"), format!("{new:?}"))
        }
        (Err(old), Err(new)) => assert_eq!(old, new),
        (old, new) => panic!("tree {old:?}, pull {new:?}"),
    }
}

/// The pair read from an XML document's root, the pull way against the tree decoder's
/// `Value` of the root; the pull reader may give up, but never reads a document the tree
/// decoder rejects, and what it reads is what the tree reads.
fn xml_values(text: &str) {
    let spec = ResponseSpec::new("taobao.fuzz.get", Format::Xml).simplify(true);
    let tree = response::decode_value(text.as_bytes(), &spec);
    let Some(mut reader) = Reader::xml_document(text) else {
        return;
    };
    let new = lenient::read_from::<NewOuter>(&mut reader);
    if reader.abandoned() || !reader.at_end() {
        return;
    }
    let value = match tree {
        Ok(value) => value,
        Err(e) => panic!("the pull reader read what the tree rejects ({e}): {text:?}"),
    };
    let old = lenient::read::<OldOuter>(value);
    match (old, new) {
        (Ok(old), Ok(new)) => {
            assert_eq!(format!("{old:?}"), format!("{new:?}"))
        }
        (Err(old), Err(new)) => assert_eq!(old, new),
        (old, new) => panic!("tree {old:?}, pull {new:?}"),
    }
}

/// Whether some object in the document has a member name twice (found by a tolerant
/// parse that keeps every member).
fn repeats_a_member(text: &str) -> bool {
    struct Repeats;
    impl<'de> serde::de::Visitor<'de> for Repeats {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
            let mut any = false;
            while let Some(r) = seq.next_element_seed(Repeats)? {
                any |= r;
            }
            Ok(any)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut seen = std::collections::BTreeSet::new();
            let mut any = false;
            while let Some(key) = map.next_key::<String>()? {
                any |= !seen.insert(key);
                any |= map.next_value_seed(Repeats)?;
            }
            Ok(any)
        }
    }
    impl<'de> serde::de::DeserializeSeed<'de> for Repeats {
        type Value = bool;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_any(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::DeserializeSeed::deserialize(Repeats, &mut de).unwrap_or(false)
}

/// A decode's answer, typed misfits by their path and message.
#[derive(Debug, PartialEq)]
enum Answer {
    Read(String),
    Api(response::ApiError),
    Misfit(String, String),
    Undecodable,
}

fn responses<R: ApiRequest>(body: &[u8], format: Format, simplify: bool)
where
    R::Response: std::fmt::Debug,
{
    let spec = ResponseSpec::new(R::METHOD, format).simplify(simplify);
    let pulled = match response::decode_response::<R>(body, &spec) {
        Ok(read) => Answer::Read(format!("{read:?}")),
        Err(ResponseError::Api(e)) => Answer::Api(e),
        Err(ResponseError::Decode(e)) if e.expected().starts_with("the result of ") => {
            Answer::Misfit(
                e.path().unwrap_or_default().to_owned(),
                e.detail().to_owned(),
            )
        }
        Err(ResponseError::Decode(_)) => Answer::Undecodable,
    };
    // The tree way, as `decode_response` went before the pull reader.
    let tree = match response::decode_value(body, &spec) {
        Ok(value) => match R::read_response(value) {
            Ok(read) => Answer::Read(format!("{read:?}")),
            Err(e) => Answer::Misfit(e.path().to_owned(), e.message().to_owned()),
        },
        Err(ResponseError::Api(e)) => Answer::Api(e),
        Err(ResponseError::Decode(_)) => Answer::Undecodable,
    };
    assert_eq!(pulled, tree);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        if let Ok(text) = std::str::from_utf8(body) {
            if mode & 2 == 0 {
                values(text);
            } else {
                xml_values(text);
            }
        }
        return;
    }
    let format = if mode & 2 != 0 {
        Format::Xml
    } else {
        Format::Json
    };
    let simplify = mode & 4 != 0;
    match (mode >> 3) & 3 {
        0 => responses::<TmallFinCarOpenBillNotifyRequest>(body, format, simplify),
        1 => responses::<TaobaoAliautoRiskInfoTmallYcServiceSyncRequest>(body, format, simplify),
        _ => responses::<QimenTmallCarLeaseSignstatusSynchronizeRequest>(body, format, simplify),
    }
});
