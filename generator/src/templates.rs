//! Non-Rust generated files, rendered from the askama templates in `generator/templates/`.

use askama::Template;

use crate::ir::Api;
use crate::settings::CrateSettings;
use crate::spec::{Client, Session};

/// One row of the generated crate's API table.
pub struct ApiRow {
    pub method: String,
    pub module: String,
    pub client: &'static str,
    pub session: &'static str,
    pub title: String,
}

impl ApiRow {
    pub fn new(api: &Api) -> Self {
        Self {
            method: api.method.clone(),
            module: api.module.clone(),
            client: match api.client {
                Client::Top => "TOP",
                Client::Qimen => "Qimen",
            },
            session: match api.session {
                Session::None => "none",
                Session::Optional => "optional",
                Session::Required => "required",
            },
            title: api.title.clone().unwrap_or_default().replace('|', "\\|"),
        }
    }
}

#[derive(Template)]
// Not `Cargo.toml`: cargo would take a directory holding one for a package of its own
// and leave it out of topgen's.
#[template(path = "generated/manifest.toml")]
pub struct CargoToml<'a> {
    pub header: &'a str,
    pub apis: &'a [ApiRow],
    /// Whether there are message specs (the crate then has `messages` and a `tmc` feature).
    pub messages: bool,
    pub settings: &'a CrateSettings,
}

#[derive(Template)]
#[template(path = "generated/README.md")]
pub struct Readme<'a> {
    pub header: &'a str,
    pub apis: Vec<ApiRow>,
    pub settings: &'a CrateSettings,
}
