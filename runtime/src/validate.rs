//! Client-side request checks with the official SDKs' semantics (`RequestCheckUtils`).
//!
//! Generated code calls [`check`] once per field with the field's documented [`Rules`];
//! the rules themselves live here so that thousands of generated APIs stay small.

use std::fmt;

/// Where a value sits in a request, in wire names: `bill_status_equest_top.customer_id`,
/// `risk_info_sync_request.contents[3].buyer_name`.
///
/// Built on the stack while walking a request and turned into text only for a violation.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Field(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    /// The path of the value being validated itself.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    /// The path of field `name` of this value.
    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    /// The path of element `index` of this list.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    fn write_to(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write_to(out);
        }
        match self.segment {
            Segment::Root => {}
            Segment::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Path({self})")
    }
}

/// The documented constraints of one field. Built in `const` context by generated code:
/// `Rules::new().required().max_length(32)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rules {
    /// 是否必须: the value must be present and, for text, not blank.
    pub required: bool,
    /// 最大长度: in UTF-16 code units for text (Java `String.length()`), digits for numbers,
    /// bytes for a file (its size limit).
    pub max_length: Option<usize>,
    /// The most elements a list may hold; on text, the most comma-separated values.
    pub max_items: Option<usize>,
    /// The smallest value a number may take.
    pub min_value: Option<i64>,
    /// The largest value a number may take.
    pub max_value: Option<i64>,
}

impl Rules {
    /// No constraint at all.
    pub const NONE: Rules = Rules::new();
    /// 是否必须 and nothing else.
    pub const REQUIRED: Rules = Rules::new().required();

    /// No constraint at all.
    pub const fn new() -> Self {
        Rules {
            required: false,
            max_length: None,
            max_items: None,
            min_value: None,
            max_value: None,
        }
    }
    /// Adds 是否必须.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Adds a maximum length.
    pub const fn max_length(mut self, n: usize) -> Self {
        self.max_length = Some(n);
        self
    }
    /// Adds a maximum list size.
    pub const fn max_items(mut self, n: usize) -> Self {
        self.max_items = Some(n);
        self
    }
    /// Adds a minimum value.
    pub const fn min_value(mut self, n: i64) -> Self {
        self.min_value = Some(n);
        self
    }
    /// Adds a maximum value.
    pub const fn max_value(mut self, n: i64) -> Self {
        self.max_value = Some(n);
        self
    }
}

/// Which documented rule a value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Required, but absent, empty or only whitespace (SDK code 40).
    Missing,
    /// Longer than its maximum length (SDK code 41).
    MaxLength {
        /// The documented maximum.
        max: usize,
        /// The value's length in the same unit.
        actual: usize,
    },
    /// A file larger than its size limit (SDK code 41).
    MaxSize {
        /// The documented limit, in bytes.
        max: usize,
        /// The file's size in bytes.
        actual: usize,
    },
    /// A list with more elements than allowed (SDK code 41).
    MaxItems {
        /// The documented maximum.
        max: usize,
        /// The list's size.
        actual: usize,
    },
    /// A number below its minimum (SDK code 41).
    MinValue {
        /// The documented minimum.
        min: i64,
        /// The value.
        actual: i64,
    },
    /// A number above its maximum (SDK code 41).
    MaxValue {
        /// The documented maximum.
        max: i64,
        /// The value.
        actual: i64,
    },
    /// Not one of the field's documented codes.
    UnknownCode {
        /// The value given.
        actual: String,
        /// The documented codes.
        allowed: Vec<String>,
    },
}

impl Rule {
    /// The official SDK's client-side error code: `40` missing, `41` invalid.
    pub fn sdk_code(&self) -> u16 {
        match self {
            Rule::Missing => 40,
            _ => 41,
        }
    }
}

