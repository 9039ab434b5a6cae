//! The spec format: what one YAML file in `specs/` says about one TOP API.
//!
//! These types are filled by `parse` (which keeps every value's location for diagnostics)
//! and describe the format to editors: `topgen schema` derives the JSON Schema from them,
//! doc comments included.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::diag::Span;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// One TOP API, as its documentation page states it. Invent nothing: every value comes from
/// the page, except the optional `rust_name`s.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "topgen TOP API spec")]
pub struct Spec {
    /// The TOP method name as documented, e.g. `tmall.fin.car.open.bill.notify` or
    /// `taobao.miniapp.userInfo.get`: dotted segments of ASCII letters, digits, `_` and `-`,
    /// starting with a lowercase letter. The file must be named `<method>.yaml`.
    pub method: Located<String>,
    /// The page's Chinese title, the text in brackets after the method name.
    pub title: Option<Located<String>>,
    /// The page's description paragraph.
    pub description: Option<Located<String>>,
    /// The last breadcrumb entry (API类目), e.g. `天猫汽车`.
    pub category: Option<Located<String>>,
    /// Which client family sends it: `top` (`DefaultTaobaoClient`) or `qimen`
    /// (`DefaultQimenCloudClient`, sent with `target_app_key`).
    pub client: Located<Client>,
    /// Whether a user session key is needed: the sample's `client.execute(req, sessionKey)`
    /// means `required`.
    pub session: Located<Session>,
    /// 请求参数, in page order.
    #[serde(default)]
    pub request: Vec<Field>,
    /// 响应参数, in page order.
    #[serde(default)]
    pub response: Vec<Field>,
    /// Every struct type named by a field, with its fields (the page's `└` rows).
    #[serde(default)]
    pub structs: Vec<StructDef>,
    /// The page's response and error examples, verbatim.
    #[serde(default)]
    pub examples: Option<Examples>,
}

/// The client family of an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Client {
    /// The TOP REST gateway.
    Top,
    /// The Qimen (奇门) cloud gateway.
    Qimen,
}

impl Client {
    pub const NAMES: &[&str] = &["top", "qimen"];
}

/// Whether an API needs a user session key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Session {
    None,
    Optional,
    Required,
}

impl Session {
    pub const NAMES: &[&str] = &["none", "optional", "required"];
}

/// A request or response parameter, or a field of a struct.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The wire name exactly as documented, typos included (`bill_status_equest_top`).
    pub name: Located<String>,
    /// A Rust name for the field when the wire name makes a poor one.
    pub rust_name: Option<Located<String>>,
    /// `String`, `Number` (a Java Long), `Boolean`, `Date` (`yyyy-MM-dd HH:mm:ss`, China time),
    /// `Price` or `BigDecimal` (exact decimals), `Json` (any JSON value), `Map` (a JSON
    /// object), `FieldList` (comma-separated field names), `File` (a file upload: the doc's
    /// `byte`/`byte[]`), a struct defined under `structs`, or a list of any of these written
    /// `Type[]` (the page's `Type []`).
    #[serde(rename = "type")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*(\[\])?$"))]
    pub ty: Located<String>,
    /// 是否必须: `true` for 必须.
    #[serde(default)]
    pub required: Option<Located<bool>>,
    /// 示例值, as written on the page.
    #[schemars(with = "ScalarText")]
    pub example: Option<Located<String>>,
    /// 描述, verbatim (limits and codes stated in it are also captured structurally below).
    pub description: Option<Located<String>>,
    /// 最大长度: in UTF-16 units for `String`, in digits for `Number`, in bytes for `File`.
    pub max_length: Option<Located<u64>>,
    /// The most elements a list may hold (also when stated in prose: `一批次最大100条`); on a
    /// `String` or `FieldList`, the most comma-separated values.
    pub max_items: Option<Located<u64>>,
    /// The smallest value a `Number` may take.
    pub min_value: Option<Located<i64>>,
    /// The largest value a `Number` may take.
    pub max_value: Option<Located<i64>>,
    /// The documented values, when the description lists them (`0.退车,1.买断`,
    /// `ALI 阿里客户`). Generated as an enum that keeps unknown values.
    pub values: Option<Located<Vec<CodedValue>>>,
    /// The Rust name of the enum generated for `values`; defaults to the field's name in
    /// UpperCamelCase.
    pub enum_name: Option<Located<String>>,
}

