#![forbid(unsafe_code)]
//! End-to-end tests: the generated SDK and its `call` command against a fake TOP/Qimen
//! gateway that checks every request with its own implementation of the protocol.

mod cli;
mod client;
mod downstream;
mod load;
mod oauth;
mod retry;
mod seeds;
mod tmc;
mod tmc_example;
mod tmc_server;
mod upload;
mod upload_generated;

/// The headers of a prepared request, owned as the gateway's received ones are.
fn owned_headers(prepared: &top_runtime::prepare::HttpRequest) -> Vec<(String, String)> {
    prepared
        .headers()
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}