/// One broken rule at one place in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Wire-name path of the value: `bill_status_equest_top.customer_id`.
    pub path: String,
    /// The rule, with its limit and the actual value.
    pub rule: Rule,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        // Worded like the official SDK's `client-error:` messages, which users grep for.
        match &self.rule {
            Rule::Missing => write!(f, "Missing required arguments:{path}"),
            Rule::MaxLength { max, actual } => write!(
                f,
                "Invalid arguments:the string length of {path} can not be larger than {max} (it is {actual})."
            ),
            Rule::MaxSize { max, actual } => write!(
                f,
                "Invalid arguments:the file size of {path} can not be larger than {max} (it is {actual})."
            ),
            Rule::MaxItems { max, actual } => write!(
                f,
                "Invalid arguments:the list size of {path} can not be larger than {max} (it is {actual})."
            ),
            Rule::MinValue { min, actual } => write!(
                f,
                "Invalid arguments:the value of {path} can not be less than {min} (it is {actual})."
            ),
            Rule::MaxValue { max, actual } => write!(
                f,
                "Invalid arguments:the value of {path} can not be larger than {max} (it is {actual})."
            ),
            Rule::UnknownCode { actual, allowed } => write!(
                f,
                "Invalid arguments:the value of {path} must be one of [{}] (it is `{actual}`).",
                allowed.join(", ")
            ),
        }
    }
}

/// Every rule a value breaks; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// No violation yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the value at `path` breaks `rule`.
    pub fn push(&mut self, path: &Path<'_>, rule: Rule) {
        self.violations.push(Violation {
            path: path.to_string(),
            rule,
        });
    }

    /// The violations, in field order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether nothing was violated.
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    /// `Ok(())` when nothing was violated, else `Err(self)`.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The SDK's error code for the whole request: `40` if anything required is missing,
    /// else `41`, like `RequestCheckUtils` which reports missing values first.
    pub fn sdk_code(&self) -> u16 {
        self.violations
            .iter()
            .map(|v| v.rule.sdk_code())
            .min()
            .unwrap_or(41)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "client-error:{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl IntoIterator for ValidationErrors {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.violations.into_iter()
    }
}

/// A value that can check itself and everything it contains.
pub trait Validate {
    /// Records every violation of this value, whose own path is `at`.
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors);

    /// Every violation of this value, with paths relative to it.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        self.validate_at(&Path::ROOT, &mut errors);
        errors.into_result()
    }
}

/// A field value the documented [`Rules`] apply to.
pub trait Checked {
    /// Whether the value counts as absent for 是否必须 (the SDK's `checkNotEmpty`).
    fn is_blank(&self) -> bool {
        false
    }
    /// Checks the value against the rules other than 是否必须.
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors);

    /// The rules each element gets when the value is in a list with `list_rules`: none by
    /// default (a list's limits bound the list); a file keeps its size limit, which the
    /// SDK applies to every file of a `byte[][]` parameter.
    fn item_rules(list_rules: &Rules) -> Rules
    where
        Self: Sized,
    {
        let _ = list_rules;
        Rules::new()
    }
}

/// Checks field `name` of the value at `at` against its documented rules.
pub fn check<T: Checked + ?Sized>(
    errors: &mut ValidationErrors,
    at: &Path<'_>,
    name: &str,
    value: &T,
    rules: Rules,
) {
    let path = at.field(name);
    if value.is_blank() {
        if rules.required {
            errors.push(&path, Rule::Missing);
        }
        return;
    }
    value.check_value(&path, &rules, errors);
}

/// [`check`] for a field that may be absent, as generated `check_fields` take every field:
/// `Some(&value)` from `validate`, the builder's `slot.as_ref()` from `build`. One concrete
/// signature serves both, so `check_fields` is a plain function, not a generic one
/// instantiated twice per struct.
pub fn check_field<T: Checked + ?Sized>(
    errors: &mut ValidationErrors,
    at: &Path<'_>,
    name: &str,
    value: Option<&T>,
    rules: Rules,
) {
    let path = at.field(name);
    match value {
        Some(value) if !value.is_blank() => value.check_value(&path, &rules, errors),
        _ => {
            if rules.required {
                errors.push(&path, Rule::Missing);
            }
        }
    }
}

/// Java's `String.length()`: TOP counts limits in UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    // One unit per char, two for a char beyond the BMP: count the bytes that start a char,
    // plus the lead bytes of four-byte sequences. Byte tests vectorize; decoding does not.
    s.bytes()
        .map(|b| usize::from((b as i8) >= -0x40) + usize::from(b >= 0xF0))
        .sum()
}

/// How many characters `n` is written with (a leading `-` included).
fn decimal_len(n: i64) -> usize {
    let digits = n
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1);
    digits + usize::from(n < 0)
}