/// One documented value of a coded field.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodedValue {
    /// The value as sent on the wire (`ALI`, `0`).
    #[schemars(with = "ScalarText")]
    pub code: Located<String>,
    /// What the page says the value means (`阿里客户`, `退车`).
    pub description: Option<Located<String>>,
    /// The enum variant's name; required when the code does not start with a letter.
    pub rust_name: Option<Located<String>>,
}

/// A struct type used by fields.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StructDef {
    /// The type name as documented (`BillStatusRequestTop`, or the sample code's class name).
    /// Any name but a built-in type's (`String`, `Map`, `File`…); `Result` or `Option` are
    /// fine: generated code names std items by full path.
    pub name: Located<String>,
    /// A Rust name for the type when the documented one makes a poor one.
    pub rust_name: Option<Located<String>>,
    /// What the page says about the type, if anything.
    pub description: Option<Located<String>>,
    /// The type's fields, in page order.
    pub fields: Vec<Field>,
}

/// The page's example payloads (响应示例, 异常示例), verbatim.
#[derive(Debug, Clone, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// 响应示例.
    pub response: Option<Payload>,
    /// 异常示例.
    pub error: Option<Payload>,
}

/// One example in the formats the page gives.
#[derive(Debug, Clone, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// The XML tab's text.
    pub xml: Option<Located<String>>,
    /// The JSON tab's text.
    pub json: Option<Located<String>>,
}

/// One TMC (消息服务) topic, as its documentation page states it: the fields of the message's
/// `content`, read like response fields. The file is `messages/<topic>.yaml`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "topgen TMC message spec")]
pub struct MessageSpec {
    /// The topic as documented, e.g. `taobao_trade_TradeBuyerPay`: ASCII letters, digits and
    /// `_`, starting with a lowercase letter, with at least one `_`. The file must be named
    /// `<topic>.yaml`.
    pub topic: Located<String>,
    /// The page's Chinese title, e.g. `买家付完款，或万人团买家付完尾款`.
    pub title: Option<Located<String>>,
    /// The page's description paragraph.
    pub description: Option<Located<String>>,
    /// The topic's group (消息类目), e.g. `淘宝交易`.
    pub category: Option<Located<String>>,
    /// Where the fields were taken from: the topic's doc page URL, and any other source.
    pub source: Option<Located<String>>,
    /// The content's fields (消息字段), in page order. Never `required`: content is read
    /// leniently, every field optional.
    #[serde(default)]
    pub content: Vec<Field>,
    /// Every struct type named by a content field, with its fields.
    #[serde(default)]
    pub structs: Vec<StructDef>,
    /// The page's content example (消息示例), verbatim JSON.
    pub example: Option<Located<String>>,
}

/// A scalar written as text, a number or a boolean: YAML lets the page's `12` be unquoted.
struct ScalarText;

impl JsonSchema for ScalarText {
    fn schema_name() -> Cow<'static, str> {
        "ScalarText".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// The JSON Schema of the spec format (draft-07, which editors' YAML support understands).
pub fn json_schema() -> String {
    schema_text::<Spec>()
}

/// The JSON Schema of the message spec format (`messages/<topic>.yaml`), as [`json_schema()`].
pub fn message_json_schema() -> String {
    schema_text::<MessageSpec>()
}

fn schema_text<T: JsonSchema>() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    // JSON has no comments: the `@generated` note is the first member instead.
    let mut root = serde_json::Map::new();
    root.insert(
        "$comment".into(),
        "@generated by topgen: do not edit; regenerate with `cargo run -p topgen -- generate`"
            .into(),
    );
    if let serde_json::Value::Object(members) = schema.to_value() {
        root.extend(members);
    }
    let mut text = serde_json::to_string_pretty(&root).unwrap_or_default();
    text.push('\n');
    text
}
