//! What every generated request tells the runtime: its method, client family, session
//! requirement, response type, and its parameters encoded for the wire.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::FileItem;
use crate::options::SYSTEM_PARAMS;
use crate::prepare_error::PrepareError;
use crate::validate::Validate;
use crate::view::AsJson;

pub use param::WireValue;

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

    /// Visits the API parameters under their wire names, encoded as the official SDKs send
    /// them: `out.value("bill_no", &self.bill_no)` for scalars, coded values and lists of
    /// them, `out.json("extra", &self.extra)` for structs and JSON values, `out.file("image",
    /// &self.image)` for uploads. Absent values are simply not recorded.
    fn params<'a>(&'a self, out: &mut Params<'a>);

    /// Reads the success result (the object [`crate::response::decode_value`] gives) into
    /// the typed response. The default goes through `Deserialize`; generated requests read
    /// their response with [`crate::lenient::read`], which costs no serde instantiation and
    /// names the full path of a value that does not fit.
    fn read_response(result: serde_json::Value) -> Result<Self::Response, crate::lenient::Error> {
        serde_path_to_error::deserialize(result).map_err(crate::lenient::Error::from_serde)
    }

    /// Reads the success result straight from the body's text, without the tree
    /// [`ApiRequest::read_response`] takes: what [`crate::response::decode_response`] tries
    /// first. `None` (the default) when the response cannot be read so; generated requests
    /// read theirs with [`crate::lenient::read_from`].
    fn read_response_from(
        reader: &mut crate::lenient::Reader<'_>,
    ) -> Option<Result<Self::Response, crate::lenient::Error>> {
        let _ = reader;
        None
    }
}

/// What one API parameter holds on its way to the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue<'a> {
    /// Encoded text (never blank): a form field or a `text/plain` part; signed.
    Text(String),
    /// A file upload: a multipart part; never signed.
    File(&'a FileItem),
}

/// The API parameters of one request, in the order visited, collected by
/// [`ApiRequest::params`].
///
/// Absent, empty and whitespace-only text values are dropped here (they are neither sent nor
/// signed, as TOP-PROTOCOL says); each sent text value costs one `String`; files are borrowed.
/// A caller bug (a blank name, a system parameter name, a name given twice) is remembered and
/// reported by [`Params::error`], which request preparation checks first.
///
/// ```
/// use top_runtime::api::Params;
/// let mut out = Params::new();
/// out.value("num", &42i64);
/// out.value("nick", &Some("  ".to_owned())); // blank: dropped
/// out.value("ids", &vec![1i64, 2]);
/// out.json("extra", &serde_json::json!({"k": "张三"}));
/// assert_eq!(out.texts().collect::<Vec<_>>(), [("num", "42"), ("ids", "1,2"), ("extra", r#"{"k":"张三"}"#)]);
/// assert!(out.error().is_none());
/// ```
#[derive(Debug, Default)]
pub struct Params<'a> {
    entries: Vec<(&'static str, ParamValue<'a>)>,
    /// Every name visited, present or not: a duplicate is a caller bug either way.
    names: Visited,
    error: Option<PrepareError>,
}

/// The names a [`Params`] has visited: inline for the usual few (no allocation on the call
/// path), on the heap past that.
#[derive(Debug, Default)]
struct Visited {
    inline: [&'static str; 16],
    len: usize,
    spilled: Vec<&'static str>,
}

impl Visited {
    fn contains(&self, name: &str) -> bool {
        self.inline[..self.len].contains(&name) || self.spilled.contains(&name)
    }

    fn push(&mut self, name: &'static str) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = name;
                self.len += 1;
            }
            None => self.spilled.push(name),
        }
    }
}

impl<'a> Params<'a> {
    /// No parameter yet.
    pub fn new() -> Self {
        Params::default()
    }

    /// The parameters of `request`.
    pub fn of<R: ApiRequest + ?Sized>(request: &'a R) -> Self {
        let mut out = Params::new();
        request.params(&mut out);
        out
    }

