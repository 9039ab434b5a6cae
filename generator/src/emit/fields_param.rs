//! The `fields` parameter of read APIs (`taobao.trade.fullinfo.get`, `taobao.trades.sold.get`…):
//! the wire names of the response's struct that the caller wants back. Where the response has
//! exactly one struct to name them from, the request gets `RESPONSE_FIELDS` (those names in
//! spec order) and its builder `all_fields()` (all of them at once).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use crate::ir::{Api, Field, Scalar, Struct, Type};
use crate::names::unraw;

/// The wire name of the parameter, as TOP's read APIs spell it.
const WIRE_NAME: &str = "fields";

/// The builder method that asks for every name.
const ALL_FIELDS: &str = "all_fields";

/// An API's `fields` parameter and the response struct whose names it takes.
#[derive(Debug, Clone, Copy)]
pub struct FieldsParam<'a> {
    /// The request parameter.
    pub param: &'a Field,
    /// The response member of the struct type (or list of it).
    pub member: &'a Field,
    /// That struct: its fields' wire names are what `fields` can name.
    pub source: &'a Struct,
    /// The Rust type names of the request and response.
    request: &'a str,
    response: &'a str,
    /// Whether `all_fields()` is generated (see [`FieldsParam::all_fields`]).
    all_fields: bool,
    /// Whether no other request parameter is required.
    alone: bool,
}

/// The `fields` parameter of `api`, when it takes names (a `String`, `FieldList` or
/// `String[]`) and the response has exactly one member of a struct type (or a list of one),
/// whose fields are the names. Any other shape states nothing about which names there are.
pub fn of(api: &Api) -> Option<FieldsParam<'_>> {
    let param = api
        .request
        .fields
        .iter()
        .find(|f| f.wire_name == WIRE_NAME)?;
    let names = match &param.ty {
        Type::Scalar(Scalar::String | Scalar::FieldList) => true,
        Type::List(inner) => **inner == Type::Scalar(Scalar::String),
        _ => false,
    };
    if !names {
        return None;
    }
    let mut members = api
        .response
        .fields
        .iter()
        .filter_map(|f| struct_name(&f.ty).map(|name| (f, name)));
    let (member, name) = members.next()?;
    if members.next().is_some() {
        return None;
    }
    let source = api.structs.iter().find(|s| s.rust_name == name)?;
    if source.fields.is_empty() {
        return None;
    }
    let mut found = FieldsParam {
        param,
        member,
        source,
        request: &api.request.rust_name,
        response: &api.response.rust_name,
        all_fields: false,
        alone: !api
            .request
            .fields
            .iter()
            .any(|f| f.required && f.wire_name != WIRE_NAME),
    };
    // A request field named like the method would clash with its setter.
    let free = !api
        .request
        .fields
        .iter()
        .any(|f| unraw(&f.rust_name) == ALL_FIELDS);
    found.all_fields = free && found.exceeded_limit().is_none();
    Some(found)
}

fn struct_name(ty: &Type) -> Option<&str> {
    match ty {
        Type::Struct(name) => Some(name),
        Type::List(inner) => match inner.as_ref() {
            Type::Struct(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

impl FieldsParam<'_> {
    /// The names, in spec order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.source.fields.iter().map(|f| f.wire_name.as_str())
    }

    /// The parameter's value asking for every name, as it goes on the wire.
    pub fn wire_value(&self) -> String {
        self.names().collect::<Vec<_>>().join(",")
    }

    /// Whether `all_fields()` is generated: only when asking for every name keeps to the
    /// parameter's documented limits (some docs allow fewer names than the struct has), so
    /// that it never builds a request that validation rejects.
    pub fn all_fields(&self) -> bool {
        self.all_fields
    }

    /// Whether `fields` is the only required parameter, so that `builder().all_fields()`
    /// alone builds a request.
    pub fn alone(&self) -> bool {
        self.alone
    }

    /// The documented limit that asking for every name breaks, if any, by the runtime's
    /// rules (`validate.rs`): a text's length in UTF-16 units and its comma-separated count,
    /// a list's length.
    fn exceeded_limit(&self) -> Option<String> {
        let limits = &self.param.limits;
        let count = self.source.fields.len() as u64;
        if let Some(max) = limits.max_items.filter(|&max| count > max) {
            return Some(format!("{max} names"));
        }
        let length = self.wire_value().encode_utf16().count() as u64;
        let text = matches!(self.param.ty, Type::Scalar(Scalar::String));
        let max = limits.max_length.filter(|&max| text && length > max)?;
        Some(format!("{max} characters"))
    }

    /// Where the names come from, for the docs: "[`Trade`], the type of the response's
    /// `trade` ([`…Response::trade`])".
    fn source_doc(&self) -> String {
        let element = if matches!(self.member.ty, Type::List(_)) {
            "the element type"
        } else {
            "the type"
        };
        format!(
            "[`{}`], {element} of the response's {} ([`{}::{}`])",
            unraw(&self.source.rust_name),
            docs::code(&self.member.wire_name),
            unraw(self.response),
            unraw(&self.member.rust_name),
        )
    }

    /// `impl Request { pub const RESPONSE_FIELDS … }`.
    pub fn constant(&self) -> TokenStream {
        let request = super::types::ident(self.request);
        let names = self.names();
        let mut doc = format!(
            "Every name the {} parameter can ask for, in documented order: the wire names of the fields of {}.",
            docs::code(WIRE_NAME),
            self.source_doc()
        );
        if let Some(limit) = self.exceeded_limit() {
            doc.push_str(&format!(
                "\n\nThe documentation allows at most {limit} in one request: ask for those you need."
            ));
        }
        let doc = docs::outer(&doc);
        quote! {
            impl #request {
                #doc
                pub const RESPONSE_FIELDS: &'static [&'static str] = &[#(#names),*];
            }
        }
    }

    /// `impl RequestBuilder { pub fn all_fields(self) -> Self }`, when generated.
    pub fn builder_method(&self) -> Option<TokenStream> {
        if !self.all_fields {
            return None;
        }
        let request = super::types::ident(self.request);
        let builder = format_ident!("{}Builder", unraw(self.request));
        let method = format_ident!("{}", ALL_FIELDS);
        let field = super::types::ident(&self.param.rust_name);
        let doc = docs::outer(&format!(
            "Asks for every name of [`{1}::RESPONSE_FIELDS`], all the fields of {2}: sets [`{0}`]({1}::{0}) to them, comma-joined on the wire.",
            unraw(&self.param.rust_name),
            unraw(self.request),
            self.source_doc()
        ));
        // A text parameter takes the names joined; a list one (`FieldList`, `String[]`)
        // takes them as items, which the runtime joins. No trait method is called: a spec
        // may name its own types `Iterator` or `From`.
        let value = match self.param.ty {
            Type::Scalar(Scalar::String) => quote!(#request::RESPONSE_FIELDS.join(",")),
            _ => quote! {{
                let mut names = ::std::vec::Vec::with_capacity(#request::RESPONSE_FIELDS.len());
                for name in #request::RESPONSE_FIELDS {
                    names.push(::std::borrow::ToOwned::to_owned(*name));
                }
                names
            }},
        };
        Some(quote! {
            impl #builder {
                #doc
                pub fn #method(mut self) -> Self {
                    self.#field = ::core::option::Option::Some(#value);
                    self
                }
            }
        })
    }
}
