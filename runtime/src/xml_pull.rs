//! A pull tokenizer over XML text: what [`crate::lenient::Reader`] reads XML responses with,
//! element by element, without a `Value` tree or a JSON rendering in between.
//!
//! It accepts a strict subset of what the tree decoder's quick-xml reader accepts, and reads
//! it to the same names and text: ASCII tag and attribute names, quoted attributes (none
//! repeated, no `<` in a value), the five predefined entities and character references,
//! CDATA, comments and processing instructions (neither holding `>`), line ends normalized
//! per run of text as quick-xml's `xml10_content` does, nesting capped at [`MAX_DEPTH`].
//! Anything else — a doctype, a non-ASCII name, a second root, text outside the root — is
//! [`Malformed`], and the caller hands the body to the tree decoder, which reads it (or
//! says what is wrong) in its own words. The `json_pull` fuzz target checks the agreement.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memmem};

use crate::json_pull::{MAX_DEPTH, Malformed};

/// An element whose start tag was just read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    pub(crate) name: &'a str,
    /// It carries `list="true"`.
    pub(crate) list: bool,
    /// `<name/>`: it has no content and no end tag.
    pub(crate) empty: bool,
}

/// The tag that ends a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag<'a> {
    Start(Element<'a>),
    /// The end tag of the innermost open element.
    End,
    /// The end of the text, with no element open.
    Eof,
}

/// A cursor into XML text.
#[derive(Debug, Clone)]
pub(crate) struct Tokens<'a> {
    text: &'a str,
    pos: usize,
    /// The names of the open elements, outermost first.
    open: Vec<&'a str>,
    /// The root element was read: another one is a second root.
    rooted: bool,
}

/// Where a cursor stands, to come back to it (only from inside the same element).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pos: usize,
    depth: usize,
}

/// The bytes names are made of here: ASCII letters, digits, `_`, `-`, `.` and `:`.
const NAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':');
        b += 1;
    }
    table
};

/// quick-xml's whitespace inside tags.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A run of text as quick-xml's `xml10_content` gives it: `\r\n` and a lone `\r` are `\n`.
fn normalized(run: &str) -> Cow<'_, str> {
    if memchr(b'\r', run.as_bytes()).is_none() {
        return Cow::Borrowed(run);
    }
    Cow::Owned(run.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Appends a piece of text to what was gathered so far, borrowing while there is one piece.
fn gather<'a>(text: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if text.is_empty() {
        *text = piece;
    } else if !piece.is_empty() {
        text.to_mut().push_str(&piece);
    }
}

