//! The [`Reader`] over XML: the generated `Item::read`s pull an XML response element by
//! element, as they pull JSON member by member, reading each element as the tree decoder
//! maps it (see `response`'s module docs): text-only elements are strings (blank: `""`),
//! elements with children objects whose repeated names become arrays, every child of a
//! `list="true"` element an array element, an empty list element `{}`.
//!
//! Where that mapping would need a value built whole or regrouped — a scalar given an
//! element with children, a known field repeated, a list element whose children differ in
//! name, text beside a list's items — the reader is abandoned and the tree decoder reads
//! the body instead, which gives the same answer.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{Elements, Error, Fields, Item, Object, Reader, Scalar};
use crate::xml_pull::{Element, Tag, Tokens};

/// The XML state of a [`Reader`].
pub(super) struct Cursor<'a> {
    tokens: Tokens<'a>,
    /// The element whose value the next read takes (its start tag already read).
    at: Option<Element<'a>>,
    /// `at` is the document's root, whose blank value is an empty object.
    root: bool,
}

/// Whether the text is whitespace only (as `str::trim` has it), at a glance for most text.
fn blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii() && !b.is_ascii_whitespace() => false,
        Some(_) => text.trim().is_empty(),
    }
}

impl<'a> Reader<'a> {
    /// A reader at the start of an XML document; [`Reader::xml_root`] reads up to its root.
    pub(crate) fn xml(text: &'a str) -> Self {
        let mut reader = Reader::new("");
        reader.xml = Some(Cursor {
            tokens: Tokens::new(text),
            at: None,
            root: false,
        });
        reader
    }

    /// A reader at the value of an XML document's root element (read as the tree decoder
    /// reads the root of a simplified response: blank is an empty object); `None` when the
    /// document does not start with a root element this reader reads.
    #[doc(hidden)]
    pub fn xml_document(text: &'a str) -> Option<Self> {
        let mut reader = Reader::xml(text);
        reader.xml_root()?;
        Some(reader)
    }

