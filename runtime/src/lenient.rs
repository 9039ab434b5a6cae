//! Lenient decoding of response fields, as the official SDKs practise it.
//!
//! The gateway is loose with scalars (a Number may come as `"12"`, a Boolean as `"true"`, a
//! Date as epoch milliseconds), XML carries every scalar as text, and without `simplify` a list
//! arrives wrapped as `{"items": {"item": [...]}}`. Every lenient type implements [`Item`],
//! which accepts all of these and nothing that would lose data.
//!
//! Generated response structs read themselves with [`Fields`], member by member, in one
//! non-generic function per struct: no serde derive, no visitor, no per-field
//! `deserialize_with` instantiation. Each `Fields::value::<T>` is shared by every field of
//! type `T` in the crate, which is what keeps thousands of response types cheap to compile.
//! [`value`] and [`list`] remain for hand-written serde structs (`deserialize_with`).

mod xml;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use std::borrow::Cow;

#[cfg(test)]
use crate::DateTime;

use crate::json_pull::{Literal, MAX_DEPTH, Tokens};

/// A JSON value that does not fit its type, and where it sits: `result.items[2].price`.
/// Shared by responses, read leniently here, and requests, read strictly by [`crate::strict`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    path: String,
    message: String,
}

impl Error {
    /// A value that does not fit, at the place being read.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            path: String::new(),
            message: message.into(),
        }
    }

    /// A value that does not fit at `path` (wire names, `a.b[2].c`; empty for the top).
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            path: path.into(),
            message: message.into(),
        }
    }

    /// What serde said about a value read with its own `Deserialize`, at the path it gave.
    pub(crate) fn from_serde(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        Error::at(error.path().to_string(), error.into_inner().to_string())
    }

    /// Where the value sits, in wire names, relative to what was read; empty for the top.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error seen from the object holding it as member `name`. Errors are rare, so the
    /// path is built by prepending on the way out rather than tracked on the way in.
    #[cold]
    pub(crate) fn in_field(mut self, name: &str) -> Self {
        self.path = if self.path.is_empty() {
            name.to_owned()
        } else if self.path.starts_with('[') {
            format!("{name}{}", self.path)
        } else {
            format!("{name}.{}", self.path)
        };
        self
    }

    /// The error seen from the list holding it as element `index`.
    #[cold]
    pub(crate) fn in_element(mut self, index: usize) -> Self {
        self.path = if self.path.is_empty() || self.path.starts_with('[') {
            format!("[{index}]{}", self.path)
        } else {
            format!("[{index}].{}", self.path)
        };
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::new(message)
    }
}

/// A type that can be read leniently from any JSON shape TOP uses for it.
///
/// Two ways in, each defined through the other unless a type gives both (a type must give at
/// least one): from a `Value` tree, and from a [`Reader`] pulling the value from JSON text.
/// Generated structs give [`Item::read`] (the fast way, no tree), hand-written ones may give
/// just [`Item::from_json`].
pub trait Item: Sized {
    /// Reads the value; `Ok(None)` for the shapes TOP uses to say "absent" for this type.
    /// By default: [`Item::read`] over the value's JSON text.
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        let text = value.to_string();
        let mut reader = Reader::new(&text);
        let read = Self::read(&mut reader);
        if reader.abandoned {
            return Err(Error::new(format!(
                "arrays and objects nested deeper than {MAX_DEPTH} levels"
            )));
        }
        read
    }

    /// Reads the value the reader is at, consuming all of it (also when it does not fit).
    /// By default: [`Item::from_json`] of the value taken out whole.
    fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        Self::from_json(reader.take_json()?)
    }
}

/// Reads a struct with its own `Deserialize` (for hand-written serde structs); an empty XML
/// element means absent.
pub fn from_json_object<T: DeserializeOwned>(value: Value) -> Result<Option<T>, Error> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        other => serde_path_to_error::deserialize(other)
            .map(Some)
            .map_err(Error::from_serde),
    }
}