    fn visit(&mut self, name: &'static str) -> bool {
        if self.error.is_some() {
            return false;
        }
        let error = if crate::sign::is_blank(name) {
            Some(PrepareError::EmptyParamName)
        } else if SYSTEM_PARAMS.contains(&name) {
            Some(PrepareError::ReservedParam(name.to_owned()))
        } else if self.names.contains(name) {
            Some(PrepareError::DuplicateParam(name.to_owned()))
        } else {
            None
        };
        self.names.push(name);
        self.error = error;
        self.error.is_none()
    }

    /// Records an already encoded text value, unless blank.
    pub fn text(&mut self, name: &'static str, text: impl Into<String>) {
        if self.visit(name) {
            let text = text.into();
            if !crate::sign::is_blank(&text) {
                self.entries.push((name, ParamValue::Text(text)));
            }
        }
    }

    /// A scalar, date, decimal, coded value, or an `Option`/`Vec` of them (a list is sent
    /// comma-joined).
    pub fn value<T: WireValue + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.visit(name) {
            let mut text = String::new();
            if value.write_wire(&mut text) && !crate::sign::is_blank(&text) {
                self.entries.push((name, ParamValue::Text(text)));
            }
        }
    }

    /// A struct, list of structs, [`Json`](crate::Json) or [`JsonMap`](crate::JsonMap) value:
    /// sent as its compact JSON text, fields under their wire names in declaration order,
    /// non-ASCII written raw. An absent value or `null` is not sent. Generated structs write
    /// themselves through one non-generic [`AsJson::as_json`](crate::view::AsJson); a
    /// hand-written serde type goes through [`Params::json_serde`].
    pub fn json<T: AsJson + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.visit(name)
            && let Some(text) = crate::view::to_json_text(value)
        {
            self.entries.push((name, ParamValue::Text(text)));
        }
    }

    /// [`Params::json`] for a type with its own `Serialize`.
    pub fn json_serde<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.visit(name) {
            // Straight to text, not through `serde_json::Value`, whose map would sort the
            // fields: the SDKs send them in declaration order.
            match serde_json::to_string(value) {
                Ok(text) if text != "null" => self.entries.push((name, ParamValue::Text(text))),
                // Serializing a request's own fields cannot fail (string keys, no I/O);
                // should a hand-written type fail, sending nothing is what `None` meant before.
                _ => {}
            }
        }
    }

    /// A file upload: [`FileItem`], `Option<FileItem>`, `Vec<FileItem>` (several parts under
    /// one name) or `Option<Vec<FileItem>>`.
    pub fn file<T: FileParam + ?Sized>(&mut self, name: &'static str, value: &'a T) {
        if self.visit(name) {
            for file in value.files() {
                self.entries.push((name, ParamValue::File(file)));
            }
        }
    }

    /// Every recorded parameter in visiting order.
    pub fn entries(&self) -> &[(&'static str, ParamValue<'a>)] {
        &self.entries
    }

    /// The text parameters (sent and signed), in visiting order.
    pub fn texts(&self) -> impl Iterator<Item = (&'static str, &str)> + Clone + '_ {
        self.entries.iter().filter_map(|(name, value)| match value {
            ParamValue::Text(text) => Some((*name, text.as_str())),
            ParamValue::File(_) => None,
        })
    }

    /// The files (sent, never signed), in visiting order.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &'a FileItem)> + '_ {
        self.entries.iter().filter_map(|(name, value)| match value {
            ParamValue::File(file) => Some((*name, *file)),
            ParamValue::Text(_) => None,
        })
    }

    /// The text sent for parameter `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.texts().find(|(n, _)| *n == name).map(|(_, text)| text)
    }

    /// Whether the request needs `multipart/form-data`.
    pub fn has_files(&self) -> bool {
        self.files().next().is_some()
    }

    /// The first caller bug met while visiting, if any.
    pub fn error(&self) -> Option<&PrepareError> {
        self.error.as_ref()
    }
}

/// The file parameter shapes [`Params::file`] takes.
pub trait FileParam {
    /// The files to send, possibly none.
    fn files(&self) -> &[FileItem];
}

impl FileParam for FileItem {
    fn files(&self) -> &[FileItem] {
        std::slice::from_ref(self)
    }
}