    /// The root element, the reader then at its value; `None` when the document does not
    /// start with one the pull reader reads.
    pub(crate) fn xml_root(&mut self) -> Option<Element<'a>> {
        let cursor = self.xml.as_mut()?;
        match cursor.tokens.next() {
            Ok((_, Tag::Start(root))) => {
                cursor.at = Some(root);
                cursor.root = true;
                Some(root)
            }
            _ => None,
        }
    }

    fn cursor(&mut self) -> Result<&mut Cursor<'a>, Error> {
        if self.abandoned || self.xml.is_none() {
            return Err(self.abandon());
        }
        self.xml
            .as_mut()
            .ok_or_else(|| Error::new("not an XML reader"))
    }

    /// The element the next read takes, and whether it is the root.
    fn xml_take_element(&mut self) -> Result<(Element<'a>, bool), Error> {
        let cursor = self.cursor()?;
        let root = std::mem::take(&mut cursor.root);
        match cursor.at.take() {
            Some(element) => Ok((element, root)),
            None => Err(self.abandon()),
        }
    }

    fn xml_take(&mut self) -> Result<Element<'a>, Error> {
        Ok(self.xml_take_element()?.0)
    }

    fn xml_next(&mut self) -> Result<(Cow<'a, str>, Tag<'a>), Error> {
        let next = self.cursor()?.tokens.next();
        self.check(next)
    }

    pub(super) fn xml_scalar(&mut self) -> Result<Scalar<'a>, Error> {
        let element = self.xml_take()?;
        let text = if element.empty {
            Cow::Borrowed("")
        } else {
            match self.xml_next()? {
                (text, Tag::End) => text,
                // Only the tree holds an element with children whole.
                _ => return Err(self.abandon()),
            }
        };
        let text = if blank(&text) {
            Cow::Borrowed("")
        } else {
            text
        };
        if !element.list {
            return Ok(Scalar::Text(text));
        }
        let mut members = Map::new();
        if !text.is_empty() {
            members.insert("$text".to_owned(), Value::String(text.into_owned()));
        }
        Ok(Scalar::Compound(Value::Object(members)))
    }

    pub(super) fn xml_object(&mut self) -> Result<Option<Object<'a>>, Error> {
        let (element, root) = self.xml_take_element()?;
        if element.list {
            return Err(self.abandon());
        }
        let text = if element.empty {
            Cow::Borrowed("")
        } else {
            match self.xml_next()? {
                (text, Tag::End) => text,
                (_, Tag::Start(child)) => {
                    // Text beside the children is a `$text` member, which no struct has.
                    self.cursor()?.at = Some(child);
                    return Ok(Some(Object::members(false)));
                }
                (_, Tag::Eof) => return Err(self.abandon()),
            }
        };
        if root {
            return if blank(&text) {
                Ok(Some(Object::empty()))
            } else {
                Err(self.abandon())
            };
        }
        // A string where an object was expected: absent when blank, else the tree's misfit.
        let text = if blank(&text) {
            String::new()
        } else {
            text.into_owned()
        };
        match Fields::new(Value::String(text))? {
            Some(_) => Ok(Some(Object::empty())),
            None => Ok(None),
        }
    }

    /// The next child's name, the reader then at its value; `None` after the last.
    pub(super) fn xml_member(&mut self, first: bool) -> Result<Option<Cow<'a, str>>, Error> {
        if first {
            let at = self.cursor()?.at;
            return match at {
                Some(child) => Ok(Some(Cow::Borrowed(child.name))),
                None => Err(self.abandon()),
            };
        }
        match self.xml_next()? {
            (_, Tag::Start(child)) => {
                self.cursor()?.at = Some(child);
                Ok(Some(Cow::Borrowed(child.name)))
            }
            (_, Tag::End) => Ok(None),
            (_, Tag::Eof) => Err(self.abandon()),
        }
    }

    pub(super) fn xml_skip(&mut self) {
        let Ok(element) = self.xml_take() else { return };
        if element.empty {
            return;
        }
        if let Ok(cursor) = self.cursor() {
            let skipped = cursor.tokens.skip_element();
            let _ = self.check(skipped);
        }
    }

    /// The element as a list of `T`, as the tree's list shapes read it: its children when
    /// they share one name (a `{"item": [...]}` wrapper), its text split at commas, or the
    /// element itself as the one item when its children have several names.
    pub(super) fn xml_list<T: Item>(&mut self) -> Result<Option<Vec<T>>, Error> {
        let element = self.xml_take()?;
        if element.empty {
            return Ok(Some(Vec::new()));
        }
        let mark = self.cursor()?.tokens.mark();
        let (text, tag) = self.xml_next()?;
        let mut child = match tag {
            Tag::Start(child) => child,
            Tag::End if blank(&text) => return Ok(Some(Vec::new())),
            Tag::End if element.list => return Err(self.abandon()),
            Tag::End => return self.pieces(text),
            Tag::Eof => return Err(self.abandon()),
        };
        // Text beside the items is a `$text` member: the element is then the one item.
        let mut lone = !blank(&text);
        let mut elements = Elements::new();
        while !lone {
            self.cursor()?.at = Some(child);
            elements.read(self)?;
            let (text, tag) = self.xml_next()?;
            match tag {
                Tag::Start(next) if next.name == child.name && blank(&text) => child = next,
                Tag::End if blank(&text) => return elements.finish(),
                Tag::Eof => return Err(self.abandon()),
                // Another name, or text beside the items.
                _ => lone = true,
            }
        }
        if element.list {
            return Err(self.abandon());
        }
        // Children of several names: the element is the list's one item.
        self.cursor()?.tokens.reset(mark);
        self.cursor()?.at = Some(element);
        self.single()
    }

    pub(super) fn xml_at_end(&mut self) -> bool {
        let Ok(cursor) = self.cursor() else {
            return false;
        };
        cursor.at.is_none() && matches!(cursor.tokens.next(), Ok((_, Tag::Eof)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_from;
    use super::*;
    use crate::prepare::Format;
    use crate::response::{ResponseSpec, decode_value};
    use crate::{DateTime, Decimal};

    /// A struct read both ways: `from_json` as the tree reader does, `read` as the
    /// generator writes it (member loop, one arm per field, field order indices).
    macro_rules! both {
        ($name:ident { $($field:ident: $ty:ty = $wire:literal $how:ident),* $(,)? }) => {
            #[derive(Debug, Default, PartialEq)]
            struct $name { $($field: Option<$ty>,)* }
            impl $name {
                fn tree(value: Value) -> Result<Option<Self>, Error> {
                    let Some(mut fields) = Fields::new(value)? else { return Ok(None) };
                    let read = Self { $($field: fields.$how($wire),)* };
                    fields.finish()?;
                    Ok(Some(read))
                }
            }
            impl Item for $name {
                fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
                    let Some(mut fields) = reader.object()? else { return Ok(None) };
                    let mut read = Self::default();
                    let names = [$($wire),*];
                    while let Some(name) = fields.next(reader)? {
                        let Some(index) = names.iter().position(|n| *n == &*name) else {
                            fields.skip(reader);
                            continue;
                        };
                        let mut field = 0;
                        $(
                            if field == index {
                                fields.$how(reader, index, &mut read.$field);
                            }
                            field += 1;
                        )*
                        let _ = field;
                    }
                    fields.finish()?;
                    Ok(Some(read))
                }
            }
        };
    }

    both!(Order {
        payment: Decimal = "payment" value,
        title: String = "title" value,
    });
    both!(Trade {
        tid: i64 = "tid" value,
        created: DateTime = "created" value,
        paid: bool = "paid" value,
        orders: Vec<OrderTree> = "orders" list,
        tags: Vec<String> = "tags" list,
        buyer: Order = "buyer" value,
    });

    /// `Order` as the tree reads list elements: through `Item::from_json`.
    #[derive(Debug, PartialEq)]
    struct OrderTree(Order);
    impl Item for OrderTree {
        fn from_json(value: Value) -> Result<Option<Self>, Error> {
            Ok(Order::tree(value)?.map(OrderTree))
        }
        fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
            Ok(Order::read(reader)?.map(OrderTree))
        }
    }
    impl Trade {
        fn from_tree(value: Value) -> Result<Trade, Error> {
            Trade::tree(value)?.ok_or_else(|| Error::new("expected an object, found nothing"))
        }
    }

    /// The tree's answer and the pull reader's (`None` when it gave the body up).
    fn both(xml: &str) -> (Result<Trade, Error>, Option<Result<Trade, Error>>) {
        let spec = ResponseSpec::new("taobao.x.get", Format::Xml).simplify(true);
        let tree = Trade::from_tree(decode_value(xml.as_bytes(), &spec).expect("valid XML"));
        let mut reader = Reader::xml(xml);
        let pulled = reader.xml_root().map(|_| read_from::<Trade>(&mut reader));
        let kept = !reader.abandoned() && reader.at_end();
        (tree, pulled.filter(|_| kept))
    }

    #[test]
    fn pulls_every_shape_as_the_tree_reads_it() {
        for xml in [
            // Lists: marked, repeated without the mark, one child, text, empty.
            r#"<r><tid>1</tid><created>2016-01-01 12:00:00</created><paid>true</paid><orders list="true"><order><payment>1.10</payment><title>a&amp;b</title></order><order><title><![CDATA[<x>]]></title></order></orders><tags>a,b</tags></r>"#,
            "<r><orders><order><payment>2</payment></order><order/></orders><tags><tag>x,y</tag></tags></r>",
            "<r><orders><order><payment>2</payment></order></orders><tags><tag>x</tag><tag>y</tag></tags></r>",
            r#"<r><orders list="true"/><tags/><buyer/><tid></tid><paid> </paid></r>"#,
            // Children of several names: the element is the one item.
            "<r><orders><payment>3</payment><title>t</title></orders></r>",
            // Text beside children, comments, unknown members skipped whole.
            "<r>\n  <tid>7</tid><!-- c -->\n  <extra><a><b>1</b></a><a/></extra>\n  <buyer>x<title>t</title>y</buyer>\n</r>",
            // Repeated unknown members are an array the struct ignores.
            "<r><u>1</u><u>2</u><tid>3</tid></r>",
            // Misfits, with their paths, in field order.
            r#"<r><paid>maybe</paid><orders list="true"><order/><order><payment>x</payment></order></orders></r>"#,
            r#"<r><orders list="true"><order/><order><payment>x</payment></order></orders><buyer>text</buyer></r>"#,
            "<r><tid>\r\n9</tid></r>",
            "<r/>",
            "<r> </r>",
        ] {
            let (tree, pulled) = both(xml);
            let pulled = pulled.unwrap_or_else(|| panic!("the pull reader gave up on {xml}"));
            assert_eq!(pulled, tree, "{xml}");
        }
        let (tree, _) = both(
            r#"<r><paid>maybe</paid><orders list="true"><order/><order><payment>x</payment></order></orders></r>"#,
        );
        assert_eq!(tree.unwrap_err().path(), "paid");
        let (_, pulled) = both(
            r#"<r><orders list="true"><order/><order><payment>x</payment></order></orders></r>"#,
        );
        assert_eq!(pulled.unwrap().unwrap_err().path(), "orders[1].payment");
    }

    #[test]
    fn gives_up_where_only_the_tree_reads_exactly() {
        for xml in [
            // A known field twice: an array in the tree.
            "<r><tid>1</tid><tid>2</tid></r>",
            // A scalar given children; a list whose children differ in name.
            "<r><tid><a>1</a></tid></r>",
            r#"<r><orders list="true"><order/><other/></orders></r>"#,
            // A struct given a list element.
            r#"<r><buyer list="true"><title>t</title></buyer></r>"#,
            // Not a document the pull reader reads.
            "<r><tid>1</tid></r><r/>",
            "<r>&nbsp;</r>",
        ] {
            assert!(both_pulled_none(xml), "{xml}");
        }
    }

    fn both_pulled_none(xml: &str) -> bool {
        let mut reader = Reader::xml(xml);
        let pulled = reader.xml_root().map(|_| read_from::<Trade>(&mut reader));
        pulled.is_none() || reader.abandoned() || !reader.at_end()
    }

    #[test]
    fn the_root_without_children_is_an_empty_object() {
        for xml in ["<r/>", "<r></r>", "<r>\n</r>"] {
            let mut reader = Reader::xml(xml);
            reader.xml_root().expect("a root");
            assert_eq!(read_from::<Trade>(&mut reader), Ok(Trade::default()));
            assert!(reader.at_end());
        }
    }
}