/// The members of a response object, taken out one by one by a generated `from_json`:
///
/// ```ignore
/// let Some(mut fields) = Fields::new(value)? else { return Ok(None) };
/// let read = Self { code: fields.value("code"), items: fields.list("items") };
/// fields.finish()?;
/// Ok(Some(read))
/// ```
///
/// Members the struct does not name are ignored, missing ones are `None`, as a
/// `#[serde(default)]` derive would have it. A member that does not fit is recorded rather
/// than returned at once, so that each field costs a call and a move, with no early return
/// (and no drop of the fields read so far) per field; [`Fields::finish`] reports the first,
/// in field order.
pub struct Fields {
    members: Map<String, Value>,
    error: Option<Error>,
}

impl Fields {
    /// The object's members; `None` for the shapes that mean absent (`null`, an empty XML
    /// element: blank text). An empty array reads as an empty object (what a serde derive
    /// with `#[serde(default)]` made of it); any other value is an error.
    pub fn new(value: Value) -> Result<Option<Fields>, Error> {
        let members = match value {
            Value::Object(map) => map,
            Value::Null => return Ok(None),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::Array(items) if items.is_empty() => Map::new(),
            other => {
                return Err(Error::new(format!(
                    "expected an object, found {}",
                    describe(&other)
                )));
            }
        };
        Ok(Some(Fields {
            members,
            error: None,
        }))
    }

