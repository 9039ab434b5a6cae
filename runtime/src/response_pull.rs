//! The fast way to a typed response: the body's text pulled straight into the generated
//! type ([`ApiRequest::read_response_from`]), no `Value` tree in between.
//!
//! Only the common envelopes take it: a plain `{"<name>_response": {...}}` root, a
//! simplified root, and an XML `<..._response>` root (pulled element by element). For
//! anything else — Qimen, an error answer, a root that needs the fallbacks, a malformed body,
//! a shape only the tree reader judges exactly — these return `None`, and `response` decodes
//! the body the tree way, which gives the same answer (or its own error) for every body.

use crate::api::ApiRequest;
use crate::lenient::{Error, Reader};

type Read<R> = Option<Result<<R as ApiRequest>::Response, Error>>;

/// A JSON body (trimmed, not empty) read as `R`'s response; `key` is the `*_response` name.
pub(crate) fn json<R: ApiRequest>(body: &[u8], key: &str, simplify: bool) -> Read<R> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.starts_with('{') {
        return None;
    }
    if simplify {
        let mut reader = Reader::new(text);
        // A root that is the wrapper after all is the tree decoder's to unwrap.
        reader.watch(key);
        return finished::<R>(&mut reader, |reader| R::read_response_from(reader));
    }
    let mut reader = Reader::new(text);
    let mut read = None;
    let tokens = reader.tokens();
    tokens.begin_object().ok()?;
    let mut first = true;
    while let Some(name) = reader.tokens().member(first).ok()? {
        first = false;
        if name == key && read.is_none() && reader.tokens().peek().ok()? == b'{' {
            read = Some(R::read_response_from(&mut reader)?);
            if reader.abandoned() {
                return None;
            }
        } else if name == key || name == "error_response" {
            return None;
        } else {
            reader.tokens().skip().ok()?;
        }
    }
    if !reader.at_end() {
        return None;
    }
    read
}

/// An XML body (trimmed, not empty, not necessarily UTF-8) read as `R`'s response.
pub(crate) fn xml<R: ApiRequest>(body: &[u8], simplify: bool) -> Read<R> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.starts_with('<') {
        return None;
    }
    let mut reader = Reader::xml(text);
    let root = reader.xml_root()?;
    let accepted = if simplify {
        !root.name.eq_ignore_ascii_case("html")
    } else {
        root.name.ends_with("_response")
    };
    if !accepted || root.name == "error_response" {
        return None;
    }
    finished::<R>(&mut reader, |reader| R::read_response_from(reader))
}

/// The read, when the reader kept to it and the text ended with the value.
fn finished<'a, R: ApiRequest>(
    reader: &mut Reader<'a>,
    read: impl FnOnce(&mut Reader<'a>) -> Read<R>,
) -> Read<R> {
    let read = read(reader)?;
    (!reader.abandoned() && reader.at_end()).then_some(read)
}
