//! A pull tokenizer over JSON text: what [`crate::lenient::Reader`] reads responses with,
//! without building a `serde_json::Value` tree first.
//!
//! It accepts exactly the documents `serde_json::from_slice::<Value>` accepts (checked by
//! the `json_pull` fuzz target): the same grammar, whitespace, escapes (lone surrogates are
//! errors) and numbers (a number serde_json cannot hold, such as `1e400`, is an error), with
//! nesting capped at [`MAX_DEPTH`]. Strings are borrowed from the text unless they hold
//! escapes; skipping a value allocates nothing. Errors carry no message: a caller that meets
//! one hands the body to serde_json, which says what is wrong in its own words.

use std::borrow::Cow;

/// Deepest nesting of arrays and objects accepted (the response decoder's cap).
pub(crate) const MAX_DEPTH: usize = 64;

/// The text is not JSON that serde_json would accept, or is nested too deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// A cursor into JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Tokens<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

/// Where a cursor stands, to come back to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pos: usize,
    depth: usize,
}

/// The bytes that end a run of plain string content: `"`, `\` and the controls.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

impl<'a> Tokens<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Tokens {
            text,
            pos: 0,
            depth: 0,
        }
    }

    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            depth: self.depth,
        }
    }

    pub(crate) fn reset(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.depth = mark.depth;
    }

    /// How many arrays and objects the cursor is inside.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The byte offset of the cursor.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after whitespace (not consumed); `Malformed` at the end of the text.
    pub(crate) fn peek(&mut self) -> Result<u8, Malformed> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Ok(b);
            }
        }
        Err(Malformed)
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.peek().is_err()
    }

    fn expect(&mut self, byte: u8) -> Result<(), Malformed> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    fn enter(&mut self) -> Result<(), Malformed> {
        self.depth += 1;
        self.pos += 1;
        if self.depth > MAX_DEPTH {
            Err(Malformed)
        } else {
            Ok(())
        }
    }

    /// Consumes `{`, which must be next.
    pub(crate) fn begin_object(&mut self) -> Result<(), Malformed> {
        if self.peek()? != b'{' {
            return Err(Malformed);
        }
        self.enter()
    }

    /// Consumes `[`, which must be next.
    pub(crate) fn begin_array(&mut self) -> Result<(), Malformed> {
        if self.peek()? != b'[' {
            return Err(Malformed);
        }
        self.enter()
    }

    /// The next member's name of the object being read (its `:` consumed), or `None` after
    /// its `}`; `first` is true for the first call after `{`.
    pub(crate) fn member(&mut self, first: bool) -> Result<Option<Cow<'a, str>>, Malformed> {
        match self.peek()? {
            b'}' => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(None);
            }
            b',' if !first => self.pos += 1,
            b'"' if first => {}
            _ => return Err(Malformed),
        }
        if self.peek()? != b'"' {
            return Err(Malformed);
        }
        let name = self.string()?;
        self.expect(b':')?;
        Ok(Some(name))
    }

    /// Whether the array being read has another element (then positioned at it), or ended
    /// (its `]` consumed); `first` is true for the first call after `[`.
    pub(crate) fn element(&mut self, first: bool) -> Result<bool, Malformed> {
        match self.peek()? {
            b']' => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            b',' if !first => {
                self.pos += 1;
                Ok(true)
            }
            _ if first => Ok(true),
            _ => Err(Malformed),
        }
    }

    /// A string, which must be next: borrowed unless it holds escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, Malformed> {
        if self.peek()? != b'"' {
            return Err(Malformed);
        }
        let bytes = self.bytes();
        let start = self.pos + 1;
        let mut i = start;
        while i < bytes.len() && !STRING_STOP[usize::from(bytes[i])] {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                // Quotes are ASCII, so both ends are on char boundaries.
                self.text.get(start..i).map(Cow::Borrowed).ok_or(Malformed)
            }
            Some(b'\\') => {
                let mut owned = String::from(self.text.get(start..i).ok_or(Malformed)?);
                self.pos = i;
                self.escaped(&mut owned)?;
                Ok(Cow::Owned(owned))
            }
            _ => Err(Malformed),
        }
    }

    /// The rest of a string from a `\`, unescaped into `out`.
    fn escaped(&mut self, out: &mut String) -> Result<(), Malformed> {
        let bytes = self.bytes();
        loop {
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(Malformed),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => {
                    let start = self.pos;
                    let mut i = start;
                    while i < bytes.len() && !STRING_STOP[usize::from(bytes[i])] {
                        i += 1;
                    }
                    if i == start {
                        // A control character.
                        return Err(Malformed);
                    }
                    out.push_str(self.text.get(start..i).ok_or(Malformed)?);
                    self.pos = i;
                }
                None => return Err(Malformed),
            }
        }
    }

    /// The character of a `\u` escape (after the `u`), a surrogate pair taken whole.
    fn unicode_escape(&mut self) -> Result<char, Malformed> {
        let high = self.hex4()?;
        match high {
            0xD800..=0xDBFF => {
                if self.bytes().get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(Malformed);
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(Malformed);
                }
                let code = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                char::from_u32(code).ok_or(Malformed)
            }
            0xDC00..=0xDFFF => Err(Malformed),
            other => char::from_u32(u32::from(other)).ok_or(Malformed),
        }
    }

    fn hex4(&mut self) -> Result<u16, Malformed> {
        let digits = self.bytes().get(self.pos..self.pos + 4).ok_or(Malformed)?;
        let mut n = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(Malformed),
            };
            n = n * 16 + u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// A number, which must be next, as its text; checked as serde_json checks it (a
    /// number it cannot hold is malformed).
    pub(crate) fn number(&mut self) -> Result<&'a str, Malformed> {
        self.peek()?;
        let bytes = self.bytes();
        let start = self.pos;
        let mut i = start;
        let digits = |i: &mut usize| {
            let from = *i;
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        let int = digits(&mut i);
        if int == 0 || (int > 1 && bytes[int_start] == b'0') {
            return Err(Malformed);
        }
        let mut simple = true;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            simple = false;
            if digits(&mut i) == 0 {
                return Err(Malformed);
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            simple = false;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return Err(Malformed);
            }
        }
        let text = self.text.get(start..i).ok_or(Malformed)?;
        // Up to 18 digits always fit an i64; anything longer or fractional is judged by
        // serde_json itself (its range, its rounding).
        if !(simple && int <= 18) && serde_json::from_str::<serde_json::Number>(text).is_err() {
            return Err(Malformed);
        }
        self.pos = i;
        Ok(text)
    }

    /// `true`, `false` or `null`, which must be next.
    pub(crate) fn literal(&mut self) -> Result<Literal, Malformed> {
        let rest = self.bytes().get(self.pos..).unwrap_or_default();
        let (lit, len) = if rest.starts_with(b"true") {
            (Literal::True, 4)
        } else if rest.starts_with(b"false") {
            (Literal::False, 5)
        } else if rest.starts_with(b"null") {
            (Literal::Null, 4)
        } else {
            return Err(Malformed);
        };
        self.pos += len;
        Ok(lit)
    }

    /// Skips the next value whole, checking it as strictly as reading it would; allocates
    /// nothing.
    pub(crate) fn skip(&mut self) -> Result<(), Malformed> {
        let base = self.depth;
        // One bit per open container below `base`: set for objects. The depth cap keeps it
        // within 128 levels.
        let mut objects: u128 = 0;
        loop {
            match self.peek()? {
                b'{' => {
                    self.enter()?;
                    if self.peek()? == b'}' {
                        self.pos += 1;
                        self.depth -= 1;
                    } else {
                        objects |= 1 << (self.depth - base - 1);
                        self.skip_member_name()?;
                        continue;
                    }
                }
                b'[' => {
                    self.enter()?;
                    if self.peek()? == b']' {
                        self.pos += 1;
                        self.depth -= 1;
                    } else {
                        objects &= !(1 << (self.depth - base - 1));
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b't' | b'f' | b'n' => {
                    self.literal()?;
                }
                _ => {
                    self.number()?;
                }
            }
            // A value ended: close what ends with it, then go on to the next element or
            // member, until back at the depth the skip started from.
            loop {
                if self.depth == base {
                    return Ok(());
                }
                let object = objects & (1 << (self.depth - base - 1)) != 0;
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        if object {
                            self.skip_member_name()?;
                        }
                        break;
                    }
                    b'}' if object => {
                        self.pos += 1;
                        self.depth -= 1;
                    }
                    b']' if !object => {
                        self.pos += 1;
                        self.depth -= 1;
                    }
                    _ => return Err(Malformed),
                }
            }
        }
    }

    fn skip_member_name(&mut self) -> Result<(), Malformed> {
        if self.peek()? != b'"' {
            return Err(Malformed);
        }
        self.skip_string()?;
        self.expect(b':')
    }

    fn skip_string(&mut self) -> Result<(), Malformed> {
        let bytes = self.bytes();
        let mut i = self.pos + 1;
        loop {
            while i < bytes.len() && !STRING_STOP[usize::from(bytes[i])] {
                i += 1;
            }
            match bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos = i + 1;
                    match bytes.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1;
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            self.unicode_escape()?;
                        }
                        _ => return Err(Malformed),
                    }
                    i = self.pos;
                }
                _ => return Err(Malformed),
            }
        }
    }
}

