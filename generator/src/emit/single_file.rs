//! The build-script mode's output: every API in one file that a crate `include!`s, each
//! API's module inline (an included file's `mod x;` would be looked up beside the including
//! file, not in `OUT_DIR`), with no cargo features and no crate attributes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, Message};

/// The whole file: the prelude, one inline module per API (its doc and items as in the
/// generated crate), and the request and response types re-exported beside them.
/// `spec_path` gives how each API's docs name its spec. With message specs, a `messages`
/// module as in the generated crate, its docs naming the specs directory `specs_shown`.
pub fn apis_rs(
    apis: &[Api],
    messages: &[Message],
    specs_shown: &str,
    spec_path: impl Fn(&Api) -> String,
) -> TokenStream {
    let modules = apis.iter().map(|api| {
        let module = format_ident!("{}", api.module);
        let request = format_ident!("{}", api.request.rust_name);
        let response = format_ident!("{}", api.response.rust_name);
        let body = super::types::api_module(api, &spec_path(api));
        quote! {
            pub mod #module {
                #body
            }
            pub use #module::{#request, #response};
        }
    });
    let messages = (!messages.is_empty()).then(|| {
        let body = super::messages::messages_module(messages, specs_shown);
        quote! {
            pub mod messages {
                #body
            }
        }
    });
    quote! {
        #messages

        /// What calling code needs in one import: `Validate`, `ApiRequest`, `DateTime`,
        /// `Decimal`, `FileItem`, the client and the error types.
        pub mod prelude {
            pub use ::top_runtime::prelude::*;
        }

        #(#modules)*
    }
}