impl FileParam for Option<FileItem> {
    fn files(&self) -> &[FileItem] {
        self.as_slice()
    }
}

impl FileParam for Vec<FileItem> {
    fn files(&self) -> &[FileItem] {
        self
    }
}

impl FileParam for [FileItem] {
    fn files(&self) -> &[FileItem] {
        self
    }
}

impl FileParam for Option<Vec<FileItem>> {
    fn files(&self) -> &[FileItem] {
        self.as_deref().unwrap_or_default()
    }
}

/// Encoding of plain parameter values (TOP-PROTOCOL: Number as decimal, Boolean
/// `true`/`false`, Date in China time, Decimal as its text, a list of plain values
/// comma-joined).
pub mod param {
    /// A plain value as it is sent.
    pub trait WireValue {
        /// Appends the text sent for the value to `out`; `false` (and nothing written) when
        /// the value is absent.
        fn write_wire(&self, out: &mut String) -> bool;

        /// The text sent for the value; `None` when absent.
        fn wire(&self) -> Option<String> {
            let mut out = String::new();
            self.write_wire(&mut out).then_some(out)
        }
    }

    impl WireValue for str {
        fn write_wire(&self, out: &mut String) -> bool {
            out.push_str(self);
            true
        }
    }

    impl WireValue for String {
        fn write_wire(&self, out: &mut String) -> bool {
            out.push_str(self);
            true
        }
    }

    impl WireValue for bool {
        fn write_wire(&self, out: &mut String) -> bool {
            out.push_str(if *self { "true" } else { "false" });
            true
        }
    }

    impl WireValue for crate::DateTime {
        fn write_wire(&self, out: &mut String) -> bool {
            self.push_wire(out);
            true
        }
    }

    impl WireValue for i64 {
        fn write_wire(&self, out: &mut String) -> bool {
            crate::digits::push_i64(*self, out);
            true
        }
    }

    impl WireValue for crate::Decimal {
        fn write_wire(&self, out: &mut String) -> bool {
            out.push_str(self.as_str());
            true
        }
    }

    impl<T: WireValue + ?Sized> WireValue for &T {
        fn write_wire(&self, out: &mut String) -> bool {
            (**self).write_wire(out)
        }
    }

    impl<T: WireValue> WireValue for Option<T> {
        fn write_wire(&self, out: &mut String) -> bool {
            self.as_ref().is_some_and(|v| v.write_wire(out))
        }
    }

    impl<T: WireValue> WireValue for Vec<T> {
        fn write_wire(&self, out: &mut String) -> bool {
            self.as_slice().write_wire(out)
        }
    }

