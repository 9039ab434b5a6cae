//! Generates, from `specs/taobao.trades.sold.get.yaml`: the API with `topgen::Builder`
//! (`top_apis.rs`), and `twin.rs`: a plain `#[derive(Deserialize)]` copy of its response
//! structs (every field an `Option`, dates kept as strings) with the table of their fields
//! that the page builder walks.

use std::fmt::Write as _;

use topgen::ir::{Scalar, Struct, Type};

const SPEC: &str = "specs/taobao.trades.sold.get.yaml";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    topgen::Builder::new().specs("specs").quiet().generate()?;
    println!("cargo::rerun-if-changed={SPEC}");
    let text = std::fs::read_to_string(SPEC)?;
    let (api, _) = topgen::load::load_str(SPEC, text).map_err(|d| format!("{d:?}"))?;
    let mut out = String::new();
    let mut shapes = String::new();
    for s in std::iter::once(&api.response).chain(&api.structs) {
        twin_struct(s, &mut out);
        shape(s, &mut shapes);
    }
    writeln!(
        out,
        "/// Every response struct's fields, in spec order; the response first."
    )?;
    writeln!(out, "pub const SHAPES: &[Shape] = &[{shapes}];")?;
    let dir = std::env::var("OUT_DIR")?;
    std::fs::write(format!("{dir}/twin.rs"), out)?;
    Ok(())
}

fn rust_type(ty: &Type) -> String {
    match ty {
        Type::Scalar(Scalar::Number) => "i64".into(),
        Type::Scalar(Scalar::Boolean) => "bool".into(),
        Type::Scalar(_) | Type::Enum(..) => "String".into(),
        Type::Struct(name) => name.clone(),
        Type::List(inner) => format!("Vec<{}>", rust_type(inner)),
    }
}

fn twin_struct(s: &Struct, out: &mut String) {
    let _ = writeln!(
        out,
        "#[derive(Debug, serde::Deserialize)]\npub struct {} {{",
        s.rust_name
    );
    for f in &s.fields {
        let _ = writeln!(
            out,
            "    pub {}: Option<{}>,",
            f.rust_name,
            rust_type(&f.ty)
        );
    }
    out.push_str("}\n\n");
}

fn kind(ty: &Type) -> String {
    match ty {
        Type::Scalar(Scalar::Number) => "Kind::Number".into(),
        Type::Scalar(Scalar::Boolean) => "Kind::Boolean".into(),
        Type::Scalar(Scalar::Date) => "Kind::Date".into(),
        Type::Scalar(Scalar::Decimal) => "Kind::Price".into(),
        Type::Scalar(_) | Type::Enum(..) => "Kind::Text".into(),
        Type::Struct(name) => format!("Kind::Struct({name:?})"),
        Type::List(inner) => format!("Kind::List(&{})", kind(inner)),
    }
}

fn shape(s: &Struct, out: &mut String) {
    let _ = write!(
        out,
        "Shape {{ name: {:?}, item: {:?}, fields: &[",
        s.rust_name,
        snake(&s.spec_name)
    );
    for f in &s.fields {
        let _ = write!(out, "({:?}, {}), ", f.wire_name, kind(&f.ty));
    }
    out.push_str("] }, ");
}

/// `ServiceOrder` → `service_order`: the item name TOP wraps a list of them in.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