    /// Member `name` read as one `T`; `None` when it is missing or absent (or does not fit:
    /// then [`Fields::finish`] fails).
    pub fn value<T: Item>(&mut self, name: &str) -> Option<T> {
        let raw = self.members.remove(name)?;
        match T::from_json(raw) {
            Ok(value) => value,
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }

    /// Member `name` read as a list of `T` in any of TOP's list shapes (see [`list`]).
    pub fn list<T: Item>(&mut self, name: &str) -> Option<Vec<T>> {
        let raw = self.members.remove(name)?;
        match list_from_json(raw) {
            Ok(value) => value,
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }

    /// Not generic: the error path exists once, not once per field type.
    #[cold]
    fn fail(&mut self, name: &str, error: Error) {
        if self.error.is_none() {
            self.error = Some(error.in_field(name));
        }
    }

    /// `Ok` when every member read fit, else the first that did not.
    pub fn finish(self) -> Result<(), Error> {
        match self.error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// Reads a whole response result (an object) as `T`; the error names the full path.
pub fn read<T: Item>(value: Value) -> Result<T, Error> {
    T::from_json(value)?.ok_or_else(|| Error::new("expected an object, found nothing"))
}

/// Reads a whole response result (an object) as `T` from where `reader` is.
pub fn read_from<T: Item>(reader: &mut Reader<'_>) -> Result<T, Error> {
    T::read(reader)?.ok_or_else(|| Error::new("expected an object, found nothing"))
}

/// Reads JSON text holding one object as `T`, straight from the text, as [`read`] reads the
/// text's tree. `None` when the pull reader gives the text up (malformed, or a shape only the
/// tree judges exactly): then `serde_json::from_str` and [`read`] give the answer.
pub fn read_str<T: Item>(text: &str) -> Option<Result<T, Error>> {
    let mut reader = Reader::new(text);
    let read = read_from::<T>(&mut reader);
    (!reader.abandoned() && reader.at_end()).then_some(read)
}

/// The body of a generated response struct's `Deserialize`: any self-describing format,
/// read as a JSON value, then leniently as `T`.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    read(Value::deserialize(deserializer)?).map_err(D::Error::custom)
}

pub(crate) fn describe(value: &Value) -> String {
    let text = value.to_string();
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// `deserialize_with` for an optional scalar or struct field of a response.
pub fn value<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    let raw = Value::deserialize(deserializer)?;
    T::from_json(raw).map_err(D::Error::custom)
}

/// `deserialize_with` for an optional list field of a response: a plain array, TOP's
/// `{"item": [...]}` wrapper (any single key), a lone element, or a comma-joined string of
/// scalars.
pub fn list<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    let raw = Value::deserialize(deserializer)?;
    list_from_json(raw).map_err(D::Error::custom)
}

pub(crate) fn list_from_json<T: Item>(raw: Value) -> Result<Option<Vec<T>>, Error> {
    let Some(elements) = list_elements(raw) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(elements.len());
    for (i, element) in elements.into_iter().enumerate() {
        match T::from_json(element) {
            Ok(Some(v)) => out.push(v),
            Ok(None) => {}
            Err(e) => return Err(e.in_element(i)),
        }
    }
    Ok(Some(out))
}

/// The elements of a list in any of its shapes; `None` for `null`. Not generic, so that the
/// unwrapping exists once rather than once per element type.
fn list_elements(raw: Value) -> Option<Vec<Value>> {
    Some(match raw {
        Value::Null => return None,
        Value::Array(items) => items,
        Value::Object(map) if map.len() == 1 => match map.into_iter().next() {
            Some((_, Value::Array(items))) => items,
            Some((_, single)) => vec![single],
            None => Vec::new(),
        },
        Value::Object(map) if map.is_empty() => Vec::new(),
        Value::String(s) if s.trim().is_empty() => Vec::new(),
        Value::String(s) => s.split(',').map(|p| Value::String(p.to_owned())).collect(),
        single => vec![single],
    })
}

/// A value as the [`Reader`] found it: scalars as they are in the text (strings borrowed
/// unless escaped), arrays and objects taken out whole, which only happens where a scalar
/// was expected (then they do not fit) or for `Json` and `Map` fields.
#[doc(hidden)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    /// A JSON number, as its text.
    Number(&'a str),
    Text(Cow<'a, str>),
    Compound(Value),
}

impl Scalar<'_> {
    /// The value as serde_json would have held it: what the tree readers judge, so that
    /// every misfit is worded as they word it.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            // Checked as serde_json checks numbers when it was read.
            Scalar::Number(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            Scalar::Text(text) => Value::String(text.into_owned()),
            Scalar::Compound(value) => value,
        }
    }
}

/// Pulls one response from JSON text, value by value (or from XML, element by element: see
/// the `xml` module), for the generated `Item::read`s: no `Value` tree, strings moved or
/// borrowed rather than copied twice, unknown members skipped without allocating.
///
/// When the text turns out malformed, or takes a shape whose exact reading only the tree
/// readers know (a member repeated in a way that changes which misfit is reported, a list
/// wrapper whose one name repeats), the reader is *abandoned*: every read returns an error
/// at once, and the caller decodes the body through the tree instead, which gives the same
/// answer, or serde_json's own message for a malformed body.
pub struct Reader<'a> {
    tokens: Tokens<'a>,
    /// A piece of a comma-joined list, standing in for the next value.
    pending: Option<Cow<'a, str>>,
    abandoned: bool,
    /// For a simplified body: the `*_response` key, which (as `error_response` does)
    /// abandons the read when the root object has it, since the root is then an envelope.
    watch: Option<&'a str>,
    /// Set when the text is XML: every read goes through it instead of `tokens`.
    xml: Option<xml::Cursor<'a>>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            tokens: Tokens::new(text),
            pending: None,
            abandoned: false,
            watch: None,
            xml: None,
        }
    }

    pub(crate) fn watch(&mut self, name: &'a str) {
        self.watch = Some(name);
    }

    /// Whether the read was given up (see the type's docs).
    pub fn abandoned(&self) -> bool {
        self.abandoned
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        if self.xml.is_some() {
            return self.pending.is_none() && self.xml_at_end();
        }
        self.pending.is_none() && self.tokens.at_end()
    }

    pub(crate) fn tokens(&mut self) -> &mut Tokens<'a> {
        &mut self.tokens
    }

    /// Gives the read up; the error is what the tree reader will replace.
    #[cold]
    pub(crate) fn abandon(&mut self) -> Error {
        self.abandoned = true;
        Error::new("the reader gave up on this body")
    }

    fn check<T>(&mut self, result: Result<T, crate::json_pull::Malformed>) -> Result<T, Error> {
        result.map_err(|_| self.abandon())
    }

    /// The next value as a [`Scalar`].
    #[doc(hidden)]
    pub fn scalar(&mut self) -> Result<Scalar<'a>, Error> {
        if self.abandoned {
            return Err(self.abandon());
        }
        if let Some(piece) = self.pending.take() {
            return Ok(Scalar::Text(piece));
        }
        if self.xml.is_some() {
            return self.xml_scalar();
        }
        let peeked = self.tokens.peek();
        let scalar = match self.check(peeked)? {
            b'"' => {
                let s = self.tokens.string();
                Scalar::Text(self.check(s)?)
            }
            b'{' | b'[' => Scalar::Compound(self.compound()?),
            b't' | b'f' | b'n' => {
                let lit = self.tokens.literal();
                match self.check(lit)? {
                    Literal::True => Scalar::Bool(true),
                    Literal::False => Scalar::Bool(false),
                    Literal::Null => Scalar::Null,
                }
            }
            _ => {
                let n = self.tokens.number();
                Scalar::Number(self.check(n)?)
            }
        };
        Ok(scalar)
    }

    /// The array or object the reader is at, as serde_json reads it.
    fn compound(&mut self) -> Result<Value, Error> {
        let start = self.tokens.pos();
        let skipped = self.tokens.skip();
        self.check(skipped)?;
        let text = self
            .tokens
            .text()
            .get(start..self.tokens.pos())
            .unwrap_or_default();
        let value = serde_json::from_str(text).map_err(|_| ());
        self.check(value.map_err(|()| crate::json_pull::Malformed))
    }

    /// The next value taken out whole, as a tree.
    pub fn take_json(&mut self) -> Result<Value, Error> {
        Ok(self.scalar()?.into_value())
    }

    /// The next value as an object's members; `None` for the shapes that mean absent, as
    /// [`Fields::new`] reads them (an empty array is an empty object).
    pub fn object(&mut self) -> Result<Option<Object<'a>>, Error> {
        if self.abandoned {
            return Err(self.abandon());
        }
        if self.pending.is_none() && self.xml.is_some() {
            return self.xml_object();
        }
        if self.pending.is_none() {
            let peeked = self.tokens.peek();
            match self.check(peeked)? {
                b'{' => {
                    let begun = self.tokens.begin_object();
                    self.check(begun)?;
                    return Ok(Some(Object::members(self.tokens.depth() == 1)));
                }
                b'[' => {
                    let mark = self.tokens.mark();
                    let begun = self.tokens.begin_array();
                    self.check(begun)?;
                    let ended = self.tokens.element(true).map(|more| !more);
                    if self.check(ended)? {
                        return Ok(Some(Object::empty()));
                    }
                    self.tokens.reset(mark);
                }
                _ => {}
            }
        }
        // Anything else is absent or a misfit, in the tree reader's words.
        match Fields::new(self.take_json()?)? {
            Some(_) => Ok(Some(Object::empty())),
            None => Ok(None),
        }
    }

    /// The next value as a list of `T` in any of TOP's list shapes (see [`list`]).
    pub fn list<T: Item>(&mut self) -> Result<Option<Vec<T>>, Error> {
        if self.abandoned {
            return Err(self.abandon());
        }
        if let Some(piece) = self.pending.take() {
            return list_from_json(Value::String(piece.into_owned()));
        }
        if self.xml.is_some() {
            return self.xml_list();
        }
        let peeked = self.tokens.peek();
        match self.check(peeked)? {
            b'[' => self.elements(),
            b'{' => self.wrapped(),
            b'"' => {
                let s = self.tokens.string();
                let text = self.check(s)?;
                self.pieces(text)
            }
            b'n' => {
                let mark = self.tokens.mark();
                let lit = self.tokens.literal();
                if self.check(lit)? == Literal::Null {
                    return Ok(None);
                }
                self.tokens.reset(mark);
                self.single()
            }
            _ => self.single(),
        }
    }

    /// A value that is the one element of its list.
    fn single<T: Item>(&mut self) -> Result<Option<Vec<T>>, Error> {
        match T::read(self) {
            Ok(v) => Ok(Some(v.into_iter().collect())),
            Err(e) if self.abandoned => Err(e),
            Err(e) => Err(e.in_element(0)),
        }
    }

    /// The elements of the array the reader is at; all of it is read even when one does
    /// not fit, and the first that does not is the error.
    fn elements<T: Item>(&mut self) -> Result<Option<Vec<T>>, Error> {
        let begun = self.tokens.begin_array();
        self.check(begun)?;
        let mut elements = Elements::new();
        loop {
            let more = self.tokens.element(elements.index == 0);
            if !self.check(more)? {
                break;
            }
            elements.read(self)?;
        }
        elements.finish()
    }

    /// An object where a list was expected: TOP's `{"item": [...]}` wrapper when it has one
    /// member, else a lone element.
    fn wrapped<T: Item>(&mut self) -> Result<Option<Vec<T>>, Error> {
        let start = self.tokens.mark();
        let begun = self.tokens.begin_object();
        self.check(begun)?;
        let member = self.tokens.member(true);
        let Some(name) = self.check(member)? else {
            return Ok(Some(Vec::new()));
        };
        let peeked = self.tokens.peek();
        let inner = match self.check(peeked)? {
            b'[' => self.elements(),
            _ => self.single(),
        };
        if self.abandoned {
            return inner;
        }
        // More members: a lone element, unless the one name repeats (a map would keep only
        // its last value, as the wrapper's): that is left to the tree reader.
        let mut more = false;
        loop {
            let next = self.tokens.member(false);
            match self.check(next)? {
                Some(other) if other == name => return Err(self.abandon()),
                Some(_) => {
                    more = true;
                    let skipped = self.tokens.skip();
                    self.check(skipped)?;
                }
                None => break,
            }
        }
        if !more {
            return inner;
        }
        self.tokens.reset(start);
        self.single()
    }

    /// A comma-joined string of scalars; blank means an empty list.
    fn pieces<T: Item>(&mut self, text: Cow<'a, str>) -> Result<Option<Vec<T>>, Error> {
        if text.trim().is_empty() {
            return Ok(Some(Vec::new()));
        }
        let pieces: Vec<Cow<'a, str>> = match text {
            Cow::Borrowed(text) => text.split(',').map(Cow::Borrowed).collect(),
            Cow::Owned(text) => text.split(',').map(|p| Cow::Owned(p.to_owned())).collect(),
        };
        let mut out = Vec::with_capacity(pieces.len());
        for (index, piece) in pieces.into_iter().enumerate() {
            self.pending = Some(piece);
            let read = T::read(self);
            self.pending = None;
            match read {
                Ok(Some(v)) => out.push(v),
                Ok(None) => {}
                Err(e) if self.abandoned => return Err(e),
                Err(e) => return Err(e.in_element(index)),
            }
        }
        Ok(Some(out))
    }
}