fn check_length(len: usize, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
    if let Some(max) = rules.max_length
        && len > max
    {
        errors.push(at, Rule::MaxLength { max, actual: len });
    }
}

impl Checked for str {
    fn is_blank(&self) -> bool {
        // The SDK's `StringUtils.isEmpty`: Java whitespace only, as for dropped parameters.
        crate::sign::is_blank(self)
    }
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        check_length(utf16_len(self), at, rules, errors);
        if let Some(max) = rules.max_items {
            let actual = java_split_count(self);
            if actual > max {
                errors.push(at, Rule::MaxItems { max, actual });
            }
        }
    }
}

/// How many values Java's `value.split(",")` gives (the SDK's `checkMaxListSize` on a
/// string): trailing empty values are dropped, and text without a comma is one value.
fn java_split_count(s: &str) -> usize {
    if !s.contains(',') {
        return 1;
    }
    let parts: Vec<&str> = s.split(',').collect();
    parts.len() - parts.iter().rev().take_while(|p| p.is_empty()).count()
}

impl Checked for String {
    fn is_blank(&self) -> bool {
        self.as_str().is_blank()
    }
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        self.as_str().check_value(at, rules, errors);
    }
}

impl Checked for i64 {
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        // A number's 最大长度 bounds the digits it is sent with.
        check_length(decimal_len(*self), at, rules, errors);
        if let Some(min) = rules.min_value
            && *self < min
        {
            errors.push(at, Rule::MinValue { min, actual: *self });
        }
        if let Some(max) = rules.max_value
            && *self > max
        {
            errors.push(at, Rule::MaxValue { max, actual: *self });
        }
    }
}

impl Checked for bool {
    fn check_value(&self, _: &Path<'_>, _: &Rules, _: &mut ValidationErrors) {}
}

impl Checked for crate::DateTime {
    fn check_value(&self, _: &Path<'_>, _: &Rules, _: &mut ValidationErrors) {}
}

impl Checked for crate::Decimal {
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        // Like a number's, a decimal's 最大长度 bounds the text it is sent as.
        check_length(self.as_str().len(), at, rules, errors);
    }
}

impl Checked for crate::FileItem {
    // A file is present when given, even empty: the SDK checks only for `null`.
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        if let Some(max) = rules.max_length
            && self.len() > max
        {
            errors.push(
                at,
                Rule::MaxSize {
                    max,
                    actual: self.len(),
                },
            );
        }
    }
    fn item_rules(list_rules: &Rules) -> Rules {
        Rules {
            max_length: list_rules.max_length,
            ..Rules::new()
        }
    }
}

/// The UTF-16 length of a JSON value's compact text, as it is sent.
fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    serde_json::to_string(value).map_or(0, |text| utf16_len(&text))
}

impl Checked for crate::Json {
    /// `null`, or a string that is blank (the SDK's check on the text the caller set).
    fn is_blank(&self) -> bool {
        match self {
            serde_json::Value::Null => true,
            serde_json::Value::String(s) => s.is_blank(),
            _ => false,
        }
    }
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        // Serialized only when there is a limit: most Json fields have none.
        if rules.max_length.is_some() {
            check_length(json_len(self), at, rules, errors);
        }
    }
}

impl Checked for crate::JsonMap {
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        if rules.max_length.is_some() {
            check_length(json_len(self), at, rules, errors);
        }
    }
}

impl<T: Checked> Checked for Option<T> {
    fn is_blank(&self) -> bool {
        self.as_ref().is_none_or(Checked::is_blank)
    }
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        if let Some(value) = self {
            value.check_value(at, rules, errors);
        }
    }
}

