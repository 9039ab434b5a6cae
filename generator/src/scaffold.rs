//! `topgen new <method>`: a commented skeleton spec from the `templates/new-spec.yaml`
//! askama template, valid as it stands so that `generate` works before it is filled in.

use std::path::Path;

use askama::Template;

use crate::resolve::is_valid_method;

#[derive(Template)]
#[template(path = "new-spec.yaml")]
struct NewSpec<'a> {
    method: &'a str,
    /// The response element's name in the XML example: the method without its first
    /// word, `tmall.fin.car.open.bill.notify` → `fin_car_open_bill_notify`.
    module: String,
    client: &'a str,
}

#[derive(Template)]
#[template(path = "new-message.yaml")]
struct NewMessage<'a> {
    topic: &'a str,
}

/// The message skeleton's text.
pub fn message_skeleton(topic: &str) -> Result<String, String> {
    let mut text = NewMessage { topic }
        .render()
        .map_err(|e| format!("internal error: {e}"))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Checks a TMC topic: the problem when it is not one.
pub fn parse_topic(text: &str) -> Result<String, String> {
    if crate::names::is_valid_topic(text) {
        Ok(text.to_owned())
    } else {
        Err("expected a TMC topic: ASCII letters, digits and `_`, starting with a lowercase letter, e.g. `taobao_trade_TradeBuyerPay`".to_owned())
    }
}

/// `topgen new --message`: writes `<specs>/messages/<topic>.yaml`, refusing to overwrite one.
pub fn command_message(specs: &Path, topic: &str) -> Result<u8, String> {
    write_new(
        &crate::load::messages_dir(specs),
        &format!("{topic}.yaml"),
        &message_skeleton(topic)?,
    )
}

/// The skeleton's text.
pub fn skeleton(method: &str) -> Result<String, String> {
    let client = if method.starts_with("qimen.") {
        "qimen"
    } else {
        "top"
    };
    let module = method
        .split_once('.')
        .map_or(method, |(_, rest)| rest)
        .replace('.', "_");
    let mut text = NewSpec {
        method,
        module,
        client,
    }
    .render()
    .map_err(|e| format!("internal error: {e}"))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Checks a method name for clap: a usage error (exit 2) when it is not one.
pub fn parse_method(text: &str) -> Result<String, String> {
    if is_valid_method(text) {
        Ok(text.to_owned())
    } else {
        Err("expected a TOP method name: dotted segments of letters, digits, `_` and `-`, starting with a lowercase letter, e.g. `taobao.item.get`".to_owned())
    }
}

/// `topgen new`: writes `<specs>/<method>.yaml`, refusing to overwrite one.
pub fn command(specs: &Path, method: &str) -> Result<u8, String> {
    write_new(specs, &format!("{method}.yaml"), &skeleton(method)?)
}

fn write_new(specs: &Path, name: &str, text: &str) -> Result<u8, String> {
    let path = specs.join(name);
    std::fs::create_dir_all(specs)
        .map_err(|e| format!("error: cannot create {}: {e}", specs.display()))?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match file {
        Ok(mut file) => {
            use std::io::Write as _;
            file.write_all(text.as_bytes())
                .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
            Ok(0)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; edit it, or delete it first",
                path.display()
            );
            Ok(1)
        }
        Err(e) => Err(format!("error: cannot write {}: {e}", path.display())),
    }
}
