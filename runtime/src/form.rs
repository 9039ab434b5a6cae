//! Form encoding (`application/x-www-form-urlencoded`, Java's `URLEncoder`): the URL query and
//! the body of a request without files, each written in one pass into a buffer sized once.

/// The `Content-Type` of the form body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=UTF-8";

/// How each byte is form-encoded (Java's `URLEncoder`, `form_urlencoded`): `*-._` and
/// ASCII letters and digits as they are, a space as `+`, anything else as `%XX` (uppercase
/// hex). Entry: up to three encoded bytes, then how many of them count.
const FORM_ENCODED: [[u8; 4]; 256] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = match b {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => [b, 0, 0, 1],
            b' ' => [b'+', 0, 0, 1],
            _ => [b'%', HEX[i >> 4], HEX[i & 0x0F], 3],
        };
        i += 1;
    }
    table
};

/// The length of `text` form-encoded: two more bytes for each byte sent as `%XX`.
///
/// Range comparisons into a `u32` counter rather than the table: the compiler turns this
/// loop into vector code (checked in the assembly), a fraction of a table lookup per byte.
/// Chunks keep the `u32` from overflowing.
pub(crate) fn form_len(text: &str) -> usize {
    let mut len = text.len();
    for chunk in text.as_bytes().chunks(1 << 20) {
        let mut percent = 0u32;
        for &b in chunk {
            let safe = b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_' | b' ');
            percent += u32::from(!safe);
        }
        len += 2 * percent as usize;
    }
    len
}

/// Inputs up to this many bytes get a buffer of three bytes per input byte rather than a
/// measuring pass over them (at most 48 KiB, freed with the request).
pub(crate) const UNMEASURED_LIMIT: usize = 16 * 1024;

/// Room enough for `key=value&...` form-encoded: for small inputs the worst case, at most
/// three bytes per byte, which costs no pass over the text (most of it short names and
/// values the measuring loop cannot vectorize); for large ones the exact length, so that a
/// big body is not tripled.
pub(crate) fn form_pairs_room<'k, 'v>(
    pairs: impl Iterator<Item = (&'k str, &'v str)> + Clone,
) -> usize {
    let raw = pairs
        .clone()
        .map(|(k, v)| k.len() + v.len() + 2)
        .sum::<usize>();
    if raw <= UNMEASURED_LIMIT {
        3 * raw
    } else {
        form_pairs_len(pairs)
    }
}

/// The length of `key=value&...` form-encoded (no leading `&`).
pub(crate) fn form_pairs_len<'k, 'v>(pairs: impl Iterator<Item = (&'k str, &'v str)>) -> usize {
    pairs
        .map(|(k, v)| form_len(k) + form_len(v) + 2)
        .sum::<usize>()
        .saturating_sub(1)
}

/// Writes a form-encoded text of bounded length (the URL, the body) into a buffer sized once.
///
/// Each byte is one table lookup and one four-byte store: the store always writes a whole
/// table entry and the cursor moves by the encoded length, so there is no branch per byte
/// and no capacity check (three bytes of slack at the end take the overhang; they are cut
/// off in [`FormWriter::finish`]). Pushing byte by byte, or through `form_urlencoded`'s
/// chunks, cost several times more.
pub(crate) struct FormWriter {
    buf: Vec<u8>,
    at: usize,
}

impl FormWriter {
    /// A writer for `prefix` followed by at most `encoded_len` bytes of form-encoded text.
    pub(crate) fn new(prefix: &str, encoded_len: usize) -> Self {
        let len = prefix.len() + encoded_len;
        let mut buf = Vec::with_capacity(len + 3);
        buf.extend_from_slice(prefix.as_bytes());
        buf.resize(len + 3, 0);
        FormWriter {
            buf,
            at: prefix.len(),
        }
    }

    /// Appends `text` form-encoded: byte for byte what `form_urlencoded` writes.
    pub(crate) fn encode(&mut self, text: &str) {
        let mut at = self.at;
        for b in text.bytes() {
            let entry = FORM_ENCODED[usize::from(b)];
            self.buf[at..at + 4].copy_from_slice(&entry);
            at += usize::from(entry[3]);
        }
        self.at = at;
    }