    impl<T: WireValue> WireValue for [T] {
        fn write_wire(&self, out: &mut String) -> bool {
            let mut any = false;
            for item in self {
                let mark = out.len();
                if any {
                    out.push(',');
                }
                if item.write_wire(out) {
                    any = true;
                } else {
                    // An absent element leaves no empty slot between commas.
                    out.truncate(mark);
                }
            }
            any
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<T: WireValue + ?Sized>(value: &T) -> Option<String> {
        let mut out = Params::new();
        out.value("x", value);
        out.get("x").map(str::to_owned)
    }

    #[test]
    fn plain_values_follow_the_protocol() {
        assert_eq!(
            text_of(&3882527336184474047i64).as_deref(),
            Some("3882527336184474047")
        );
        assert_eq!(text_of(&true).as_deref(), Some("true"));
        let d: crate::DateTime = "2019-09-08 22:33:34".parse().unwrap();
        assert_eq!(text_of(&d).as_deref(), Some("2019-09-08 22:33:34"));
        let price: crate::Decimal = "200.10".parse().unwrap();
        assert_eq!(text_of(&price).as_deref(), Some("200.10"));
        assert_eq!(text_of(&vec![1i64, 2, 3]).as_deref(), Some("1,2,3"));
        assert_eq!(
            text_of(&vec![None, Some(1i64), None, Some(2)]).as_deref(),
            Some("1,2")
        );
        assert_eq!(text_of(&Option::<i64>::None), None);
        assert_eq!(text_of(&Vec::<i64>::new()), None);
        assert_eq!(text_of(&vec![Option::<i64>::None]), None);
        assert_eq!(text_of(&Some(" \t ".to_owned())), None);
        assert_eq!(text_of(""), None);
        assert_eq!(3i64.wire().as_deref(), Some("3"));
        for n in [0, -7, 10, i64::MIN, i64::MAX] {
            assert_eq!(n.wire(), Some(n.to_string()));
        }
        assert_eq!(
            (true.wire(), false.wire()),
            (Some("true".into()), Some("false".into()))
        );
        for date in [
            "2016-01-01 12:00:00".parse::<crate::DateTime>().unwrap(),
            crate::DateTime::from_epoch_millis(-70_000_000_000_000).unwrap(),
        ] {
            assert_eq!(date.wire(), Some(date.to_string()));
        }
    }

    #[test]
    fn structs_are_one_json_string_with_raw_non_ascii() {
        #[derive(serde::Serialize)]
        struct S {
            name: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            absent: Option<i64>,
            price: crate::Decimal,
        }
        let s = S {
            name: "张三",
            absent: None,
            price: "0.10".parse().unwrap(),
        };
        // As a generated struct writes itself: the same text as its serde derive.
        impl AsJson for S {
            fn as_json(&self) -> crate::view::JsonView<'_> {
                let mut out = crate::view::JsonObject::with_capacity(3);
                out.put("name", self.name);
                out.put("absent", &self.absent);
                out.put("price", &self.price);
                out.into()
            }
        }
        let mut out = Params::new();
        out.json("s", &s);
        out.json("none", &Option::<S>::None);
        out.json("map", &crate::JsonMap::new());
        out.json_serde("serde", &s);
        out.json_serde("serde_none", &Option::<S>::None);
        assert_eq!(
            out.texts().collect::<Vec<_>>(),
            [
                ("s", r#"{"name":"张三","price":0.10}"#),
                ("map", "{}"),
                ("serde", r#"{"name":"张三","price":0.10}"#)
            ]
        );
    }

    #[test]
    fn files_are_borrowed_parts_in_order() {
        let a = FileItem::from_bytes("a.txt", b"A".to_vec());
        let b = FileItem::from_bytes("b.txt", b"B".to_vec());
        let list = vec![a.clone(), b.clone()];
        let none: Option<FileItem> = None;
        let empty: Option<Vec<FileItem>> = Some(Vec::new());
        let mut out = Params::new();
        out.value("t", "1");
        out.file("one", &a);
        out.file("absent", &none);
        out.file("many", &list);
        out.file("empty", &empty);
        assert!(out.has_files());
        let files: Vec<_> = out.files().map(|(n, f)| (n, f.file_name())).collect();
        assert_eq!(
            files,
            [("one", "a.txt"), ("many", "a.txt"), ("many", "b.txt")]
        );
        assert_eq!(out.texts().count(), 1);
        assert!(out.error().is_none());
    }

    #[test]
    fn caller_bugs_are_remembered() {
        let mut out = Params::new();
        out.value("a", &Option::<i64>::None);
        out.value("a", &1i64);
        assert_eq!(out.error(), Some(&PrepareError::DuplicateParam("a".into())));
        // Past the names kept inline too, in either half.
        const MANY: [&str; 20] = [
            "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11", "p12", "p13",
            "p14", "p15", "p16", "p17", "p18", "p19",
        ];
        for again in ["p3", "p18"] {
            let mut out = Params::new();
            for name in MANY {
                out.value(name, &1i64);
            }
            assert!(out.error().is_none());
            out.value(again, &1i64);
            assert_eq!(
                out.error(),
                Some(&PrepareError::DuplicateParam(again.into()))
            );
        }
        let mut out = Params::new();
        out.value("sign", &1i64);
        assert_eq!(
            out.error(),
            Some(&PrepareError::ReservedParam("sign".into()))
        );
        let mut out = Params::new();
        out.text(" ", "x");
        assert_eq!(out.error(), Some(&PrepareError::EmptyParamName));
    }
}