impl<T: Checked> Checked for Vec<T> {
    fn is_blank(&self) -> bool {
        self.is_empty()
    }
    fn check_value(&self, at: &Path<'_>, rules: &Rules, errors: &mut ValidationErrors) {
        if let Some(max) = rules.max_items
            && self.len() > max
        {
            errors.push(
                at,
                Rule::MaxItems {
                    max,
                    actual: self.len(),
                },
            );
        }
        // Limits of a list bound the list; its elements carry only their own rules.
        let item_rules = T::item_rules(rules);
        for (i, item) in self.iter().enumerate() {
            item.check_value(&at.index(i), &item_rules, errors);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations_of<T: Checked>(value: &T, rules: Rules) -> Vec<Violation> {
        let mut errors = ValidationErrors::new();
        let root = Path::ROOT;
        let parent = root.field("req");
        check(&mut errors, &parent, "x", value, rules);
        errors.violations().to_vec()
    }

    #[test]
    fn required_text_rejects_absent_empty_and_whitespace() {
        let rules = Rules::new().required();
        for v in [None, Some(String::new()), Some(" \t\n".to_owned())] {
            let got = violations_of(&v, rules);
            assert_eq!(got.len(), 1, "{v:?}");
            assert_eq!(got[0].path, "req.x");
            assert_eq!(got[0].rule, Rule::Missing);
        }
        assert!(violations_of(&Some("a".to_owned()), rules).is_empty());
        assert!(violations_of(&Option::<String>::None, Rules::new()).is_empty());
    }

    #[test]
    fn lengths_without_allocating_match_the_obvious_ones() {
        for n in [
            0,
            1,
            9,
            10,
            -1,
            -10,
            99,
            100,
            i64::MAX,
            i64::MIN,
            3882527336184474047,
        ] {
            assert_eq!(decimal_len(n), n.to_string().len(), "{n}");
        }
        for s in [
            "",
            "abc",
            "张三",
            "😀",
            "a😀b张",
            "\u{7FF}\u{800}\u{FFFF}\u{10000}",
        ] {
            assert_eq!(utf16_len(s), s.encode_utf16().count(), "{s:?}");
        }
    }

    #[test]
    fn check_field_is_check_of_an_option() {
        let rules = Rules::REQUIRED.max_length(2);
        for value in [None, Some(""), Some("  "), Some("ab"), Some("abc")] {
            let owned = value.map(str::to_owned);
            let mut want = ValidationErrors::new();
            check(&mut want, &Path::ROOT, "x", &owned, rules);
            let mut got = ValidationErrors::new();
            check_field(&mut got, &Path::ROOT, "x", owned.as_ref(), rules);
            assert_eq!(got, want, "{value:?}");
        }
    }

    #[test]
    fn max_length_counts_utf16_units() {
        assert_eq!(utf16_len("张三😀"), 4);
        let rules = Rules::new().max_length(3);
        let got = violations_of(&"张三😀".to_owned(), rules);
        assert_eq!(got[0].rule, Rule::MaxLength { max: 3, actual: 4 });
        assert!(violations_of(&"张三😀".to_owned(), Rules::new().max_length(4)).is_empty());
    }

    #[test]
    fn numbers_check_digits_and_range() {
        let got = violations_of(
            &12345i64,
            Rules::new().max_length(4).min_value(20000).max_value(1),
        );
        let rules: Vec<_> = got.into_iter().map(|v| v.rule).collect();
        assert_eq!(
            rules,
            vec![
                Rule::MaxLength { max: 4, actual: 5 },
                Rule::MinValue {
                    min: 20000,
                    actual: 12345
                },
                Rule::MaxValue {
                    max: 1,
                    actual: 12345
                },
            ]
        );
    }

    #[test]
    fn lists_check_size_and_emptiness() {
        let got = violations_of(&vec![1i64, 2, 3], Rules::new().max_items(2));
        assert_eq!(got[0].rule, Rule::MaxItems { max: 2, actual: 3 });
        let got = violations_of(&Vec::<i64>::new(), Rules::new().required());
        assert_eq!(got[0].rule, Rule::Missing);
    }

    #[test]
    fn text_max_items_counts_comma_separated_values_like_java_split() {
        assert_eq!(java_split_count("a"), 1);
        assert_eq!(java_split_count("a,b,c"), 3);
        assert_eq!(java_split_count("a,,c"), 3);
        assert_eq!(java_split_count("a,b,,"), 2);
        let got = violations_of(&"1,2,3".to_owned(), Rules::new().max_items(2));
        assert_eq!(got[0].rule, Rule::MaxItems { max: 2, actual: 3 });
        assert!(violations_of(&"1,2,".to_owned(), Rules::new().max_items(2)).is_empty());
    }

    #[test]
    fn files_are_present_when_given_and_bounded_in_bytes() {
        use crate::FileItem;
        let file = FileItem::from_bytes("a.bin", vec![0u8; 11]);
        let rules = Rules::new().required().max_length(10);
        let got = violations_of(&file, rules);
        assert_eq!(
            got[0].rule,
            Rule::MaxSize {
                max: 10,
                actual: 11
            }
        );
        assert_eq!(
            got[0].to_string(),
            "Invalid arguments:the file size of req.x can not be larger than 10 (it is 11)."
        );
        assert_eq!(got[0].rule.sdk_code(), 41);
        assert!(violations_of(&file, Rules::new().max_length(11)).is_empty());
        let empty = FileItem::from_bytes("e", Vec::new());
        assert!(violations_of(&empty, Rules::REQUIRED).is_empty());
        let got = violations_of(&Option::<FileItem>::None, Rules::REQUIRED);
        assert_eq!(got[0].rule, Rule::Missing);
        // Each file of a list keeps the size limit; the list keeps its own.
        let files = vec![empty.clone(), file.clone(), file];
        let got = violations_of(&files, Rules::new().max_length(10).max_items(2));
        let got: Vec<_> = got.into_iter().map(|v| (v.path, v.rule)).collect();
        assert_eq!(
            got,
            [
                ("req.x".to_owned(), Rule::MaxItems { max: 2, actual: 3 }),
                (
                    "req.x[1]".to_owned(),
                    Rule::MaxSize {
                        max: 10,
                        actual: 11
                    }
                ),
                (
                    "req.x[2]".to_owned(),
                    Rule::MaxSize {
                        max: 10,
                        actual: 11
                    }
                ),
            ]
        );
        let got = violations_of(&Some(Vec::<FileItem>::new()), Rules::REQUIRED);
        assert_eq!(got[0].rule, Rule::Missing);
    }

    #[test]
    fn json_decimal_and_maps() {
        use crate::{Decimal, Json, JsonMap};
        use serde_json::json;
        for blank in [json!(null), json!("  ")] {
            assert_eq!(
                violations_of(&blank, Rules::REQUIRED)[0].rule,
                Rule::Missing
            );
        }
        for present in [json!(0), json!(false), json!({}), json!([]), json!("x")] {
            assert!(
                violations_of(&present, Rules::REQUIRED).is_empty(),
                "{present}"
            );
        }
        let got = violations_of(&json!({"k": "张三"}), Rules::new().max_length(5));
        assert_eq!(got[0].rule, Rule::MaxLength { max: 5, actual: 10 });
        assert_eq!(
            violations_of(&Option::<Json>::None, Rules::REQUIRED)[0].rule,
            Rule::Missing
        );
        let map: JsonMap = [("a".to_owned(), json!(1))].into_iter().collect();
        assert!(violations_of(&map, Rules::REQUIRED.max_length(7)).is_empty());
        assert_eq!(
            violations_of(&map, Rules::new().max_length(6))[0].rule,
            Rule::MaxLength { max: 6, actual: 7 }
        );
        let price: Decimal = "12345.67".parse().unwrap();
        assert!(violations_of(&price, Rules::REQUIRED.max_length(8)).is_empty());
        assert_eq!(
            violations_of(&price, Rules::new().max_length(7))[0].rule,
            Rule::MaxLength { max: 7, actual: 8 }
        );
        assert_eq!(
            violations_of(&Option::<Decimal>::None, Rules::REQUIRED)[0].rule,
            Rule::Missing
        );
    }

    #[test]
    fn paths_render_fields_and_indexes() {
        let root = Path::ROOT;
        let a = root.field("risk_info_sync_request");
        let b = a.field("contents");
        let c = b.index(3);
        let d = c.field("buyer_name");
        assert_eq!(
            d.to_string(),
            "risk_info_sync_request.contents[3].buyer_name"
        );
        assert_eq!(Path::ROOT.to_string(), "");
    }

    #[test]
    fn messages_follow_the_sdk_wording_and_codes() {
        let mut errors = ValidationErrors::new();
        let root = Path::ROOT;
        errors.push(&root.field("a"), Rule::MaxLength { max: 2, actual: 3 });
        assert_eq!(errors.sdk_code(), 41);
        errors.push(&root.field("b"), Rule::Missing);
        assert_eq!(errors.sdk_code(), 40);
        assert_eq!(
            errors.to_string(),
            "client-error:Invalid arguments:the string length of a can not be larger than 2 (it is 3).; \
             client-error:Missing required arguments:b"
        );
    }
}
