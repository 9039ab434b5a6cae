#![forbid(unsafe_code)]
//! A 1 MB `taobao.trades.sold.get` page, built deterministically from the catalogue spec
//! (100 trades, every documented field set), as simplified JSON, plain JSON and XML; the
//! generated types that read it, and a plain serde-derive twin of them to compare with.
//!
//! `cargo bench -p top-decode-bench --bench decode` times them.

use serde_json::{Map, Value};

/// The API generated from `specs/` by the build script.
pub mod top {
    include!(concat!(env!("OUT_DIR"), "/top_apis.rs"));
}

/// The serde-derive twin of the response structs, and `twin::SHAPES`.
pub mod twin {
    use super::{Kind, Shape};
    include!(concat!(env!("OUT_DIR"), "/twin.rs"));
}

/// The method the page answers.
pub const METHOD: &str = "taobao.trades.sold.get";

/// What a field holds, as the spec types it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `String`.
    Text,
    /// `Number`.
    Number,
    /// `Boolean`.
    Boolean,
    /// `Date`.
    Date,
    /// `Price`.
    Price,
    /// A struct, by Rust name.
    Struct(&'static str),
    /// A list.
    List(&'static Kind),
}

/// A response struct: its Rust name, the item name of its lists (`order`), its fields.
#[derive(Debug)]
pub struct Shape {
    /// Rust name.
    pub name: &'static str,
    /// The wrapper key of a list of them in plain JSON and the element name in XML.
    pub item: &'static str,
    /// Wire name and kind, in spec order.
    pub fields: &'static [(&'static str, Kind)],
}

/// Trades on the page.
pub const TRADES: usize = 100;
/// Orders per trade: what brings the page to about 1 MB.
pub const ORDERS: usize = 3;

fn shape(name: &str) -> &'static Shape {
    twin::SHAPES
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no struct {name} in the spec"))
}

/// The page as the simplified JSON value: every field set, values varied by a counter.
pub fn page_value() -> Value {
    let mut n = 0u64;
    object(&twin::SHAPES[0], &mut n)
}

fn object(s: &Shape, n: &mut u64) -> Value {
    let mut map = Map::new();
    for (name, kind) in s.fields {
        map.insert((*name).to_owned(), value(name, kind, n));
    }
    Value::Object(map)
}

fn value(name: &str, kind: &Kind, n: &mut u64) -> Value {
    *n += 1;
    let i = *n;
    match kind {
        Kind::Text if is_amount(name) => Value::from(format!("{}.{:02}", i % 1000, i % 100)),
        Kind::Price => Value::from(format!("{}.{:02}", i % 1000, i % 100)),
        Kind::Text => Value::from(match i % 5 {
            0 => format!("杭州市西湖区文三路{i}号 \"旗舰店\" & <仓>"),
            1 => format!("tb{i}_张三"),
            2 => format!("WAIT_SELLER_SEND_GOODS-{i}"),
            3 => format!("买家留言：请尽快发货，谢谢！{i}\n第二行"),
            _ => format!("{i}"),
        }),
        Kind::Number => Value::from(3_882_527_336_184_474_047i64 - i as i64 * 7919),
        Kind::Boolean => Value::from(i.is_multiple_of(2)),
        Kind::Date => Value::from(format!(
            "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}",
            16 + i % 9,
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            (i * 7) % 60
        )),
        Kind::Struct(name) => object(shape(name), n),
        Kind::List(inner) => {
            let count = match (name, inner) {
                ("trades", _) => TRADES,
                ("orders", _) => ORDERS,
                (_, Kind::Struct(_)) => 1,
                _ => 2,
            };
            Value::Array((0..count).map(|_| value(name, inner, n)).collect())
        }
    }
}

fn is_amount(name: &str) -> bool {
    ["fee", "payment", "price", "amount"]
        .iter()
        .any(|w| name.contains(w))
}

/// The page as the gateway sends it with `simplify=true`.
pub fn simplified_json() -> Vec<u8> {
    serde_json::to_vec(&page_value()).expect("a value always serializes")
}

/// The page as the gateway sends it without `simplify`: the `*_response` wrapper, and every
/// list wrapped in an object named after its items (`{"trades": {"trade": [...]}}`).
pub fn plain_json() -> Vec<u8> {
    let mut root = Map::new();
    root.insert(
        "trades_sold_get_response".to_owned(),
        wrap_lists(page_value(), &twin::SHAPES[0]),
    );
    serde_json::to_vec(&Value::Object(root)).expect("a value always serializes")
}

fn wrap_lists(value: Value, s: &Shape) -> Value {
    let Value::Object(mut map) = value else {
        return value;
    };
    for (name, kind) in s.fields {
        let Some(v) = map.remove(*name) else { continue };
        let v = match (kind, v) {
            (Kind::Struct(inner), v) => wrap_lists(v, shape(inner)),
            (Kind::List(Kind::Struct(inner)), Value::Array(items)) => {
                let inner = shape(inner);
                let items = items.into_iter().map(|v| wrap_lists(v, inner)).collect();
                let mut wrapper = Map::new();
                wrapper.insert(inner.item.to_owned(), Value::Array(items));
                Value::Object(wrapper)
            }
            (Kind::List(_), Value::Array(items)) => {
                let mut wrapper = Map::new();
                wrapper.insert("string".to_owned(), Value::Array(items));
                Value::Object(wrapper)
            }
            (_, v) => v,
        };
        map.insert((*name).to_owned(), v);
    }
    Value::Object(map)
}

/// The page as XML: the `*_response` root, lists marked `list="true"`, the gateway's
/// trailing comment.
pub fn xml() -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\" ?>");
    out.push_str("<trades_sold_get_response>");
    xml_members(&page_value(), &twin::SHAPES[0], &mut out);
    out.push_str("</trades_sold_get_response><!--top011001.cm3-->");
    out.into_bytes()
}

fn xml_members(value: &Value, s: &Shape, out: &mut String) {
    for (name, kind) in s.fields {
        if let Some(v) = value.get(*name) {
            xml_element(name, kind, v, out);
        }
    }
}

fn xml_element(name: &str, kind: &Kind, value: &Value, out: &mut String) {
    match (kind, value) {
        (Kind::Struct(inner), v) => {
            out.push_str(&format!("<{name}>"));
            xml_members(v, shape(inner), out);
            out.push_str(&format!("</{name}>"));
        }
        (Kind::List(inner), Value::Array(items)) => {
            out.push_str(&format!("<{name} list=\"true\">"));
            let item = match inner {
                Kind::Struct(s) => shape(s).item,
                _ => "string",
            };
            for v in items {
                xml_element(item, inner, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        (_, Value::String(s)) => {
            out.push_str(&format!("<{name}>"));
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    c => out.push(c),
                }
            }
            out.push_str(&format!("</{name}>"));
        }
        (_, v) => out.push_str(&format!("<{name}>{v}</{name}>")),
    }
}
