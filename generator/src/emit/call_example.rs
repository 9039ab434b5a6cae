//! `examples/call.rs` of the generated crate: the table from method names to request types
//! that `top_runtime::cli` runs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Api;

pub fn call_rs(apis: &[Api]) -> TokenStream {
    let arms = apis.iter().map(|api| {
        let method = &api.method;
        let request = format_ident!("{}", api.request.rust_name);
        let feature = &api.module;
        quote! {
            #[cfg(feature = #feature)]
            #method => Some(invocation.run::<top_apis::#request>()),
        }
    });
    quote! {
        //! Calls any generated API from the command line:
        //! `cargo run -p top-apis --example call -- <method> <request.json> [--dry-run]`.
        //! Run with `--help` for the options and environment variables.
        #![forbid(unsafe_code)]

        fn main() -> std::process::ExitCode {
            // With every API's feature off, no arm uses the invocation.
            #[allow(unused_variables)]
            let dispatch = |method: &str, invocation: &top_apis::top_runtime::cli::Invocation| match method {
                #(#arms)*
                _ => None,
            };
            top_apis::top_runtime::cli::main(dispatch)
        }
    }
}