/// A list's elements as they are read: every one is read even when one does not fit, and
/// the first that does not is the error.
struct Elements<T> {
    out: Vec<T>,
    error: Option<Error>,
    index: usize,
}

impl<T: Item> Elements<T> {
    fn new() -> Self {
        Elements {
            out: Vec::new(),
            error: None,
            index: 0,
        }
    }

    /// The element the reader is at; `Err` only when the reader gave up.
    fn read(&mut self, reader: &mut Reader<'_>) -> Result<(), Error> {
        match T::read(reader) {
            Ok(Some(v)) => self.out.push(v),
            Ok(None) => {}
            Err(e) if reader.abandoned => return Err(e),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e.in_element(self.index));
                }
            }
        }
        self.index += 1;
        Ok(())
    }

    fn finish(self) -> Result<Option<Vec<T>>, Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(Some(self.out)),
        }
    }
}

/// The members of an object being read by a generated `Item::read`:
///
/// ```ignore
/// let Some(mut fields) = reader.object()? else { return Ok(None) };
/// let mut read = Self::default();
/// while let Some(name) = fields.next(reader)? {
///     match &*name {
///         "code" => fields.value(reader, 0, &mut read.code),
///         "items" => fields.list(reader, 1, &mut read.items),
///         _ => fields.skip(reader),
///     }
/// }
/// fields.finish()?;
/// Ok(Some(read))
/// ```
///
/// As with [`Fields`]: unknown members are skipped, missing ones stay `None`, a member that
/// does not fit is recorded and reading goes on, and [`Object::finish`] reports the first
/// misfit in *field* order (the index each field passes), whatever the member order.
pub struct Object<'a> {
    first: bool,
    empty: bool,
    root: bool,
    /// The member being read, for the path of its misfit.
    name: Cow<'a, str>,
    error: Option<(usize, Error)>,
    /// XML only: the fields read so far, one bit each (a repeated element is an array in
    /// the tree, which only it reads exactly).
    seen: Vec<u64>,
}