/// `true`, `false`, `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Literal {
    True,
    False,
    Null,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(text: &str) -> bool {
        let mut t = Tokens::new(text);
        t.skip().is_ok() && t.at_end()
    }

    #[test]
    fn skipping_accepts_what_serde_json_accepts() {
        for text in [
            r#"{"a":[1,2,{"b":null}],"c":"x\"y\\","d":{}}"#,
            r#"[]"#,
            r#" [ [ ] , { } , -0.5e+3 , true , false ] "#,
            r#""\ud83d\ude00""#,
            r#"{"a":{"b":{"c":[1,[2,[3]]]}},"e":1}"#,
            "12345678901234567890123",
        ] {
            assert!(skips(text), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
        for text in [
            r#"{"a":1,}"#,
            r#"[1,]"#,
            r#"{"a" 1}"#,
            r#"{"a":[1}"#,
            r#"[{"a":1]"#,
            r#"{1:1}"#,
            r#""\ud800""#,
            r#""\udc00x""#,
            "01",
            "1.",
            "1e400",
            "\"a\u{1}\"",
            "[1 2]",
            "{\"a\":1 \"b\":2}",
            "tru",
            "",
        ] {
            assert!(!skips(text), "{text}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn strings_are_borrowed_unless_escaped_and_depth_is_capped() {
        let mut t = Tokens::new(r#""张三" "a\nb\u00e9""#);
        assert!(matches!(t.string(), Ok(Cow::Borrowed("张三"))));
        assert_eq!(t.string().as_deref(), Ok("a\nb\u{e9}"));
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(!skips(&deep));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(skips(&ok));
    }
}