    /// Appends `raw` as it is (separators, counted in the length by the caller).
    pub(crate) fn raw(&mut self, raw: &str) {
        self.buf[self.at..self.at + raw.len()].copy_from_slice(raw.as_bytes());
        self.at += raw.len();
    }

    /// Appends `key=value`, after a `&` unless it is the first pair.
    pub(crate) fn pair(&mut self, first: bool, key: &str, value: &str) {
        if !first {
            self.raw("&");
        }
        self.encode(key);
        self.raw("=");
        self.encode(value);
    }

    /// The text written; `Vec<u8>` because a body is bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.buf.truncate(self.at);
        self.buf
    }
}

/// `text` form-encoded on its own: a value of a URL built outside request preparation (the
/// OAuth authorize URL).
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = FormWriter::new("", form_len(text));
    out.encode(text);
    // Every byte written is ASCII, so this never falls back.
    String::from_utf8(out.finish()).unwrap_or_default()
}

/// Decodes one form component (`+` a space, `%XX` a byte); `None` when an escape is broken
/// or the bytes are not UTF-8. Other bytes are taken as they are: the text may come from a
/// server that escapes less than `URLEncoder`.
pub(crate) fn decode_component(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let high = char::from(hex[0]).to_digit(16)?;
                let low = char::from(hex[1]).to_digit(16)?;
                // Two hex digits: below 256.
                out.push(u8::try_from(high * 16 + low).ok()?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written encoder writes what `form_urlencoded` (Java `URLEncoder`) writes,
    /// and `form_len` predicts its length exactly.
    #[test]
    fn form_encoding_matches_form_urlencoded() {
        let ascii: String = (0u8..128).map(char::from).collect();
        let cases = [
            ascii.as_str(),
            "",
            " ",
            "a b+c&d=e%f",
            r#"{"name":"张三","list":[{"k":"v"}]}"#,
            "é😀\u{00A0}x",
            "*-._~!'()",
            "2016-01-01 12:00:00",
        ];
        for text in cases {
            let mut out = FormWriter::new("prefix", form_len(text));
            out.encode(text);
            let want: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
            assert_eq!(
                out.finish(),
                format!("prefix{want}").into_bytes(),
                "{text:?}"
            );
            assert_eq!(form_len(text), want.len(), "{text:?}");
            let pairs = [(text, text), ("k", text), (text, "")];
            let exact = FormWriter::new("", form_pairs_len(pairs.into_iter()));
            let room = FormWriter::new("", form_pairs_room(pairs.into_iter()));
            let mut want = form_urlencoded::Serializer::new(String::new());
            want.extend_pairs(pairs);
            let want = want.finish().into_bytes();
            for mut out in [exact, room] {
                for (i, (k, v)) in pairs.into_iter().enumerate() {
                    out.pair(i == 0, k, v);
                }
                assert_eq!(out.finish(), want, "{text:?}");
            }
        }
        // Past the unmeasured limit the room is the exact length, which must still fit.
        let big = "张\"x".repeat(UNMEASURED_LIMIT);
        let pairs = [("big", big.as_str())];
        assert_eq!(
            form_pairs_room(pairs.into_iter()),
            form_pairs_len(pairs.into_iter())
        );
        let mut out = FormWriter::new("", form_pairs_room(pairs.into_iter()));
        out.pair(true, "big", &big);
        let mut want = form_urlencoded::Serializer::new(String::new());
        want.extend_pairs(pairs);
        assert_eq!(out.finish(), want.finish().into_bytes());
    }

    #[test]
    fn components_encode_and_decode() {
        for text in ["", "a b+c&d=e%f", "张三 😀", "https://x.y/cb?a=1&b=2"] {
            let encoded = encode_component(text);
            let want: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
            assert_eq!(encoded, want);
            assert_eq!(decode_component(&encoded).as_deref(), Some(text));
        }
        assert_eq!(decode_component("%E5%BC%A0+x").as_deref(), Some("张 x"));
        assert_eq!(decode_component("raw 张").as_deref(), Some("raw 张"));
        for broken in ["%", "%4", "%G1", "%E5%BC", "%zz"] {
            assert_eq!(decode_component(broken), None, "{broken}");
        }
    }
}
