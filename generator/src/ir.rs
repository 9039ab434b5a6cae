//! The resolved model emission works from: Rust names chosen, types resolved, limits typed.
//! Small on purpose (as in typify/progenitor): everything here is already valid.

use crate::spec::{Client, Session};

/// One API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `tmall.fin.car.open.bill.notify`.
    pub method: String,
    /// Where the spec came from, relative to the workspace: `specs/<method>.yaml`.
    pub spec_path: String,
    /// `tmall_fin_car_open_bill_notify`.
    pub module: String,
    /// The input hash of the spec's text (see `fingerprint`), stamped on generated files.
    pub source_hash: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub client: Client,
    pub session: Session,
    /// The request parameters as a struct named `<Method>Request`.
    pub request: Struct,
    /// The response parameters as a struct named `<Method>Response`.
    pub response: Struct,
    /// Named struct types, in spec order.
    pub structs: Vec<Struct>,
    /// Coded-value enums, in order of first use.
    pub enums: Vec<Enum>,
    pub response_example: Example,
    pub error_example: Example,
}

/// One TMC topic, ready to emit: its content read like a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `taobao_trade_TradeBuyerPay`.
    pub topic: String,
    /// Where the spec came from: `specs/messages/<topic>.yaml`.
    pub spec_path: String,
    /// `taobao_trade_trade_buyer_pay`.
    pub module: String,
    /// The input hash of the spec's text (see `fingerprint`).
    pub source_hash: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub source: Option<String>,
    /// The content as a response-side struct named after the topic
    /// (`TaobaoTradeTradeBuyerPay`).
    pub content: Struct,
    /// Named struct types, in spec order.
    pub structs: Vec<Struct>,
    /// Coded-value enums, in order of first use.
    pub enums: Vec<Enum>,
    /// The documented content, verbatim JSON.
    pub example: Option<String>,
}

/// Which side of the wire a struct is on: requests are strict and validated, responses
/// lenient and all-optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request,
    Response,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// The name the spec uses (`BillStatusRequestTop`).
    pub spec_name: String,
    pub rust_name: String,
    pub description: Option<String>,
    pub role: Role,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: Type,
    pub required: bool,
    pub example: Option<String>,
    pub description: Option<String>,
    pub limits: Limits,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub max_length: Option<u64>,
    pub max_items: Option<u64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
}

/// A built-in value type (specs/README.md lists them with their doc spellings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    String,
    /// A Java Long.
    Number,
    Boolean,
    /// `yyyy-MM-dd HH:mm:ss`, China time.
    Date,
    /// `Price` and `BigDecimal`: an exact decimal, sent as its text.
    Decimal,
    /// Any JSON value, sent as compact JSON text.
    Json,
    /// A JSON object (`Map`), sent as compact JSON text.
    JsonMap,
    /// `Field List`: field names, sent comma-separated.
    FieldList,
    /// A file upload (the doc's `byte`/`byte[]`), sent as a multipart part, never signed.
    File,
}

impl Scalar {
    /// Whether the value is sent as JSON text rather than as plain text.
    pub fn is_json(self) -> bool {
        matches!(self, Scalar::Json | Scalar::JsonMap)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Scalar(Scalar),
    /// A struct, by Rust name.
    Struct(String),
    /// A coded-value enum, by Rust name, with the scalar it is sent as.
    Enum(String, Scalar),
    List(Box<Type>),
}

impl Type {
    /// The scalar the value is written as, looking through enums; `None` for structs/lists.
    pub fn scalar(&self) -> Option<Scalar> {
        match self {
            Type::Scalar(s) | Type::Enum(_, s) => Some(*s),
            _ => None,
        }
    }

    /// How a request sends the value: as JSON text (structs, lists of them, `Json`, `Map`),
    /// as file parts, or as plain text.
    pub fn encoding(&self) -> Encoding {
        match self {
            Type::Struct(_) => Encoding::Json,
            Type::Scalar(Scalar::File) => Encoding::File,
            Type::Scalar(s) | Type::Enum(_, s) if s.is_json() => Encoding::Json,
            Type::List(inner) => match inner.encoding() {
                Encoding::Text => Encoding::Text,
                Encoding::Json => Encoding::Json,
                Encoding::File => Encoding::File,
            },
            _ => Encoding::Text,
        }
    }
}

/// How a request parameter goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Plain text; a list comma-joined.
    Text,
    /// One JSON text.
    Json,
    /// Multipart file parts, left out of the signature.
    File,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub rust_name: String,
    /// `String` or `Number`.
    pub base: Scalar,
    /// The description of the field that introduced it.
    pub description: Option<String>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub code: String,
    pub rust_name: String,
    pub description: Option<String>,
}

/// A documented payload, verbatim.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Example {
    pub xml: Option<String>,
    pub json: Option<String>,
}