/// A reference's content (between `&` and `;`) as the tree decoder resolves it.
fn resolve(reference: &str) -> Option<Cow<'static, str>> {
    if let Some(number) = reference.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        if digits.starts_with(['+', '-']) {
            return None;
        }
        let code = u32::from_str_radix(digits, radix).ok()?;
        let c = char::from_u32(code).filter(|_| code != 0)?;
        return Some(Cow::Owned(c.to_string()));
    }
    let s = match reference {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    };
    Some(Cow::Borrowed(s))
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Tokens {
            text,
            pos: 0,
            open: Vec::new(),
            rooted: false,
        }
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            depth: self.open.len(),
        }
    }

    /// Back to `mark`; the elements open there are still open (the cursor only moved inside
    /// the innermost of them).
    pub(crate) fn reset(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.open.truncate(mark.depth);
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes().get(self.pos..).unwrap_or_default()
    }

    fn slice(&self, start: usize, end: usize) -> Result<&'a str, Malformed> {
        self.text.get(start..end).ok_or(Malformed)
    }

    /// The text up to the next element tag (start or end) and that tag; comments and
    /// processing instructions are passed over, CDATA and references join the text.
    pub(crate) fn next(&mut self) -> Result<(Cow<'a, str>, Tag<'a>), Malformed> {
        let mut text = Cow::Borrowed("");
        let tag = self.advance(Some(&mut text))?;
        Ok((text, tag))
    }

    /// Passes over the rest of the element whose start tag was just read, through its end
    /// tag, checking all of it as [`Tokens::next`] does.
    pub(crate) fn skip_element(&mut self) -> Result<(), Malformed> {
        let depth = self.open.len();
        loop {
            match self.advance(None)? {
                Tag::Start(_) => {}
                Tag::End if self.open.len() < depth => return Ok(()),
                Tag::End => {}
                Tag::Eof => return Err(Malformed),
            }
        }
    }

    fn advance(&mut self, mut text: Option<&mut Cow<'a, str>>) -> Result<Tag<'a>, Malformed> {
        loop {
            let rest = self.rest();
            let Some(stop) = memchr2(b'<', b'&', rest) else {
                // The text ends: only whitespace may follow the root.
                if !self.open.is_empty() || !rest.iter().all(u8::is_ascii_whitespace) {
                    return Err(Malformed);
                }
                self.pos = self.bytes().len();
                return Ok(Tag::Eof);
            };
            let run_end = self.pos + stop;
            if stop > 0 {
                let run = self.slice(self.pos, run_end)?;
                if self.open.is_empty() {
                    // Text-like content is only allowed inside an element.
                    if !run.bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(Malformed);
                    }
                } else if let Some(text) = text.as_deref_mut() {
                    gather(text, normalized(run));
                }
            }
            self.pos = run_end;
            if rest.get(stop) == Some(&b'&') {
                if self.open.is_empty() {
                    return Err(Malformed);
                }
                let after = self.pos + 1;
                let body = self.bytes().get(after..).unwrap_or_default();
                let end = memchr::memchr3(b';', b'&', b'<', body).ok_or(Malformed)?;
                if body.get(end) != Some(&b';') {
                    return Err(Malformed);
                }
                let resolved = resolve(self.slice(after, after + end)?).ok_or(Malformed)?;
                if let Some(text) = text.as_deref_mut() {
                    gather(text, resolved);
                }
                self.pos = after + end + 1;
                continue;
            }
            if let Some(tag) = self.markup(text.as_deref_mut())? {
                return Ok(tag);
            }
        }
    }

    /// The markup at `<`: an element tag, or `None` for one that carries no tag (a comment,
    /// a processing instruction, CDATA — whose content joins `text`).
    fn markup(&mut self, text: Option<&mut Cow<'a, str>>) -> Result<Option<Tag<'a>>, Malformed> {
        let rest = self.rest();
        match rest.get(1) {
            Some(b'/') => self.end_tag().map(Some),
            Some(b'?') => {
                // `<?...?>` with no `>` inside: where quick-xml ends it too.
                let close = memchr(b'>', rest).ok_or(Malformed)?;
                if close < 3 || rest.get(close - 1) != Some(&b'?') {
                    return Err(Malformed);
                }
                self.pos += close + 1;
                Ok(None)
            }
            Some(b'!') if rest.starts_with(b"<!--") => {
                let close = memchr(b'>', rest).ok_or(Malformed)?;
                if close < 6 || rest.get(close - 2..close) != Some(b"--") {
                    return Err(Malformed);
                }
                self.pos += close + 1;
                Ok(None)
            }
            Some(b'!') if rest.starts_with(b"<![CDATA[") => {
                if self.open.is_empty() {
                    return Err(Malformed);
                }
                let body = rest.get(9..).unwrap_or_default();
                let end = memmem::find(body, b"]]>").ok_or(Malformed)?;
                let start = self.pos + 9;
                let content = self.slice(start, start + end)?;
                if let Some(text) = text {
                    gather(text, normalized(content));
                }
                self.pos = start + end + 3;
                Ok(None)
            }
            Some(_) => self.start_tag().map(Some),
            None => Err(Malformed),
        }
    }

    /// A name at `pos`, which moves past it.
    fn name(&mut self) -> Result<&'a str, Malformed> {
        let start = self.pos;
        let len = self
            .rest()
            .iter()
            .position(|b| !NAME_BYTE[usize::from(*b)])
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(Malformed);
        }
        self.pos += len;
        self.slice(start, start + len)
    }

    fn skip_space(&mut self) -> usize {
        let n = self.rest().iter().take_while(|b| is_space(**b)).count();
        self.pos += n;
        n
    }

    fn expect(&mut self, byte: u8) -> Result<(), Malformed> {
        if self.rest().first() != Some(&byte) {
            return Err(Malformed);
        }
        self.pos += 1;
        Ok(())
    }

    fn start_tag(&mut self) -> Result<Tag<'a>, Malformed> {
        if self.open.is_empty() {
            if self.rooted {
                return Err(Malformed);
            }
            self.rooted = true;
        }
        self.pos += 1;
        let name = self.name()?;
        let mut list = false;
        // Attribute names seen in this tag: a repeated one is quick-xml's error to report.
        let mut seen: [&str; 4] = [""; 4];
        let mut count = 0;
        loop {
            let spaced = self.skip_space() > 0;
            match self.rest() {
                [b'>', ..] => {
                    self.pos += 1;
                    if self.open.len() >= MAX_DEPTH {
                        return Err(Malformed);
                    }
                    self.open.push(name);
                    let empty = false;
                    return Ok(Tag::Start(Element { name, list, empty }));
                }
                [b'/', b'>', ..] => {
                    self.pos += 2;
                    let empty = true;
                    return Ok(Tag::Start(Element { name, list, empty }));
                }
                _ if !spaced => return Err(Malformed),
                _ => {}
            }
            let key = self.name()?;
            if seen[..count].contains(&key) || count == seen.len() {
                return Err(Malformed);
            }
            seen[count] = key;
            count += 1;
            self.skip_space();
            self.expect(b'=')?;
            self.skip_space();
            let quote = *self.rest().first().ok_or(Malformed)?;
            if quote != b'"' && quote != b'\'' {
                return Err(Malformed);
            }
            let start = self.pos + 1;
            let len = memchr(quote, self.rest().get(1..).unwrap_or_default()).ok_or(Malformed)?;
            let value = self.slice(start, start + len)?;
            if value.contains('<') {
                return Err(Malformed);
            }
            if key == "list" {
                list = value.trim() == "true";
            }
            self.pos = start + len + 1;
        }
    }

    fn end_tag(&mut self) -> Result<Tag<'a>, Malformed> {
        let open = self.open.pop().ok_or(Malformed)?;
        // The open element's name, and then no more of a name.
        let rest = self.rest().get(2..).unwrap_or_default();
        let after = rest.get(open.len()).copied().unwrap_or(b'<');
        if !rest.starts_with(open.as_bytes()) || NAME_BYTE[usize::from(after)] {
            return Err(Malformed);
        }
        self.pos += 2 + open.len();
        self.skip_space();
        self.expect(b'>')?;
        Ok(Tag::End)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(name: &str, list: bool, empty: bool) -> Tag<'_> {
        Tag::Start(Element { name, list, empty })
    }

    /// Every (text, tag) pair of a document.
    fn events(xml: &str) -> Result<Vec<(String, Tag<'_>)>, Malformed> {
        let mut tokens = Tokens::new(xml);
        let mut out = Vec::new();
        loop {
            let (text, tag) = tokens.next()?;
            out.push((text.into_owned(), tag));
            if tag == Tag::Eof {
                return Ok(out);
            }
        }
    }

    #[test]
    fn reads_tags_text_references_and_cdata() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<r><a list = 'true' x=\"1>2\">t&amp;&#x41;&#66;<![CDATA[<c>]]>\r\nu<!-- c --></a><e list=\"true\"/></r><!--top-->";
        assert_eq!(
            events(xml).unwrap(),
            vec![
                (String::new(), start("r", false, false)),
                (String::new(), start("a", true, false)),
                ("t&AB<c>\nu".to_owned(), Tag::End),
                (String::new(), start("e", true, true)),
                (String::new(), Tag::End),
                (String::new(), Tag::Eof),
            ]
        );
    }

    #[test]
    fn skips_an_element_whole() {
        let mut tokens = Tokens::new("<r><a><b>1</b><c/></a><d/></r>");
        assert_eq!(tokens.next().unwrap().1, start("r", false, false));
        assert_eq!(tokens.next().unwrap().1, start("a", false, false));
        tokens.skip_element().unwrap();
        assert_eq!(tokens.next().unwrap().1, start("d", false, true));
    }

    #[test]
    fn refuses_what_it_does_not_read_exactly() {
        for xml in [
            "<r>",
            "<r></s>",
            "<r>&nbsp;</r>",
            "<r>&#0;</r>",
            "<r>a & b</r>",
            "<r a=\"1\" a=\"2\"/>",
            "<r a/>",
            "<r a=1/>",
            "<!DOCTYPE r><r/>",
            "<r/><s/>",
            "x<r/>",
            "<?>?><r/>",
            "<!-->--><r/>",
            "<r><名/></r>",
            "<r/ >",
        ] {
            assert_eq!(events(xml), Err(Malformed), "{xml}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(events(&deep), Err(Malformed));
    }
}
