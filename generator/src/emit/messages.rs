//! IR → Rust tokens for the typed TMC messages: one module per topic holding its content
//! struct (emitted exactly like a response struct, so it decodes the same lenient way), and
//! `TmcMessage`, the enum over every topic, with `Unknown` for the rest.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::types::{coded_enum, ident, response_struct, response_struct_with_doc};
use crate::ir::Message;

/// The body of the `messages` module (`src/messages.rs`, or inline in build-script mode).
/// `specs_shown` is how its docs name the specs directory.
pub fn messages_module(messages: &[Message], specs_shown: &str) -> TokenStream {
    let mut doc = format!(
        "Typed TMC (消息服务) messages, generated from the message specs in \
         `{specs_shown}/messages/`.\n\n\
         [`TmcMessage::decode`] reads a message's content by its topic: leniently, like a \
         response (unknown members ignored, numbers as text accepted), into the topic's \
         content struct; a topic without a spec is kept as [`TmcMessage::Unknown`].\n\n\
         | Topic | Content | Title |\n| --- | --- | --- |\n"
    );
    for m in messages {
        doc.push_str(&format!(
            "| `{}` | [`{}`] | {} |\n",
            m.topic,
            m.content.rust_name,
            m.title
                .as_deref()
                .map(docs::escape)
                .unwrap_or_default()
                .replace('|', "\\|")
        ));
    }
    let doc = docs::inner(&doc);
    let modules = messages.iter().map(|m| {
        let module = ident(&m.module);
        let content = ident(&m.content.rust_name);
        let body = topic_module(m, specs_shown);
        quote! {
            pub mod #module {
                #body
            }
            pub use #module::#content;
        }
    });
    let topics = messages.iter().map(|m| &m.topic);
    let variants = messages.iter().map(|m| {
        let content = ident(&m.content.rust_name);
        let doc = docs::outer(&format!("`{}`: [`{}`].", m.topic, m.content.rust_name));
        quote!(#doc #content(#content),)
    });
    let decodes = messages.iter().map(|m| {
        let topic = &m.topic;
        let content = ident(&m.content.rust_name);
        quote!(#topic => read_content(content).map(TmcMessage::#content),)
    });
    let names = messages.iter().map(|m| {
        let topic = &m.topic;
        let content = ident(&m.content.rust_name);
        quote!(TmcMessage::#content(_) => #topic,)
    });
    let serializes = messages.iter().map(|m| {
        let content = ident(&m.content.rust_name);
        quote!(TmcMessage::#content(content) => ::top_runtime::__private::serde::Serialize::serialize(content, serializer),)
    });
    quote! {
        #doc

        #(#modules)*

        /// Every topic with a message spec, as [`TmcMessage::decode`] recognizes it.
        pub const TOPICS: &[&str] = &[#(#topics),*];

        /// A TMC message's content, typed by its topic.
        ///
        /// `Debug` shows the topic only: content carries buyer data.
        #[derive(::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        pub enum TmcMessage {
            #(#variants)*
            /// A topic without a message spec, with its content as received.
            Unknown {
                /// The message's topic.
                topic: ::std::string::String,
                /// The content, as received.
                content: ::std::string::String,
            },
        }

        impl TmcMessage {
            /// Reads `content` (the message's JSON text) as the content of `topic`; a topic
            /// without a spec gives [`TmcMessage::Unknown`]. Content that does not fit the
            /// topic's documented types is an error naming where (`refund_fee`), never a
            /// panic; the error does not repeat the content's values.
            pub fn decode(topic: &str, content: &str) -> ::core::result::Result<Self, ::top_runtime::lenient::Error> {
                match topic {
                    #(#decodes)*
                    _ => ::core::result::Result::Ok(TmcMessage::Unknown {
                        topic: ::std::borrow::ToOwned::to_owned(topic),
                        content: ::std::borrow::ToOwned::to_owned(content),
                    }),
                }
            }

            /// The message's topic.
            pub fn topic(&self) -> &str {
                match self {
                    #(#names)*
                    TmcMessage::Unknown { topic, .. } => topic,
                }
            }
        }

        /// Serializes as the content alone: the typed struct, or for an unknown topic the
        /// content text as received.
        impl ::top_runtime::__private::serde::Serialize for TmcMessage {
            fn serialize<S: ::top_runtime::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serializes)*
                    TmcMessage::Unknown { content, .. } => serializer.serialize_str(content),
                }
            }
        }

        impl ::core::fmt::Debug for TmcMessage {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct("TmcMessage").field("topic", &self.topic()).finish_non_exhaustive()
            }
        }

        /// One generic reader for every topic: the content struct pulled from the text, or
        /// (where the pull reader gives it up) read from its JSON tree, with the same answer.
        /// A misfit keeps its path only: the runtime's message quotes the value, and content
        /// values are buyer data.
        fn read_content<T: ::top_runtime::lenient::Item>(content: &str) -> ::core::result::Result<T, ::top_runtime::lenient::Error> {
            let read = match ::top_runtime::lenient::read_str(content) {
                ::core::option::Option::Some(read) => read,
                ::core::option::Option::None => {
                    let value: ::top_runtime::Json = ::top_runtime::__private::serde_json::from_str(content)
                        .map_err(|e| ::top_runtime::lenient::Error::new(::std::format!("the content is not JSON: {e}")))?;
                    ::top_runtime::lenient::read(value)
                }
            };
            read.map_err(|e| {
                let message = if e.path().is_empty() {
                    "the content is not a JSON object"
                } else {
                    "the value does not fit the documented type (not shown: content is buyer data)"
                };
                ::top_runtime::lenient::Error::at(e.path(), message)
            })
        }
    }
}

/// One topic's module: its doc, the content struct, its nested structs and coded enums.
fn topic_module(m: &Message, specs_shown: &str) -> TokenStream {
    let file = m.spec_path.rsplit('/').next().unwrap_or(&m.spec_path);
    let mut doc = format!("`{}`", m.topic);
    if let Some(t) = &m.title {
        doc.push_str(&format!(": {}", docs::escape(t)));
    }
    doc.push_str("\n\n");
    if let Some(d) = &m.description {
        doc.push_str(&docs::escape(d));
        doc.push_str("\n\n");
    }
    if let Some(c) = &m.category {
        doc.push_str(&format!("- Category (消息类目): {}\n", docs::escape(c)));
    }
    if let Some(s) = &m.source {
        doc.push_str(&format!("- Source: {}\n", docs::escape(s)));
    }
    doc.push_str(&format!(
        "\nGenerated from `{specs_shown}/messages/{file}`."
    ));
    let module_doc = docs::inner(&doc);
    let mut content = m.content.clone();
    let mut content_doc = format!(
        "The content of a `{}` message{}.",
        m.topic,
        content
            .description
            .take()
            .map(|t| format!(" ({})", docs::escape(&t)))
            .unwrap_or_default()
    );
    if let Some(example) = &m.example {
        content_doc.push_str(&format!(
            "\n\nDocumented content:\n\n```json\n{}\n```",
            example.trim_end()
        ));
    }
    content.description = Some(content_doc);
    let content = response_struct_with_doc(&content, false);
    let structs = m.structs.iter().map(response_struct);
    let enums = m.enums.iter().map(coded_enum);
    quote! {
        #module_doc
        #content
        #(#structs)*
        #(#enums)*
    }
}