impl<'a> Object<'a> {
    /// An object's members, the first still to be read (for XML: already at the reader).
    fn members(root: bool) -> Self {
        Object {
            first: true,
            empty: false,
            root,
            name: Cow::Borrowed(""),
            error: None,
            seen: Vec::new(),
        }
    }

    fn empty() -> Self {
        Object {
            first: false,
            empty: true,
            ..Object::members(false)
        }
    }

    /// The next member's name, the reader then at its value; `None` after the last.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self, reader: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, Error> {
        if self.empty || reader.abandoned {
            return if reader.abandoned {
                Err(reader.abandon())
            } else {
                Ok(None)
            };
        }
        let member = if reader.xml.is_some() {
            reader.xml_member(self.first)?
        } else {
            let member = reader.tokens.member(self.first);
            reader.check(member)?
        };
        self.first = false;
        match member {
            Some(name) => {
                if self.root
                    && let Some(key) = reader.watch
                    && (name == key || name == "error_response")
                {
                    return Err(reader.abandon());
                }
                self.name = name.clone();
                Ok(Some(name))
            }
            None => Ok(None),
        }
    }

    /// The member's value as the field numbered `index` (its place in the struct). Returns
    /// nothing, so that a field costs no early return (and no drop of the fields read so
    /// far): a reader that gave up fails the next [`Object::next`].
    pub fn value<T: Item>(&mut self, reader: &mut Reader<'a>, index: usize, slot: &mut Option<T>) {
        if reader.xml.is_some() {
            self.once(reader, index);
        }
        match T::read(reader) {
            Ok(value) => {
                *slot = value;
                self.fitted(reader, index);
            }
            Err(e) => self.misfit(reader, index, e),
        }
    }

    /// The member's value as a list, the field numbered `index`.
    pub fn list<T: Item>(
        &mut self,
        reader: &mut Reader<'a>,
        index: usize,
        slot: &mut Option<Vec<T>>,
    ) {
        if reader.xml.is_some() {
            self.once(reader, index);
        }
        match reader.list() {
            Ok(value) => {
                *slot = value;
                self.fitted(reader, index);
            }
            Err(e) => self.misfit(reader, index, e),
        }
    }

    /// Skips a member the struct does not have.
    pub fn skip(&mut self, reader: &mut Reader<'a>) {
        if reader.xml.is_some() {
            return reader.xml_skip();
        }
        let skipped = reader.tokens.skip();
        let _ = reader.check(skipped);
    }

    /// An XML field read a second time: the tree made its elements an array.
    fn once(&mut self, reader: &mut Reader<'a>, index: usize) {
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & bit != 0 {
            reader.abandon();
        }
        self.seen[word] |= bit;
    }

    /// A repeated member that fits after its first did not: a map keeps only the last, so
    /// the misfit to report is another field's, which only the tree reader can tell.
    fn fitted(&mut self, reader: &mut Reader<'a>, index: usize) {
        if let Some((failed, _)) = &self.error
            && *failed == index
        {
            reader.abandon();
        }
    }

    /// Not generic: the error path exists once, not once per field type.
    #[cold]
    fn misfit(&mut self, reader: &mut Reader<'a>, index: usize, error: Error) {
        if reader.abandoned {
            return;
        }
        // The lowest field index wins; the same field again replaces its own (last wins).
        if self
            .error
            .as_ref()
            .is_none_or(|(failed, _)| index <= *failed)
        {
            self.error = Some((index, error.in_field(&self.name)));
        }
    }

    /// `Ok` when every member read fit, else the first misfit in field order.
    pub fn finish(self) -> Result<(), Error> {
        match self.error {
            None => Ok(()),
            Some((_, e)) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_accept_numeric_strings_beyond_f64_precision() {
        assert_eq!(
            i64::from_json(json!("3882527336184474047")),
            Ok(Some(3882527336184474047))
        );
        assert_eq!(
            i64::from_json(json!(3882527336184474047i64)),
            Ok(Some(3882527336184474047))
        );
        assert_eq!(i64::from_json(json!("")), Ok(None));
        assert!(i64::from_json(json!("12a")).is_err());
        assert!(i64::from_json(json!(1.5)).is_err());
    }

    #[test]
    fn a_string_field_reads_numbers_alike_from_the_tree_and_the_text() {
        // Past u64 serde_json holds an integer as an f64; the pull reader must write the
        // same text as the tree reader (found by fuzz/json_pull).
        for text in [
            "0",
            "18446744073709551615",
            "1111111111111111111111111111113",
            "-12",
            "1.50",
            "2e3",
        ] {
            let tree = String::from_json(serde_json::from_str(text).unwrap());
            let pulled = String::read(&mut Reader::new(text));
            assert_eq!(pulled, tree, "{text}");
        }
    }

    #[test]
    fn booleans_and_dates_accept_their_text_forms() {
        assert_eq!(bool::from_json(json!("true")), Ok(Some(true)));
        assert!(bool::from_json(json!("ture")).is_err());
        let d = DateTime::from_json(json!(1_451_620_800_000i64))
            .unwrap()
            .unwrap();
        assert_eq!(d.to_string(), "2016-01-01 12:00:00");
        // Beyond the four-digit years the text form cannot write them back (found by
        // fuzz/tmc_message): out of range, like millis past jiff's range.
        let before_year_0 = -62_167_248_000_001_i64;
        for ms in [
            before_year_0,
            -2_222_220_000_006_220,
            253_402_271_999_999 + 1,
        ] {
            let e = DateTime::from_json(json!(ms)).unwrap_err();
            assert!(e.message().contains("out of range"), "{e}");
            assert!(DateTime::from_json(json!(ms.to_string())).is_err());
        }
        assert!(DateTime::from_json(json!(before_year_0 + 1)).is_ok());
        assert_eq!(
            DateTime::from_json(json!(253_399_593_600_000_i64))
                .unwrap()
                .unwrap()
                .to_string(),
            "9999-12-01 00:00:00"
        );
        let d = DateTime::from_json(json!("2016-01-01 12:00:00"))
            .unwrap()
            .unwrap();
        assert_eq!(d.to_string(), "2016-01-01 12:00:00");
    }

    #[test]
    fn decimals_json_and_maps() {
        use crate::{Decimal, JsonMap};
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(Decimal::from_json(json!("0.10")), Ok(Some(d("0.10"))));
        assert_eq!(Decimal::from_json(json!(200.07)), Ok(Some(d("200.07"))));
        assert_eq!(
            Decimal::from_json(json!(3882527336184474047i64)),
            Ok(Some(d("3882527336184474047")))
        );
        assert!(Decimal::from_json(json!("12a")).is_err());
        assert_eq!(
            list_from_json::<Decimal>(json!({"price": ["1.10", 2]})),
            Ok(Some(vec![d("1.10"), d("2")]))
        );
        assert_eq!(Value::from_json(json!(null)), Ok(None));
        assert_eq!(Value::from_json(json!([1, "a"])), Ok(Some(json!([1, "a"]))));
        assert_eq!(Value::from_json(json!("x")), Ok(Some(json!("x"))));
        let map = JsonMap::from_json(json!({"k": {"n": 1}})).unwrap().unwrap();
        assert_eq!(map.get("k"), Some(&json!({"n": 1})));
        assert_eq!(JsonMap::from_json(json!("")), Ok(None));
        assert_eq!(JsonMap::from_json(json!([1])), Ok(None));
    }

    #[derive(Debug, PartialEq)]
    struct Inner {
        price: Option<crate::Decimal>,
    }
    impl Item for Inner {
        fn from_json(value: Value) -> Result<Option<Self>, Error> {
            let Some(mut fields) = Fields::new(value)? else {
                return Ok(None);
            };
            let read = Inner {
                price: fields.value("price"),
            };
            fields.finish()?;
            Ok(Some(read))
        }
    }
    #[derive(Debug, PartialEq)]
    struct Outer {
        flag: Option<bool>,
        items: Option<Vec<Inner>>,
    }
    impl Item for Outer {
        fn from_json(value: Value) -> Result<Option<Self>, Error> {
            let Some(mut fields) = Fields::new(value)? else {
                return Ok(None);
            };
            let read = Outer {
                flag: fields.value("flag"),
                items: fields.list("items"),
            };
            fields.finish()?;
            Ok(Some(read))
        }
    }

    #[test]
    fn fields_read_structs_leniently_and_name_the_full_path() {
        let got = read::<Outer>(json!({"items": {"inner": {"price": "1.5"}}, "extra": 1}));
        let price = Some("1.5".parse().unwrap());
        assert_eq!(
            got,
            Ok(Outer {
                flag: None,
                items: Some(vec![Inner { price }])
            })
        );
        assert_eq!(Outer::from_json(json!("")), Ok(None));
        assert_eq!(Outer::from_json(json!(null)), Ok(None));
        assert!(Outer::from_json(json!([])).unwrap().is_some());
        assert!(Outer::from_json(json!(3)).is_err());
        // The first field that does not fit, in field order, with its whole path.
        let e = read::<Outer>(json!({"items": [{}, {"price": "x"}], "flag": "maybe"})).unwrap_err();
        assert_eq!(e.path(), "flag");
        let e = read::<Outer>(json!({"items": [{}, {"price": "x"}]})).unwrap_err();
        assert_eq!(e.path(), "items[1].price");
        assert!(e.to_string().starts_with("at `items[1].price`: "), "{e}");
    }

    #[test]
    fn read_str_answers_as_read_does_and_gives_up_malformed_text() {
        for text in [
            r#"{"items": {"inner": {"price": "1.5"}}, "extra": [1, {"a": null}]}"#,
            r#"{"items": [{}, {"price": "x"}], "flag": "maybe"}"#,
            r#"{"items": [{}, {"price": "x"}]}"#,
            "null",
            "[]",
            "3",
        ] {
            let tree = read::<Outer>(serde_json::from_str(text).unwrap());
            assert_eq!(read_str::<Outer>(text), Some(tree), "{text}");
        }
        for text in ["{", r#"{"flag": true} x"#, r#"{"flag": tru}"#] {
            assert_eq!(read_str::<Outer>(text), None, "{text}");
        }
    }

    #[test]
    fn lists_unwrap_every_shape() {
        let want = Some(vec![1i64, 2]);
        assert_eq!(list_from_json::<i64>(json!([1, "2"])), Ok(want.clone()));
        assert_eq!(
            list_from_json::<i64>(json!({"number": [1, 2]})),
            Ok(want.clone())
        );
        assert_eq!(list_from_json::<i64>(json!("1,2")), Ok(want));
        assert_eq!(
            list_from_json::<i64>(json!({"number": 7})),
            Ok(Some(vec![7]))
        );
        assert_eq!(list_from_json::<i64>(json!("")), Ok(Some(vec![])));
        let e = list_from_json::<i64>(json!([1, "x"])).unwrap_err();
        assert_eq!(e.path(), "[1]");
        assert_eq!(
            e.to_string(),
            "at `[1]`: expected an integer (i64), found \"x\""
        );
    }
}
