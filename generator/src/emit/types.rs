//! IR → Rust tokens for one API module: structs, builders, validation, coded enums.
//!
//! Rules and decoding leniency live in `top-runtime`; per field, the generated code only
//! names the runtime function and the documented limits, which keeps each API small.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs;
use crate::ir::{Api, Encoding, Enum, Field, Role, Scalar, Struct, Type};
use crate::spec::{Client, Session};

/// The whole module of one API; `spec_path` is how its docs name the spec.
pub fn api_module(api: &Api, spec_path: &str) -> TokenStream {
    let module_doc = docs::inner(&docs::module(api, spec_path));
    let request = request_type(api);
    let response = response_type(api);
    let structs = api.structs.iter().map(|s| match s.role {
        Role::Request => request_struct(s),
        Role::Response => response_struct(s),
    });
    let enums = api.enums.iter().map(coded_enum);
    // No imports: every std, serde and runtime item is named by full path, so a spec's own
    // type names (`Result`, `Option`, `String`, `Path`…) can never clash with them.
    quote! {
        #module_doc
        #request
        #response
        #(#structs)*
        #(#enums)*
    }
}

pub(super) fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}

/// The Rust type of a field's value, without the `Option` of optional fields.
fn value_type(ty: &Type) -> TokenStream {
    match ty {
        Type::Scalar(Scalar::String) => quote!(::std::string::String),
        Type::Scalar(Scalar::Number) => quote!(::core::primitive::i64),
        Type::Scalar(Scalar::Boolean) => quote!(::core::primitive::bool),
        Type::Scalar(Scalar::Date) => quote!(::top_runtime::DateTime),
        Type::Scalar(Scalar::Decimal) => quote!(::top_runtime::Decimal),
        Type::Scalar(Scalar::Json) => quote!(::top_runtime::Json),
        Type::Scalar(Scalar::JsonMap) => quote!(::top_runtime::JsonMap),
        Type::Scalar(Scalar::FieldList) => quote!(::std::vec::Vec<::std::string::String>),
        Type::Scalar(Scalar::File) => quote!(::top_runtime::FileItem),
        Type::Struct(name) | Type::Enum(name, _) => {
            let name = ident(name);
            quote!(#name)
        }
        Type::List(inner) => {
            let inner = value_type(inner);
            quote!(::std::vec::Vec<#inner>)
        }
    }
}

fn request_type(api: &Api) -> TokenStream {
    let method = &api.method;
    let mut tokens = request_struct(&api.request);
    let name = ident(&api.request.rust_name);
    let response = ident(&api.response.rust_name);
    let client = match api.client {
        Client::Top => quote!(Top),
        Client::Qimen => quote!(Qimen),
    };
    let session = match api.session {
        Session::None => quote!(None),
        Session::Optional => quote!(Optional),
        Session::Required => quote!(Required),
    };
    let params = api.request.fields.iter().map(|f| {
        let wire = &f.wire_name;
        let rust = ident(&f.rust_name);
        let encode = match f.ty.encoding() {
            Encoding::Json => quote!(json),
            Encoding::File => quote!(file),
            Encoding::Text => quote!(value),
        };
        quote!(out.#encode(#wire, &self.#rust);)
    });
    // An API without parameters writes none.
    let out = if api.request.fields.is_empty() {
        quote!(_out)
    } else {
        quote!(out)
    };
    if let Some(fields) = super::fields_param::of(api) {
        tokens.extend(fields.constant());
        tokens.extend(fields.builder_method());
    }
    if api.session != Session::Required {
        tokens.extend(quote! {
            /// Sendable without a session key.
            impl ::top_runtime::SessionFree for #name {}
        });
    }
    tokens.extend(quote! {
        impl ::top_runtime::ApiRequest for #name {
            const METHOD: &'static str = #method;
            const CLIENT: ::top_runtime::ClientFamily = ::top_runtime::ClientFamily::#client;
            const SESSION: ::top_runtime::SessionRequirement = ::top_runtime::SessionRequirement::#session;
            type Response = #response;

            fn params<'a>(&'a self, #out: &mut ::top_runtime::api::Params<'a>) {
                #(#params)*
            }

            fn read_response(result: ::top_runtime::Json) -> ::core::result::Result<#response, ::top_runtime::lenient::Error> {
                ::top_runtime::lenient::read(result)
            }

            fn read_response_from(reader: &mut ::top_runtime::lenient::Reader<'_>) -> ::core::option::Option<::core::result::Result<#response, ::top_runtime::lenient::Error>> {
                ::core::option::Option::Some(::top_runtime::lenient::read_from(reader))
            }
        }
    });
    tokens
}

