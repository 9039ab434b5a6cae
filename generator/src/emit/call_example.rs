//! `examples/call.rs` of the generated crate: the table from method names to request types
//! that `top_runtime::cli` runs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Api;
use crate::settings::CrateSettings;

pub fn call_rs(apis: &[Api], settings: &CrateSettings) -> TokenStream {
    let lib = format_ident!("{}", settings.lib_name());
    let arms = apis.iter().map(|api| {
        let method = &api.method;
        let request = format_ident!("{}", api.request.rust_name);
        let feature = &api.module;
        quote! {
            #[cfg(feature = #feature)]
            #method => Some(invocation.run::<#lib::#request>()),
        }
    });
    let doc = super::docs::inner(&format!(
        "Calls any generated API from the command line:\n\
         `cargo run -p {} --example call -- <method> <request.json> [--dry-run]`.\n\
         Run with `--help` for the options and environment variables.",
        settings.name
    ));
    quote! {
        #doc
        #![forbid(unsafe_code)]

        fn main() -> std::process::ExitCode {
            // With every API's feature off, no arm uses the invocation.
            #[allow(unused_variables)]
            let dispatch = |method: &str, invocation: &#lib::top_runtime::cli::Invocation| match method {
                #(#arms)*
                _ => None,
            };
            #lib::top_runtime::cli::main(dispatch)
        }
    }
}