fn response_type(api: &Api) -> TokenStream {
    let mut s = api.response.clone();
    let mut doc = s
        .description
        .take()
        .map(|d| docs::escape(&d))
        .unwrap_or_default();
    doc.push_str(&docs::examples(
        "Documented response",
        &api.response_example,
    ));
    doc.push_str(&docs::examples("Documented error", &api.error_example));
    s.description = Some(doc);
    response_struct_with_doc(&s, false)
}

fn struct_doc(s: &Struct) -> String {
    let role = match s.role {
        Role::Request => "Request",
        Role::Response => "Response",
    };
    match s.description.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => format!("{}\n\n{role} type `{}`.", docs::escape(d), s.spec_name),
        None => format!("{role} type `{}`.", s.spec_name),
    }
}

/// A request-side struct: required fields are plain values, optional ones `Option`s; a
/// builder whose `build()` reports every violation; `Validate` with the documented rules.
fn request_struct(s: &Struct) -> TokenStream {
    let name = ident(&s.rust_name);
    let builder = format_ident!("{}Builder", crate::names::unraw(&s.rust_name));
    let doc = docs::outer(&struct_doc(s));
    let fields = s.fields.iter().map(|f| {
        let doc = docs::outer(&docs::field(f, Role::Request));
        let rust = ident(&f.rust_name);
        let ty = value_type(&f.ty);
        if f.required {
            quote! { #doc pub #rust: #ty, }
        } else {
            quote! { #doc pub #rust: ::core::option::Option<#ty>, }
        }
    });
    // Concrete `Option<&T>` parameters, not `&impl Checked`: a generic `check_fields` was
    // instantiated twice per struct (with `&T` from `validate_at`, `&Option<T>` from `build`).
    // Parameters and locals are numbered, never named after fields, so that a field called
    // `out`, `at`, `errors` or `fields` cannot clash with the code around it.
    let params = s.fields.iter().enumerate().map(|(i, f)| {
        let local = local(i);
        let ty = value_type(&f.ty);
        quote!(#local: ::core::option::Option<&#ty>)
    });
    let checks = s.fields.iter().enumerate().map(|(i, f)| {
        let local = local(i);
        let wire = &f.wire_name;
        let rules = rules(f);
        quote!(::top_runtime::validate::check_field(out, at, #wire, #local, #rules);)
    });
    let self_args = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        if f.required {
            quote!(::core::option::Option::Some(&self.#rust))
        } else {
            quote!(self.#rust.as_ref())
        }
    });
    let builder_args = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        quote!(self.#rust.as_ref())
    });
    let builder_fields = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let ty = value_type(&f.ty);
        quote!(#rust: ::core::option::Option<#ty>,)
    });
    let setters = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let ty = value_type(&f.ty);
        let doc = docs::outer(&format!(
            "Sets [`{0}`]({1}::{0}).",
            crate::names::unraw(&f.rust_name),
            crate::names::unraw(&s.rust_name)
        ));
        quote! {
            #doc
            pub fn #rust(mut self, value: impl ::core::convert::Into<#ty>) -> Self {
                self.#rust = ::core::option::Option::Some(value.into());
                self
            }
        }
    });
    let (required, required_locals) = required_fields(s);
    let inits = s.fields.iter().enumerate().map(|(i, f)| {
        let rust = ident(&f.rust_name);
        if f.required {
            let local = local(i);
            quote!(#rust: #local,)
        } else {
            quote!(#rust: self.#rust,)
        }
    });
    let construct = quote!(#name { #(#inits)* });
    let finish = if required.is_empty() {
        quote! {
            if errors.is_empty() { ::core::result::Result::Ok(#construct) } else { ::core::result::Result::Err(errors) }
        }
    } else {
        quote! {
            match (#(self.#required,)*) {
                (#(::core::option::Option::Some(#required_locals),)*) if errors.is_empty() => ::core::result::Result::Ok(#construct),
                _ => ::core::result::Result::Err(errors),
            }
        }
    };
    let (at, errors) = if s.fields.is_empty() {
        (quote!(_at), quote!(_out))
    } else {
        (quote!(at), quote!(out))
    };
    let read = strict_read(s);
    let json_impls = json_impls(&name, s, quote!(strict));
    let too_many = (s.fields.len() > 5).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let builder_doc = docs::outer(&format!(
        "Builder of [`{}`]: `build()` checks every documented rule.",
        crate::names::unraw(&s.rust_name)
    ));
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub struct #name {
            #(#fields)*
        }

        // Read strictly by one non-generic `from_json` (see `response_struct_with_doc`).
        impl ::top_runtime::strict::Item for #name {
            fn from_json(value: ::top_runtime::Json) -> ::core::result::Result<Self, ::top_runtime::strict::Error> {
                #read
            }
        }

        #json_impls

        impl #name {
            #builder_doc
            pub fn builder() -> #builder {
                #builder::default()
            }

            #too_many
            fn check_fields(#errors: &mut ::top_runtime::ValidationErrors, #at: &::top_runtime::Path<'_>, #(#params),*) {
                #(#checks)*
            }
        }

        impl ::top_runtime::Validate for #name {
            fn validate_at(&self, at: &::top_runtime::Path<'_>, out: &mut ::top_runtime::ValidationErrors) {
                Self::check_fields(out, at, #(#self_args),*);
            }
        }

        #builder_doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default)]
        #[must_use]
        pub struct #builder {
            #(#builder_fields)*
        }

        impl #builder {
            #(#setters)*

            /// The value, or every rule it breaks (paths relative to it).
            pub fn build(self) -> ::core::result::Result<#name, ::top_runtime::ValidationErrors> {
                let mut errors = ::top_runtime::ValidationErrors::new();
                #name::check_fields(&mut errors, &::top_runtime::Path::ROOT, #(#builder_args),*);
                #finish
            }
        }
    }
}

/// `Rules::new().required().max_length(32)` for a field.
fn rules(f: &Field) -> TokenStream {
    let mut rules = if f.required {
        quote!(::top_runtime::Rules::REQUIRED)
    } else {
        quote!(::top_runtime::Rules::NONE)
    };
    let l = &f.limits;
    if let Some(n) = l.max_length {
        let n = Literal::usize_unsuffixed(n as usize);
        rules.extend(quote!(.max_length(#n)));
    }
    if let Some(n) = l.max_items {
        let n = Literal::usize_unsuffixed(n as usize);
        rules.extend(quote!(.max_items(#n)));
    }
    if let Some(n) = l.min_value {
        let n = Literal::i64_unsuffixed(n);
        rules.extend(quote!(.min_value(#n)));
    }
    if let Some(n) = l.max_value {
        let n = Literal::i64_unsuffixed(n);
        rules.extend(quote!(.max_value(#n)));
    }
    rules
}

pub(super) fn response_struct(s: &Struct) -> TokenStream {
    response_struct_with_doc(s, true)
}

/// A response-side struct: every field optional and read leniently, as the SDKs do.
///
/// It reads itself with one non-generic `Item::read` pulling its members from the body's
/// text through `top_runtime::lenient::Object` (each field through `fields.value::<T>`/
/// `fields.list::<T>`, instantiated once per field type in the whole crate), and its
/// `Deserialize` is a one-line wrapper around that. A serde
/// derive here cost a visitor, a field enum and a `deserialize_with` instantiation per field,
/// monomorphized again for every deserializer: most of the crate's compile time.
pub(super) fn response_struct_with_doc(s: &Struct, nested: bool) -> TokenStream {
    let name = ident(&s.rust_name);
    let doc = docs::outer(&if nested {
        struct_doc(s)
    } else {
        s.description.clone().unwrap_or_default()
    });
    let fields = s.fields.iter().map(|f| {
        let doc = docs::outer(&docs::field(f, Role::Response));
        let rust = ident(&f.rust_name);
        let ty = value_type(&f.ty);
        quote! {
            #doc
            pub #rust: ::core::option::Option<#ty>,
        }
    });
    let json_impls = json_impls(&name, s, quote!(lenient));
    let reads = s.fields.iter().enumerate().map(|(i, f)| {
        let rust = ident(&f.rust_name);
        let wire = &f.wire_name;
        let index = Literal::usize_unsuffixed(i);
        let reader = if matches!(f.ty, Type::List(_)) {
            quote!(list)
        } else {
            quote!(value)
        };
        quote!(#wire => fields.#reader(reader, #index, &mut read.#rust),)
    });
    // Members are taken in the order they come, each straight from the body's text; the
    // index is the field's place, by which the first misfit is chosen.
    let body = if s.fields.is_empty() {
        quote! {
            let ::core::option::Option::Some(mut fields) = reader.object()? else {
                return ::core::result::Result::Ok(::core::option::Option::None);
            };
            while fields.next(reader)?.is_some() {
                fields.skip(reader);
            }
            fields.finish()?;
            ::core::result::Result::Ok(::core::option::Option::Some(Self {}))
        }
    } else {
        quote! {
            let ::core::option::Option::Some(mut fields) = reader.object()? else {
                return ::core::result::Result::Ok(::core::option::Option::None);
            };
            let mut read = Self::default();
            while let ::core::option::Option::Some(name) = fields.next(reader)? {
                match &*name {
                    #(#reads)*
                    _ => fields.skip(reader),
                }
            }
            fields.finish()?;
            ::core::result::Result::Ok(::core::option::Option::Some(read))
        }
    };
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub struct #name {
            #(#fields)*
        }

        impl ::top_runtime::lenient::Item for #name {
            fn read(reader: &mut ::top_runtime::lenient::Reader<'_>) -> ::core::result::Result<::core::option::Option<Self>, ::top_runtime::lenient::Error> {
                #body
            }
        }

        #json_impls
    }
}

/// The local holding field `i` in generated bodies.
fn local(i: usize) -> proc_macro2::Ident {
    format_ident!("v{}", i)
}

/// The required fields' Rust names, and the locals that hold them.
fn required_fields(s: &Struct) -> (Vec<proc_macro2::Ident>, Vec<proc_macro2::Ident>) {
    s.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.required)
        .map(|(i, f)| (ident(&f.rust_name), local(i)))
        .unzip()
}

/// `AsJson` (one non-generic `as_json`), and serde impls that are one-line wrappers: writing
/// through the view, reading through `top_runtime::<reader>::deserialize`.
fn json_impls(name: &proc_macro2::Ident, s: &Struct, reader: TokenStream) -> TokenStream {
    let written = json_view(s);
    quote! {
        impl ::top_runtime::view::AsJson for #name {
            fn as_json(&self) -> ::top_runtime::view::JsonView<'_> {
                #written
            }
        }

        impl ::top_runtime::__private::serde::Serialize for #name {
            fn serialize<S: ::top_runtime::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                ::top_runtime::view::serialize(self, serializer)
            }
        }

        impl<'de> ::top_runtime::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::top_runtime::__private::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                ::top_runtime::#reader::deserialize(deserializer)
            }
        }
    }
}

/// The body of `as_json`: the present members in field order, in one allocation.
fn json_view(s: &Struct) -> TokenStream {
    if s.fields.is_empty() {
        return quote!(::top_runtime::view::JsonObject::new().into());
    }
    let puts = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let wire = &f.wire_name;
        quote!(out.put(#wire, &self.#rust);)
    });
    let capacity = Literal::usize_unsuffixed(s.fields.len());
    quote! {
        let mut out = ::top_runtime::view::JsonObject::with_capacity(#capacity);
        #(#puts)*
        out.into()
    }
}

/// The body of a request struct's strict `from_json`: every member read in field order,
/// then the first problem (a missing, misfit or unknown member) reported with its path.
fn strict_read(s: &Struct) -> TokenStream {
    let reads = s.fields.iter().enumerate().map(|(i, f)| {
        let local = local(i);
        let wire = &f.wire_name;
        let reader = if f.required {
            quote!(required)
        } else {
            quote!(optional)
        };
        quote!(let #local = fields.#reader(#wire);)
    });
    let inits = s.fields.iter().enumerate().map(|(i, f)| {
        let rust = ident(&f.rust_name);
        let local = local(i);
        quote!(#rust: #local,)
    });
    let (_, required) = required_fields(s);
    let fields = if s.fields.is_empty() {
        quote!(fields)
    } else {
        quote!(mut fields)
    };
    let finish = if required.is_empty() {
        quote! {
            fields.finish()?;
            ::core::result::Result::Ok(Self { #(#inits)* })
        }
    } else {
        quote! {
            match (#(#required,)*) {
                (#(::core::option::Option::Some(#required),)*) => {
                    fields.finish()?;
                    ::core::result::Result::Ok(Self { #(#inits)* })
                }
                _ => ::core::result::Result::Err(fields.into_error()),
            }
        }
    };
    quote! {
        let #fields = ::top_runtime::strict::Fields::new(value)?;
        #(#reads)*
        #finish
    }
}

pub(super) fn coded_enum(e: &Enum) -> TokenStream {
    let name = ident(&e.rust_name);
    let mut doc = e
        .description
        .as_deref()
        .map(docs::escape)
        .unwrap_or_default();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str("A documented coded value; values the documentation does not list are kept in `Unknown` and sent back unchanged.");
    let doc = docs::outer(&doc);
    let variants = e.variants.iter().map(|v| {
        let rust = ident(&v.rust_name);
        let doc = docs::outer(&match &v.description {
            Some(d) => format!("{}: {}", docs::code(&v.code), docs::escape(d)),
            None => docs::code(&v.code),
        });
        quote!(#doc #rust,)
    });
    let (unknown, codes) = match e.base {
        Scalar::Number => (quote!(::core::primitive::i64), quote!(number_codes)),
        _ => (quote!(::std::string::String), quote!(text_codes)),
    };
    let mappings = e.variants.iter().map(|v| {
        let rust = ident(&v.rust_name);
        let code = match e.base {
            Scalar::Number => {
                let n: i64 = v.code.parse().unwrap_or_default();
                let lit = Literal::i64_unsuffixed(n);
                quote!(#lit)
            }
            _ => {
                let lit = Literal::string(&v.code);
                quote!(#lit)
            }
        };
        quote!(#rust = #code)
    });
    quote! {
        #doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)]
        pub enum #name {
            #(#variants)*
            /// A value the documentation does not list, as sent.
            Unknown(#unknown),
        }
        ::top_runtime::#codes!(#name { #(#mappings),* });
    }
}
